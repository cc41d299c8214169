"""Core records: properties and their places, people, departments, staff roles, the outbox."""

import zoneinfo
from datetime import date, datetime

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Right
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontdesk.clock import RestDays, local_date
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

    def today(self, now: datetime | None = None) -> date:
        """The property's local date at `now` (by default, now): the one way to ask it."""
        return local_date(now or timezone.now(), self.zone)

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
        return self.label_of(self.building.number, self.number)

    @staticmethod
    def label_of(building_number: str, number: str) -> str:
        """A unit's label from its building's number and its own (a lean list has no unit)."""
        return f"{building_number}-{number}"


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
        # The lookup finds an archive number by its start (the move-in day, YYMMDD); with a
        # collation other than C only a pattern index answers LIKE 'prefix%'. The trigram
        # indexes on the name and the company are PostgreSQL's only (migration 0009).
        indexes = [
            models.Index(
                fields=["archive_number"],
                name="resident_archive_prefix",
                opclasses=["varchar_pattern_ops"],
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
    # "尾号5678": the desk's most common question, answered by equality on its own index.
    last_four = models.GeneratedField(
        expression=Right("digits", 4),
        output_field=models.CharField(max_length=4),
        db_persist=True,
    )
    label = models.CharField(
        _("label"), max_length=30, blank=True, help_text=_("Mobile, home, office...")
    )
    answered_by = models.CharField(_("also answered by"), max_length=60, blank=True)
    relation = models.CharField(_("their relation"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        ordering = ["id"]
        # Any other part of the digits: a trigram index on PostgreSQL (migration 0009).
        indexes = [models.Index(fields=["last_four"], name="phone_last_four")]

    def __str__(self) -> str:
        return self.masked

    @property
    def masked(self) -> str:
        """138****5678: the middle digits hidden until a clerk opens them."""
        return self.mask(self.digits)

    @staticmethod
    def mask(d: str) -> str:
        """A number's digits masked (a lean list has no phone object)."""
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
    # The record the message is about (a complaint, a phone message, a pass), so the message
    # is found again by what it is about, never by its link.
    about_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")

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
            models.Index(fields=["about_type", "about_id"], name="notification_about"),
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
