"""Fees (物业管理费及其他费用): fee items and their price standards, what each unit is billed
for, the monthly fee notices (交费通知单) with their lines, payments with receipts and how
they are applied to notices, voids and refunds with a supervisor's approval, dunning (催缴).

Money is Decimal yuan rounded by frontdesk.money.money(). Nothing here is ever deleted: a
voided payment and its reversal both stay, as rows."""

import builtins

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontdesk.models import Property, Resident, Unit

AMOUNT = {"max_digits": 12, "decimal_places": 2}


class FeeItem(models.Model):
    """One fee of the property's published price standards (收费标准)."""

    class Basis(models.TextChoices):
        AREA = "area", _("Per m² of the unit, per month")
        FIXED = "fixed", _("Fixed per month (e.g. a parking space)")
        METERED = "metered", _("By metered use (water, electricity)")
        REPAIR = "repair", _("Paid repairs")
        SERVICE = "service", _("Paid services")

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="fee_items")
    name = models.CharField(_("fee item"), max_length=60)
    basis = models.CharField(_("charged"), max_length=10, choices=Basis.choices)
    unit_label = models.CharField(pgettext_lazy("measure", "unit"), max_length=20, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        ordering = ["property", "name"]
        constraints = [
            models.UniqueConstraint(fields=["property", "name"], name="fee_item_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PriceStandard(models.Model):
    """The price of a fee item from a date on; the one in force for a period is the latest
    that starts on or before the period's first day."""

    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="prices")
    price = models.DecimalField(
        _("price (yuan)"), max_digits=12, decimal_places=4, validators=[MinValueValidator(0)]
    )
    effective_from = models.DateField(_("applies from"))

    class Meta:
        verbose_name = _("price standard")
        verbose_name_plural = _("price standards")
        ordering = ["fee_item", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["fee_item", "effective_from"], name="price_standard_unique"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_standard_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.fee_item} {self.price} ({self.effective_from})"


class Subscription(models.Model):
    """A fixed monthly fee a unit pays, e.g. the rent of parking space B-017."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="subscriptions")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="subscriptions")
    quantity = models.DecimalField(
        _("quantity"), max_digits=8, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("note"), max_length=60, blank=True)
    starts = models.DateField(_("from"))
    ends = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly fee of a unit")
        verbose_name_plural = _("monthly fees of units")

    def __str__(self) -> str:
        return f"{self.unit} {self.fee_item}"


class MeterReading(models.Model):
    """A water or electricity meter read for a billing period."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="meter_readings")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="readings")
    period = models.DateField(_("period"))
    previous = models.DecimalField(_("previous reading"), max_digits=12, decimal_places=2)
    current = models.DecimalField(_("current reading"), max_digits=12, decimal_places=2)
    read_at = models.DateTimeField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "fee_item", "period"], name="meter_reading_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(current__gte=F("previous")), name="meter_reading_not_backwards"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.fee_item} {self.period:%Y-%m}"

    @property
    def usage(self):
        return self.current - self.previous


class Charge(models.Model):
    """A paid service charged to a unit at the desk; it goes onto the next fee notice."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="charges")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="charges")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="charges")
    description = models.CharField(_("what for"), max_length=200)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="charge_positive")]

    def __str__(self) -> str:
        return f"{self.unit} {self.description}"


class FeeNotice(models.Model):
    """A fee notice (交费通知单): one per unit and billing period, or an opening balance
    brought in from the previous system. ``paid`` is the sum of its allocations, kept on the
    row under a row lock; the database refuses a notice credited beyond its total."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly notice")
        OPENING = "opening", _("Opening balance")

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="fee_notices")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="fee_notices")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MONTHLY)
    period = models.DateField(_("period"))  # the first day of the billed month
    number = models.CharField(_("notice number"), max_length=40)
    issued_at = models.DateTimeField(_("issued"))
    due_date = models.DateField(_("due date"))
    total = models.DecimalField(_("total"), **AMOUNT)
    paid = models.DecimalField(_("paid"), default=0, **AMOUNT)
    settled = models.BooleanField(default=False)  # paid == total: the dunning sweep skips it
    arrears_before = models.DecimalField(_("earlier arrears"), default=0, **AMOUNT)
    dunning_step = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fee notice")
        verbose_name_plural = _("fee notices")
        constraints = [
            # Generation is idempotent because of this: one monthly notice per unit and period.
            models.UniqueConstraint(
                fields=["unit", "period"],
                condition=Q(kind="monthly"),
                name="fee_notice_one_per_unit_period",
            ),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(kind="opening"), name="fee_notice_one_opening"
            ),
            models.UniqueConstraint(fields=["property", "number"], name="fee_notice_number"),
            models.CheckConstraint(condition=Q(total__gte=0), name="fee_notice_total"),
            # Never credited beyond what is billed, whatever two clerks do at once.
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(paid__lte=F("total")), name="fee_notice_paid_range"
            ),
        ]
        indexes = [
            models.Index(fields=["property", "period"], name="fee_notice_period"),
            models.Index(fields=["unit", "period"], name="fee_notice_unit"),
            # The dunning sweep and the arrears list read only what is still owed.
            models.Index(fields=["due_date"], name="fee_notice_owed", condition=Q(settled=False)),
        ]

    def __str__(self) -> str:
        return self.number

    @builtins.property  # (a plain @property would be the "property" field here)
    def outstanding(self):
        return self.total - self.paid


