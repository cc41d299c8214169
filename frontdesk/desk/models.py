"""The desk's own day: visitors, phone messages, parcels, keys, lost and found, goods release
passes, decoration, the shift handover and the daily ledger. These records belong to the
frontdesk app (its AppConfig loads this module with the core's models)."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontdesk.models import Department, Property, Resident, Unit, User


class IdType(models.TextChoices):
    ID_CARD = "id_card", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Home-return permit")
    DRIVING = "driving", _("Driving licence")
    OTHER = "other", _("Other")


last_four_validator = RegexValidator(
    r"^[0-9A-Za-z]{4}$", _("Only the last four characters of the document, letters or digits.")
)


class Visitor(models.Model):
    """A visitor at the desk (访客登记): who, visiting whom, why, the document's last four
    characters only, in and out. A resident may announce one in advance for a day."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="visitors")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="visitors"
    )
    visiting = models.CharField(_("visiting (person or company)"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    id_type = models.CharField(_("document"), max_length=10, choices=IdType.choices, blank=True)
    id_last4 = models.CharField(
        _("last four characters"), max_length=4, blank=True, validators=[last_four_validator]
    )
    expected_on = models.DateField(_("expected on"), null=True, blank=True)
    announced_by = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="announced"
    )
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    registered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_at__isnull=True)
                | Q(arrived_at__isnull=False, left_at__gte=models.F("arrived_at")),
                name="visitor_leaves_after_arriving",
            ),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=False) | Q(expected_on__isnull=False),
                name="visitor_arrived_or_expected",
            ),
        ]
        indexes = [
            models.Index(fields=["property", "expected_on"], name="visitor_expected"),
            models.Index(fields=["property", "-arrived_at"], name="visitor_arrived"),
        ]

    def __str__(self) -> str:
        return self.name


