"""Core records: properties and their places, people, departments, staff roles, the outbox."""

import zoneinfo
from datetime import date

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontdesk.clock import RestDays
from frontdesk.holidays import rest_days_from

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones())

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 -]{4,19}$",
    _("Enter a phone number of digits, optionally with +, spaces or dashes."),
)


class User(AbstractUser):
    """A person who signs in: staff by username, residents by their phone number."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Property(models.Model):
    class HolidayCalendar(models.TextChoices):
        CHINA = "cn", _("China's statutory holidays (kept per property)")
        NONE = "none", _("Plain calendar days")

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    service_phone = models.CharField(_("service centre phone"), max_length=30, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Asia/Shanghai"
    )
    holiday_calendar = models.CharField(
        _("holiday calendar"),
        max_length=8,
        choices=HolidayCalendar.choices,
        default=HolidayCalendar.CHINA,
    )
    repair_callback_hours = models.PositiveSmallIntegerField(
        _("repair callback window (hours)"), default=72, validators=[MinValueValidator(1)]
    )
    complaint_reply_days = models.PositiveSmallIntegerField(
        _("complaint reply window (days)"), default=3, validators=[MinValueValidator(1)]
    )
    complaint_callback_days = models.PositiveSmallIntegerField(
        _("complaint callback window (days)"), default=3, validators=[MinValueValidator(1)]
    )
    direct_fix_minutes = models.PositiveSmallIntegerField(
        _("direct-impact fix window (minutes)"), default=120, validators=[MinValueValidator(1)]
    )
    billing_day = models.PositiveSmallIntegerField(
        _("billing day of the month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    payment_due_days = models.PositiveSmallIntegerField(
        _("days to pay a fee notice"), default=15, validators=[MinValueValidator(1)]
    )
    message_read_minutes = models.PositiveSmallIntegerField(
        _("a phone message must be read within (minutes)"),
        default=120,
        validators=[MinValueValidator(1)],
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("daily digest e-mail at (local hour)"),
        default=8,
        validators=[MaxValueValidator(23)],
    )
    parcel_reminder_days = models.PositiveSmallIntegerField(
        _("remind about an uncollected parcel after (days)"),
        default=3,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(repair_callback_hours__gt=0)
                & Q(complaint_reply_days__gt=0)
                & Q(complaint_callback_days__gt=0)
                & Q(direct_fix_minutes__gt=0),
                name="property_windows_positive",
            ),
            # The 28th at the latest: every month has that day.
            models.CheckConstraint(
                condition=Q(billing_day__gte=1, billing_day__lte=28), name="property_billing_day"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def rest_days(self) -> RestDays | None:
        """The rest days the business clock counts with; None for plain calendar days."""
        if self.holiday_calendar == self.HolidayCalendar.NONE:
            return None
        rows = self.holidays.values_list("day", "is_workday")
        return rest_days_from(rows, self.holiday_years.values_list("year", flat=True))


class HolidayYear(models.Model):
    """A year whose holidays this property has entered (or taken from the library)."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="holiday_years")
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("holiday year")
        verbose_name_plural = _("holiday years")
        constraints = [
            models.UniqueConstraint(fields=["property", "year"], name="holiday_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.property} {self.year}"


class Holiday(models.Model):
    """A statutory holiday (rest) or a make-up working day (调休) of one property."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="holidays")
    day = models.DateField(_("day"))
    is_workday = models.BooleanField(_("make-up working day"), default=False)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["property", "day"], name="holiday_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class Building(models.Model):
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="buildings")
    number = models.CharField(_("building number"), max_length=20)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["property", "number"]
        constraints = [
            models.UniqueConstraint(fields=["property", "number"], name="building_unique")
        ]

    def __str__(self) -> str:
        return self.name or _("Building %(number)s") % {"number": self.number}


class Unit(models.Model):
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units")
    floor = models.SmallIntegerField(_("floor"))
    number = models.CharField(_("unit number"), max_length=20)
    area_m2 = models.DecimalField(
        _("area (m²)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="unit_unique"),
            models.CheckConstraint(condition=Q(area_m2__gte=0), name="unit_area_not_negative"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The way the desk says a room: building-unit, "2-1503"."""
        return f"{self.building.number}-{self.number}"


class Department(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER_SERVICE = "customer_service", _("Customer service")
        ENGINEERING = "engineering", _("Engineering")
        SECURITY = "security", _("Security")
        CLEANING = "cleaning", _("Cleaning")
        FINANCE = "finance", _("Finance")
        LEASING = "leasing", _("Leasing")
        OTHER = "other", _("Other")

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="departments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["property", "name"]
        constraints = [
            models.UniqueConstraint(fields=["property", "name"], name="department_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CLERK = "clerk", _("Front-desk clerk")
    ASSISTANT = "assistant", _("Customer-service assistant")
    SUPERVISOR = "supervisor", _("Supervisor")
    DEPARTMENT_MANAGER = "department_manager", _("Department manager")
    ENGINEER = "engineer", _("Engineer")
    FINANCE = "finance", _("Finance clerk")
    PROJECT_MANAGER = "project_manager", _("Project manager")


class Membership(models.Model):
    """A staff member's role at one property: what they may see and do there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "property", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.property} · {self.get_role_display()}"


class Resident(models.Model):
    class Kind(models.TextChoices):
        OWNER = "owner", _("Owner")
        TENANT = "tenant", _("Tenant")
        OCCUPANT = "occupant", _("Occupant")

    class Language(models.TextChoices):
        MANDARIN = "zh-hans", _("Mandarin")
        CANTONESE = "yue", _("Cantonese")
        ENGLISH = "en", _("English")
        OTHER = "other", _("Other")

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="residents")
    units = models.ManyToManyField(Unit, related_name="residents", verbose_name=_("units"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    company = models.CharField(_("company"), max_length=100, blank=True)
    best_time_to_call = models.CharField(_("best time to call"), max_length=60, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=Language.choices, default="zh-hans"
    )
    email = models.EmailField(_("email"), blank=True)
    move_in_date = models.DateField(_("move-in date"))
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    archive_number = models.CharField(_("archive number"), max_length=9, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residencies",
        verbose_name=_("portal account"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["archive_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["property", "archive_number"], name="resident_archive_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.archive_number})"


class ResidentEvent(models.Model):
    """The resident record's history: who changed what, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Registered")
        UPDATED = "updated", _("Details changed")
        INVITE_ISSUED = "invite_issued", _("Portal activation code issued")
        ACCOUNT_ACTIVATED = "account_activated", _("Portal account activated")
        MOVED_OUT = "moved_out", _("Moved out")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class ResidentPhone(models.Model):
    """A number the resident can be reached on, and who else answers it."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    # Digits only: the desk searches "any part" of a number whatever the caller typed.
    digits = models.CharField(max_length=20, editable=False, db_index=True)
    label = models.CharField(
        _("label"), max_length=30, blank=True, help_text=_("Mobile, home, office...")
    )
    answered_by = models.CharField(_("also answered by"), max_length=60, blank=True)
    relation = models.CharField(_("their relation"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.masked

    @property
    def masked(self) -> str:
        """138****5678: the middle digits hidden until a clerk opens them."""
        d = self.digits
        if len(d) <= 4:
            return d
        keep = 3 if len(d) >= 7 else 1
        return d[:keep] + "*" * (len(d) - keep - 4) + d[-4:]


class DailySequence(models.Model):
    """The last number handed out in one series (archive numbers, repair orders...) for one
    property and day. Every number people read is allocated from here."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE)
    series = models.CharField(max_length=20)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["property", "series", "day"], name="daily_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} {archive_prefix(self.day)} {self.last}"


class PortalInvite(models.Model):
    """An activation code the desk issues so a resident can open a portal account."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="invites")
    code_hash = models.CharField(max_length=128)
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("portal invitation")
        verbose_name_plural = _("portal invitations")

    def __str__(self) -> str:
        return f"{self.resident} {self.issued_at:%Y-%m-%d}"


class Notification(models.Model):
    """Outbox row: written with the change that causes it, delivered by a task or the sweep."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")
        IN_APP = "in_app", _("In-app")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    recipient_resident = models.ForeignKey(
        Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    address = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    link = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The sweep's work list: only undelivered rows are in this index.
            models.Index(
                fields=["created_at"],
                name="notification_undelivered",
                condition=Q(status__in=["pending", "sending"]),
            ),
            # The header's unread in-app notices of one person.
            models.Index(
                fields=["recipient_user", "-created_at"],
                name="notification_unread",
                condition=Q(channel="in_app", read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.subject}"


class SweepRun(models.Model):
    """When each periodic job last ran: a stopped beat must never be silent."""

    name = models.CharField(max_length=50, unique=True)
    last_started_at = models.DateTimeField(null=True)
    last_finished_at = models.DateTimeField(null=True)
    last_result = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.name


def archive_prefix(day: date) -> str:
    return day.strftime("%y%m%d")


# --- the desk's own day (visitors, messages, parcels, keys, passes, decoration, handover) ------


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