class FeeNoticeLine(models.Model):
    notice = models.ForeignKey(FeeNotice, on_delete=models.PROTECT, related_name="lines")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, null=True, blank=True)
    description = models.CharField(_("item"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(_("price"), max_digits=12, decimal_places=4)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    repair = models.ForeignKey(
        "tickets.RepairOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    charge = models.OneToOneField(
        Charge, on_delete=models.PROTECT, null=True, blank=True, related_name="line"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            # A paid repair is billed once.
            models.UniqueConstraint(
                fields=["repair"], condition=Q(repair__isnull=False), name="fee_line_repair_once"
            ),
        ]

    def __str__(self) -> str:
        return self.description


class BillingRun(models.Model):
    """One month's generation for a property: what it made, and whether it finished. A run
    that crashed part-way is simply run again: units that have their notice are skipped."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="billing_runs")
    period = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    made = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    total = models.DecimalField(default=0, **AMOUNT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["property", "period"], name="billing_run_once")
        ]

    def __str__(self) -> str:
        return f"{self.property} {self.period:%Y-%m}"


class Payment(models.Model):
    """Money received at the desk, with its receipt number. For cash the three figures said
    aloud (唱收唱付): what was due, what was received, the change. What is not applied to a
    notice stays on the unit as credit."""

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")
        BANK = "bank", _("Bank transfer")
        CARD = "card", _("Card")

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="payments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="payments")
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    number = models.CharField(_("receipt number"), max_length=20)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    total_due = models.DecimalField(_("total due"), **AMOUNT)
    amount = models.DecimalField(_("amount paid"), **AMOUNT)
    received = models.DecimalField(_("received"), **AMOUNT)
    change = models.DecimalField(_("change"), **AMOUNT)
    idempotency_key = models.CharField(max_length=64, unique=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField()
    voided = models.BooleanField(default=False)
    refunded = models.DecimalField(default=0, **AMOUNT)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["property", "number"], name="payment_receipt_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=Q(received=F("amount") + F("change")) & Q(change__gte=0),
                name="payment_received_is_amount_plus_change",
            ),
            models.CheckConstraint(
                condition=Q(refunded__gte=0) & Q(refunded__lte=F("amount")),
                name="payment_refund_range",
            ),
        ]
        indexes = [models.Index(fields=["unit", "-received_at"], name="payment_unit")]

    def __str__(self) -> str:
        return self.number


class Allocation(models.Model):
    """Part of a payment applied to a notice; a reversal (void, refund) is a negative row."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    notice = models.ForeignKey(FeeNotice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(**AMOUNT)
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.payment} → {self.notice} {self.amount}"


class PaymentAdjustment(models.Model):
    """A void (the whole payment) or a refund (part of it), asked for with a reason and
    carried out only when a supervisor approves it."""

    class Kind(models.TextChoices):
        VOID = "void", _("Void")
        REFUND = "refund", _("Refund")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="adjustments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="adjustment_positive"),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(status="pending"), name="adjustment_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.payment}"


class DunningStage(models.Model):
    """One step of the property's dunning (催缴): a reminder notice, a phone call in the
    callback queue, a formal letter; taken once per notice, so many days after the due date."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder notice")
        PHONE = "phone", _("Phone call")
        LETTER = "letter", _("Formal dunning letter")

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="dunning_stages")
    step = models.PositiveSmallIntegerField(_("step"), validators=[MinValueValidator(1)])
    kind = models.CharField(_("action"), max_length=10, choices=Kind.choices)
    days_overdue = models.PositiveSmallIntegerField(_("days after the due date"))

    class Meta:
        ordering = ["property", "step"]
        constraints = [
            models.UniqueConstraint(fields=["property", "step"], name="dunning_stage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.step}. {self.get_kind_display()}"


class DunningAction(models.Model):
    """A dunning step taken for a notice; once per notice and step."""

    notice = models.ForeignKey(FeeNotice, on_delete=models.PROTECT, related_name="dunning")
    step = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=DunningStage.Kind.choices)
    at = models.DateTimeField()
    outstanding = models.DecimalField(**AMOUNT)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "step"], name="dunning_once_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.notice} {self.step}"