class PhoneMessage(models.Model):
    """A message taken for somebody (留言): a resident, a staff member or a department. The
    recipient is told through the outbox and marks it read."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="messages")
    caller_name = models.CharField(_("caller"), max_length=60)
    caller_phone = models.CharField(_("caller's phone"), max_length=20, blank=True)
    text = models.TextField(_("message"))
    for_resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    for_user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    for_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    taken_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("phone message")
        verbose_name_plural = _("phone messages")
        constraints = [
            # Exactly one recipient.
            models.CheckConstraint(
                condition=Q(for_resident__isnull=False, for_user=None, for_department=None)
                | Q(for_resident=None, for_user__isnull=False, for_department=None)
                | Q(for_resident=None, for_user=None, for_department__isnull=False),
                name="message_one_recipient",
            ),
        ]
        indexes = [
            models.Index(
                fields=["property", "taken_at"], name="message_unread", condition=Q(read_at=None)
            )
        ]

    def __str__(self) -> str:
        return f"{self.caller_name}: {self.text[:30]}"


class Parcel(models.Model):
    """Mail or a parcel kept at the desk until the resident collects it."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="parcels")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="parcels")
    recipient_name = models.CharField(_("recipient"), max_length=60, blank=True)
    carrier = models.CharField(_("carrier"), max_length=40)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    shelf = models.CharField(_("shelf"), max_length=20)
    pickup_code = models.CharField(_("pickup code"), max_length=6)
    received_at = models.DateTimeField(pgettext_lazy("parcel", "received"))
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reminded_at = models.DateTimeField(null=True, blank=True)
    collected_at = models.DateTimeField(_("collected"), null=True, blank=True)
    collected_by_name = models.CharField(_("collected by"), max_length=60, blank=True)
    collected_with = models.CharField(max_length=10, blank=True)  # "code" or "signature"
    signature = models.ImageField(upload_to="signatures/parcels/", blank=True)
    handed_over_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        indexes = [
            models.Index(
                fields=["property", "received_at"],
                name="parcel_waiting",
                condition=Q(collected_at=None),
            ),
            models.Index(fields=["unit", "collected_at"], name="parcel_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class KeyDeposit(models.Model):
    """A key left with the desk (钥匙委托管理): whose, who may collect it, and where it is
    now. ``is_out`` changes only together with a movement row, under a row lock."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="keys")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="keys")
    label = models.CharField(_("key tag"), max_length=20)
    description = models.CharField(_("which keys"), max_length=100)
    deposited_by = models.CharField(_("deposited by"), max_length=60)
    deposited_at = models.DateTimeField()
    authorised = models.TextField(_("who may collect it"))
    is_out = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)  # given back to the owner for good

    class Meta:
        verbose_name = _("key in custody")
        verbose_name_plural = _("keys in custody")
        constraints = [
            models.UniqueConstraint(
                fields=["property", "label"],
                condition=Q(withdrawn_at=None),
                name="key_tag_unique_while_held",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.unit}"


class KeyMovement(models.Model):
    class Kind(models.TextChoices):
        OUT = "out", _("Handed out")
        IN = "in", _("Returned")

    key = models.ForeignKey(KeyDeposit, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=3, choices=Kind.choices)
    at = models.DateTimeField()
    person = models.CharField(_("person"), max_length=60)
    signature = models.ImageField(upload_to="signatures/keys/", blank=True)
    signed_name = models.CharField(_("signed by"), max_length=60)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.key} {self.kind}"


class LostItem(models.Model):
    """Lost and found (失物招领)."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="lost_items")
    description = models.CharField(_("what"), max_length=200)
    found_where = models.CharField(_("found where"), max_length=100)
    found_at = models.DateTimeField(_("found"))
    found_by = models.CharField(_("found by"), max_length=60)
    stored_where = models.CharField(_("kept where"), max_length=60)
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=60, blank=True)
    claimant_id_last4 = models.CharField(
        _("last four characters"), max_length=4, blank=True, validators=[last_four_validator]
    )
    handed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lost item")
        verbose_name_plural = _("lost and found")

    def __str__(self) -> str:
        return self.description


class ReleasePass(models.Model):
    """A goods release pass (物品出入放行): items leaving the estate, approved by a resident of
    the unit before security lets them out."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Waiting for the resident")
        APPROVED = "approved", _("Approved by the resident")
        REFUSED = "refused", _("Refused by the resident")
        RELEASED = "released", _("Let out by security")

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="passes")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="passes")
    carrier_name = models.CharField(_("who carries the items"), max_length=60)
    items = models.TextField(_("items"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("goods release pass")
        verbose_name_plural = _("goods release passes")

    def __str__(self) -> str:
        return f"{self.unit} {self.items[:30]}"


class DecorationApplication(models.Model):
    """A decoration application (装修申请): applied, first review, permit, rectification."""

    class State(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REVIEWED = "reviewed", _("Passed first review")
        REJECTED = "rejected", _("Rejected")
        PERMITTED = "permitted", _("Permit issued")
        RECTIFYING = "rectifying", _("Rectification required")
        FINISHED = "finished", _("Finished")

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="decorations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="decorations")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="decorations")
    contractor = models.CharField(_("contractor"), max_length=100)
    contractor_phone = models.CharField(_("contractor's phone"), max_length=20)
    work = models.TextField(_("work planned"))
    starts = models.DateField(_("from"))
    ends = models.DateField(_("until"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.APPLIED)
    applied_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    permit_number = models.CharField(_("permit number"), max_length=20, blank=True)
    permitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("decoration application")
        verbose_name_plural = _("decoration applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="decoration_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.contractor}"


class RectificationNotice(models.Model):
    application = models.ForeignKey(
        DecorationApplication, on_delete=models.PROTECT, related_name="rectifications"
    )
    issue = models.TextField(_("what must be put right"))
    deadline = models.DateField(_("by"))
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return self.issue[:40]


class ShiftHandover(models.Model):
    """The shift's handover (交接班记录): what it did is drawn from the day's records when the
    page is shown; what is pending for the next shift is written here."""

    class Shift(models.TextChoices):
        DAY = "day", _("Day shift")
        EVENING = "evening", _("Evening shift")
        NIGHT = "night", _("Night shift")

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="handovers")
    day = models.DateField(_("day"))
    shift = models.CharField(_("shift"), max_length=10, choices=Shift.choices)
    handed_over_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    handed_over_at = models.DateTimeField()
    done = models.JSONField(default=dict)  # the counts drawn from the day's records, as handed over
    pending = models.TextField(_("pending for the next shift"), blank=True)
    taken_over_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    taken_over_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("shift handover")
        verbose_name_plural = _("shift handovers")
        constraints = [
            models.UniqueConstraint(
                fields=["property", "day", "shift"], name="handover_once_per_shift"
            )
        ]

    def __str__(self) -> str:
        return f"{self.property} {self.day} {self.shift}"


class DailyLedger(models.Model):
    """The day's work ledger (工作台帐), signed by the supervisor at the end of the day."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="ledgers")
    day = models.DateField(_("day"))
    totals = models.JSONField(default=dict)  # the day's figures as signed
    note = models.TextField(_("supervisor's note"), blank=True)
    signed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("daily work ledger")
        verbose_name_plural = _("daily work ledgers")
        constraints = [
            models.UniqueConstraint(fields=["property", "day"], name="ledger_signed_once")
        ]

    def __str__(self) -> str:
        return f"{self.property} {self.day}"
