"""Repair orders (报修 → 工程维修单): their states, price list, quote lines, photos, payments
and the timeline of events that is their audit trail."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontdesk.models import Department, Property, Resident, Unit


class PriceItem(models.Model):
    """One line of the property's repair price list (维修服务项目表及收费标准)."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="price_items")
    name = models.CharField(_("item"), max_length=100)
    unit = models.CharField(pgettext_lazy("measure", "unit"), max_length=20)
    price = models.DecimalField(
        _("price (yuan)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list")
        ordering = ["property", "name"]
        constraints = [
            models.UniqueConstraint(fields=["property", "name"], name="price_item_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_item_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.price}/{self.unit})"


class RepairOrder(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        AWAITING_AGREEMENT = "awaiting_agreement", _("Awaiting agreement")
        DISPATCHED = "dispatched", _("Dispatched")
        ACCEPTED = "accepted", _("Accepted")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")
        REOPENED = "reopened", _("Reopened")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        WALK_IN = "walk_in", _("Walk-in")
        ONLINE = "online", _("Online")

    class Category(models.TextChoices):
        WATER = "water", _("Water")
        ELECTRICITY = "electricity", _("Electricity")
        DOORS = "doors", _("Doors and locks")
        AIR_CONDITIONING = "air_conditioning", _("Air conditioning")
        LIFT = "lift", _("Lift")
        PUBLIC_AREA = "public_area", _("Public area")
        OTHER = "other", _("Other")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    class AgreedVia(models.TextChoices):
        DESK = "desk", _("At the desk")
        PHONE = "phone", _("By phone")
        PORTAL = "portal", _("In the portal")

    class SignOff(models.TextChoices):
        ON_SITE = "on_site", _("Signed on site")
        PORTAL = "portal", _("Confirmed in the portal")
        PHONE = "phone", _("Confirmed by phone")

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="repairs")
    number = models.CharField(_("order number"), max_length=20, editable=False)
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="repairs"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="repairs"
    )
    is_public_area = models.BooleanField(_("public area"), default=False)
    location = models.CharField(_("where exactly"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField(_("what is broken"))
    preferred_times = models.CharField(
        _("times that suit the resident"), max_length=200, blank=True
    )
    address_confirmed = models.BooleanField(_("address confirmed with the caller"), default=False)
    appointment_start = models.DateTimeField(_("appointment from"), null=True, blank=True)
    appointment_end = models.DateTimeField(_("appointment until"), null=True, blank=True)
    chargeable = models.BooleanField(_("chargeable"), default=False)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_via = models.CharField(max_length=20, choices=AgreedVia.choices, blank=True)
    agreed_total = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="repairs"
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repairs_assigned",
    )
    received_at = models.DateTimeField(_("received at"))
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resident_materials = models.TextField(_("materials supplied by the resident"), blank=True)
    materials_inspection = models.TextField(_("inspection of those materials"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    work_done = models.TextField(_("what was done"), blank=True)
    advice = models.TextField(_("advice to the resident"), blank=True)
    signed_name = models.CharField(_("signed by"), max_length=60, blank=True)
    signature = models.ImageField(upload_to="signatures/", blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_via = models.CharField(max_length=10, choices=SignOff.choices, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("repair order")
        verbose_name_plural = _("repair orders")
        constraints = [
            models.UniqueConstraint(fields=["property", "number"], name="repair_number_unique"),
            # A public-area repair is never charged to a resident.
            models.CheckConstraint(
                condition=~(Q(is_public_area=True) & Q(chargeable=True)),
                name="repair_public_area_not_chargeable",
            ),
            models.CheckConstraint(
                condition=Q(appointment_end__isnull=True)
                | Q(appointment_end__gt=models.F("appointment_start")),
                name="repair_appointment_ends_after_start",
            ),
        ]
        indexes = [
            # Staff lists page by keyset on (received_at, id), newest first, per property.
            models.Index(fields=["property", "-received_at", "-id"], name="repair_list"),
            models.Index(fields=["property", "state", "-received_at"], name="repair_state"),
            models.Index(fields=["engineer", "state"], name="repair_engineer"),
            # Newest first across properties (measured by `make bench`): the list, the API and
            # the keyset pages are scoped by "property IN (the user's properties)", a
            # semi-join, so PostgreSQL cannot walk repair_list in order through it; it sorted
            # every order of the property instead (1.2 s a page at 1M orders). Walking this
            # index newest first and keeping the user's properties' rows reads about one
            # page's worth per property share (2 ms).
            models.Index(fields=["-received_at", "-id"], name="repair_newest"),
            # The daily review's "completed that day", without reading the property's history.
            models.Index(
                fields=["property", "completed_at"],
                name="repair_completed",
                condition=Q(completed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @cached_property
    def other_contact_phone(self) -> str:
        """The number given at intake, unless it is already one of the resident's phones
        (uses the prefetched phones: no query on a list)."""
        digits = "".join(ch for ch in self.contact_phone if ch.isdigit())
        if not digits:
            return ""
        if self.resident_id and any(p.digits == digits for p in self.resident.phones.all()):
            return ""
        return self.contact_phone

    @cached_property  # (a plain @property would be the "property" field here)
    def place(self) -> str:
        if self.is_public_area or self.unit_id is None:
            return self.location
        return f"{self.unit.label} {self.location}".strip()


class RepairLine(models.Model):
    """A fee item on the order: quoted before dispatch, or actually used on completion."""

    class Stage(models.TextChoices):
        QUOTED = "quoted", _("Quoted")
        USED = "used", _("Used")

    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="lines")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    price_item = models.ForeignKey(PriceItem, on_delete=models.PROTECT, null=True, blank=True)
    name = models.CharField(_("item"), max_length=100)
    unit = models.CharField(pgettext_lazy("measure", "unit"), max_length=20)
    unit_price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("9999"))],
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="repair_line_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class RepairPhoto(models.Model):
    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="repairs/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class RepairPayment(models.Model):
    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")
        BANK = "bank", _("Bank transfer")
        CARD = "card", _("Card")

    order = models.ForeignKey(RepairOrder, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(
        _("amount"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    # One payment per key: the form sent twice, or the API call repeated, records it once.
    idempotency_key = models.CharField(max_length=64, unique=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repair_payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.amount}"


class RepairEvent(models.Model):
    """The order's timeline: every service call appends one row."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Request received")
        QUOTED = "quoted", _("Quote given")
        AGREED = "agreed", _("Resident agreed to the price")
        DISPATCHED = "dispatched", _("Dispatched")
        ACCEPTED = "accepted", _("Accepted by the engineer")
        MATERIALS = "materials", _("Resident's materials inspected")
        COMPLETED = "completed", _("Repair completed")
        SIGNED_OFF = "signed_off", _("Resident signed off")
        PAID = "paid", _("Payment recorded")
        CALLBACK = "callback", _("Callback")
        CALLBACK_OVERDUE = "callback_overdue", _("Callback overdue")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")
        REOPENED = "reopened", _("Reopened")

    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=RepairOrder.State.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order} {self.kind}"


# --- complaints (投诉) ----------------------------------------------------------------------


class Complaint(models.Model):
    """A complaint or suggestion: received, sent to the responsible department by a service
    order (服务单), fixed (within the fix window when it hurts the complainant directly),
    answered within three days, called back until the complainant is satisfied, and archived
    with its corrective action report and summary. Its deadlines live on the row."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        SUGGESTION = "suggestion", _("Suggestion")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        WALK_IN = "walk_in", _("Face to face")
        LETTER = "letter", _("Letter")
        ONLINE = "online", _("Online")
        OTHER = "other", _("Other")

    class Category(models.TextChoices):
        AIR_CONDITIONING = "air_conditioning", _("Equipment: air conditioning")
        LIGHTING = "lighting", _("Equipment: lighting")
        WATER_POWER = "water_power", _("Equipment: water and power supply")
        LIFT = "lift", _("Equipment: lift")
        ATTITUDE = "attitude", _("Service attitude")
        QUALITY = "quality", _("Service quality")
        INCIDENT = "incident", _("Sudden incident")
        OTHER = "other", _("Other")

    class Temperament(models.TextChoices):
        RATIONAL = "rational", _("Rational")
        DISAPPOINTED = "disappointed", _("Disappointed")
        ANGRY = "angry", _("Angry")

    class ReplyVia(models.TextChoices):
        PHONE = "phone", _("By phone")
        VISIT = "visit", _("In person")
        SMS = "sms", _("By SMS")
        LETTER = "letter", _("Written reply")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        DISPATCHED = "dispatched", _("With the department")
        RESOLVED = "resolved", _("Resolved")
        REOPENED = "reopened", pgettext_lazy("complaint", "Reopened")
        CONFIRMED = "confirmed", _("Called back")
        ARCHIVED = "archived", _("Archived")

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="complaints")
    number = models.CharField(_("complaint number"), max_length=20, editable=False)
    kind = models.CharField(
        _("complaint or suggestion"), max_length=12, choices=Kind.choices, default=Kind.COMPLAINT
    )
    channel = models.CharField(
        pgettext_lazy("complaint", "channel"), max_length=10, choices=Channel.choices
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    complainant_name = models.CharField(_("complainant"), max_length=60)
    complainant_company = models.CharField(_("company"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    happened_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    description = models.TextField(_("what happened"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    direct_impact = models.BooleanField(_("affects the complainant directly"), default=False)
    temperament = models.CharField(
        _("temperament"), max_length=12, choices=Temperament.choices, blank=True
    )
    answered_on_spot = models.BooleanField(_("answered on the spot"), default=False)
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_owned",
        verbose_name=_("followed by"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("responsible department"),
    )
    service_order = models.TextField(_("service order to the department"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dispatched_at = models.DateTimeField(_("sent to the department at"), null=True, blank=True)
    # The fix window and the same-day ladder apply to direct-impact complaints only.
    fix_due_at = models.DateTimeField(_("fix due"), null=True, blank=True)
    day_ends_at = models.DateTimeField(null=True, blank=True)
    expected_fix_at = models.DateTimeField(
        _("expected fix told to the complainant"), null=True, blank=True
    )
    cannot_solve_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    first_resolved_at = models.DateTimeField(null=True, blank=True)
    # Set at the first resolution of a direct-impact complaint: the 2-hour target's figure.
    fixed_in_window = models.BooleanField(null=True, blank=True)
    resolution = models.TextField(_("how it was handled"), blank=True)
    reply_due_at = models.DateTimeField(_("reply due"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reply_via = models.CharField(
        _("replied how"), max_length=10, choices=ReplyVia.choices, blank=True
    )
    reply_text = models.TextField(_("what was said"), blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    summary_cause = models.TextField(_("what caused it"), blank=True)
    summary_lessons = models.TextField(_("what was learned"), blank=True)
    summary_changes = models.TextField(_("what changes"), blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.UniqueConstraint(fields=["property", "number"], name="complaint_number_unique"),
        ]
        indexes = [
            # The register pages by keyset on (received_at, id), newest first, per property.
            models.Index(fields=["property", "-received_at", "-id"], name="complaint_list"),
            models.Index(fields=["property", "state", "-received_at"], name="complaint_state"),
            # Newest first across properties, for the register's pages (measured by `make
            # bench`): scoped by "property IN (the user's properties)", a semi-join that
            # cannot use complaint_list's order, the register sorted every complaint of the
            # property (0.8 s a page at 1M complaints); walking this index takes 5 ms.
            models.Index(fields=["-received_at", "-id"], name="complaint_newest"),
            # The sweep's two ladders hold only complaints still waiting for a fix.
            models.Index(
                fields=["fix_due_at"],
                name="complaint_fix_clock",
                condition=Q(resolved_at__isnull=True, fix_due_at__isnull=False),
            ),
            models.Index(
                fields=["day_ends_at"],
                name="complaint_day_clock",
                condition=Q(resolved_at__isnull=True, day_ends_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @cached_property  # (a plain @property would be the "property" field here)
    def is_letter(self) -> bool:
        return self.channel == self.Channel.LETTER


class Escalation(models.Model):
    """One step up the ladder: to the department manager when the fix window passes, to the
    project manager when the local day ends unsolved (or the department cannot solve it).
    At most one per complaint and level, enforced by the database."""

    class Level(models.TextChoices):
        DEPARTMENT_MANAGER = "department_manager", _("Department manager")
        PROJECT_MANAGER = "project_manager", _("Project manager")

    class Reason(models.TextChoices):
        FIX_WINDOW = "fix_window", _("Not fixed within the fix window")
        END_OF_DAY = "end_of_day", _("Not solved the same day")
        CANNOT_SOLVE = "cannot_solve", _("The department cannot solve it")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="escalations")
    level = models.CharField(_("escalated to"), max_length=20, choices=Level.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "level"], name="escalation_once_per_level")
        ]
        indexes = [
            models.Index(
                fields=["at"],
                name="escalation_unacknowledged",
                condition=Q(acknowledged_at__isnull=True),
            ),
            # Reports: those raised on a day, and those acknowledged after a past moment (not
            # acknowledged yet at that moment), each a range instead of the whole history.
            models.Index(fields=["at"], name="escalation_at"),
            models.Index(
                fields=["acknowledged_at"],
                name="escalation_acknowledged",
                condition=Q(acknowledged_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint} → {self.get_level_display()}"


class WrittenReply(models.Model):
    """The written reply a letter complaint gets (also available for any other): drafted from
    the complaint, edited, then issued; once issued it is kept as it was sent."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.PROTECT, related_name="written_reply"
    )
    body = models.TextField(_("letter"))
    drafted_at = models.DateTimeField()
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("written reply")
        verbose_name_plural = _("written replies")

    def __str__(self) -> str:
        return f"{self.complaint}"


class CorrectiveAction(models.Model):
    """The corrective / preventive action report (纠正/预防措施报告) the responsible
    department files once the complaint is resolved."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.PROTECT, related_name="corrective_action"
    )
    cause = models.TextField(_("cause"))
    correction = models.TextField(_("correction"))
    prevention = models.TextField(_("prevention"))
    owner = models.CharField(_("owner"), max_length=60)
    due_date = models.DateField(_("due date"))
    filed_at = models.DateTimeField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("corrective action report")
        verbose_name_plural = _("corrective action reports")

    def __str__(self) -> str:
        return f"{self.complaint}"


class ComplaintEvent(models.Model):
    """The complaint's timeline, which is also the complaint register's audit trail."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Complaint received")
        HANDED_OVER = "handed_over", _("Handed to the assistant")
        DISPATCHED = "dispatched", _("Service order sent")
        EXPECTED = "expected", _("Expected fix time told")
        ACTION = "action", _("Department's action")
        CANNOT_SOLVE = "cannot_solve", _("Marked as cannot solve")
        ESCALATED = "escalated", _("Escalated")
        ACKNOWLEDGED = "acknowledged", _("Escalation acknowledged")
        RESOLVED = "resolved", _("Resolved")
        REPLIED = "replied", _("Reply given")
        LETTER_ISSUED = "letter_issued", _("Written reply issued")
        REPLY_OVERDUE = "reply_overdue", _("Reply overdue")
        CALLBACK = "callback", _("Callback")
        CALLBACK_OVERDUE = "callback_overdue", _("Callback overdue")
        REOPENED = "reopened", pgettext_lazy("complaint", "Reopened")
        CONFIRMED = "confirmed", _("Callback concluded")
        CORRECTIVE = "corrective", _("Corrective action report filed")
        ARCHIVED = "archived", _("Archived")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=12, choices=Complaint.State.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint} {self.kind}"
