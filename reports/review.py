"""The supervisor's daily review and the daily digest (seed 004: the supervisor watches
complaints, escalations, overdue items and the desk's handovers every day and signs the day).

- ``review_day``: what the review page of one local day shows, in a fixed number of queries
  whatever the rows: the day's complaints (with their fix-window result and escalations), the
  escalations raised that day and those nobody has acknowledged yet, callbacks and replies
  overdue now (with how late), the desk's handovers of the day and its signed ledger.
- ``review_sign``: the supervisor (or project manager) signs the day off once, with a note; the
  figures shown at that moment are kept on the row and shown from then on.
- ``digests_send``: from the minute's sweep; once a property's local hour reaches its
  ``digest_hour``, the day is claimed (a ``DigestRun`` row, unique per property and day) and each
  supervisor / project manager with an e-mail address is sent yesterday's figures through the
  outbox. Claiming and enqueueing happen in one transaction, so two beats at once, or a sweep run
  every minute all morning, send one digest per person and day.

"Now" figures (escalations not acknowledged, overdue callbacks and replies) are counted at the
moment the page is shown, the review signed or the digest written."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontdesk import clock, policy
from frontdesk.desk.models import DailyLedger, ShiftHandover
from frontdesk.models import Notification, Property, User
from frontdesk.outbox import notification_enqueue
from reports.models import DailyReview, DigestRun
from tickets.complaints.records import OPEN
from tickets.models import Complaint, Escalation, RepairOrder
from visits.models import Callback
from visits.views import span_text

# Each list on the page shows at most this many rows (its figure counts them all): a day with a
# flood of overdue callbacks must not turn the page into a download.
LIST_LIMIT = 200
REPLY_KINDS = {Callback.Kind.REPLY, Callback.Kind.COMPLAINT_REPLY}

# The day's figures, in the order the page and the digest show them.
FIGURES = [
    ("complaints_received", gettext_lazy("Complaints received")),
    ("complaints_direct_impact", gettext_lazy("Of which affect the complainant directly")),
    ("complaints_fixed_in_window", gettext_lazy("Fixed within the fix window")),
    ("complaints_missed_window", gettext_lazy("Not fixed within the fix window")),
    ("complaints_waiting", gettext_lazy("Still waiting for a fix")),
    ("escalations_raised", gettext_lazy("Escalations raised")),
    ("escalations_unacknowledged", gettext_lazy("Escalations not acknowledged (now)")),
    ("callbacks_overdue", gettext_lazy("Callbacks overdue (now)")),
    ("replies_overdue", gettext_lazy("Replies overdue (now)")),
    ("repairs_received", gettext_lazy("Repairs received")),
    ("repairs_completed", gettext_lazy("Repairs completed")),
    ("handovers", gettext_lazy("Shift handovers")),
    ("handovers_with_pending", gettext_lazy("Handovers with pending notes")),
    ("handovers_not_taken_over", gettext_lazy("Handovers not taken over")),
    ("ledger_signed", gettext_lazy("Daily work ledger signed")),
    ("review_signed", gettext_lazy("Daily review signed off")),
]

FIX_RESULTS = {
    "in_window": gettext_lazy("Fixed in time"),
    "late": gettext_lazy("Fixed late"),
    "missed": gettext_lazy("Not fixed, window passed"),
    "running": gettext_lazy("Window running"),
}


@dataclass(frozen=True)
class ComplaintRow:
    complaint: Complaint
    fix_result: str  # a FIX_RESULTS key, "" when the fix window does not apply
    escalations: list[Escalation]

    @property
    def fix_label(self) -> str:
        return str(FIX_RESULTS.get(self.fix_result, ""))


@dataclass(frozen=True)
class WaitingRow:
    escalation: Escalation
    waited: str


@dataclass(frozen=True)
class OverdueRow:
    callback: Callback
    what: str
    late: str
    is_reply: bool


@dataclass
class DayReview:
    """Everything the review page of one property and local day shows."""

    property: Property
    day: date
    today: date
    now: datetime
    complaints: list[ComplaintRow] = field(default_factory=list)
    escalations_raised: list[Escalation] = field(default_factory=list)
    escalations_waiting: list[WaitingRow] = field(default_factory=list)
    overdue: list[OverdueRow] = field(default_factory=list)
    handovers: list[ShiftHandover] = field(default_factory=list)
    ledger: DailyLedger | None = None
    review: DailyReview | None = None
    figures: dict = field(default_factory=dict)  # as signed once signed, else from the records
    limit: int = LIST_LIMIT

    @property
    def future(self) -> bool:
        return self.day > self.today

    @property
    def signed(self) -> bool:
        return self.review is not None

    @property
    def figure_rows(self) -> list[tuple[str, str]]:
        return figure_rows(self.figures)


# --- shared helpers ------------------------------------------------------------------------------


def figure_rows(figures: dict) -> list[tuple[str, str]]:
    """(label, value) rows of the known figures present, yes/no for the signed marks."""
    rows = []
    for key, label in FIGURES:
        if key not in figures:
            continue
        value = figures[key]
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        rows.append((str(label), str(value)))
    return rows


def _fix_result(c: Complaint, now: datetime) -> str:
    if not c.direct_impact:
        return ""
    if c.fixed_in_window is True:
        return "in_window"
    if c.fixed_in_window is False:
        return "late"
    if c.fix_due_at is not None and c.fix_due_at <= now:
        return "missed"
    return "running"


def _callback_what(callback: Callback) -> str:
    """How the review names an overdue item: the complaint, order or notice number, or the
    question promised an answer."""
    if callback.complaint_id is not None:
        return callback.complaint.number
    if callback.repair_id is not None:
        return callback.repair.number
    if callback.fee_notice_id is not None:
        return callback.fee_notice.number
    return callback.question[:80]


# --- the figures ---------------------------------------------------------------------------------


def _counted_figures(prop: Property, day: date, now: datetime) -> dict:
    """The figures counted by the database: four aggregate queries, whatever the rows."""
    start, end = clock.local_day_bounds(day, prop.zone)
    direct = Q(direct_impact=True)
    complaints = Complaint.objects.filter(
        property=prop, received_at__gte=start, received_at__lt=end
    ).aggregate(
        received=Count("pk"),
        direct=Count("pk", filter=direct),
        in_window=Count("pk", filter=direct & Q(fixed_in_window=True)),
        missed=Count(
            "pk",
            filter=direct
            & (
                Q(fixed_in_window=False)
                | Q(
                    fixed_in_window__isnull=True,
                    first_resolved_at__isnull=True,
                    fix_due_at__lte=now,
                )
            ),
        ),
        waiting=Count("pk", filter=Q(state__in=OPEN)),
    )
    raised = Q(at__gte=start, at__lt=end)
    unacknowledged = Q(acknowledged_at__isnull=True)
    escalations = (
        Escalation.objects.filter(complaint__property=prop)
        .filter(raised | unacknowledged)
        .aggregate(
            raised=Count("pk", filter=raised), unacknowledged=Count("pk", filter=unacknowledged)
        )
    )
    overdue = Callback.objects.filter(
        property=prop, status=Callback.Status.OPEN, due_at__lte=now
    ).aggregate(
        replies=Count("pk", filter=Q(kind__in=REPLY_KINDS)),
        callbacks=Count("pk", filter=~Q(kind__in=REPLY_KINDS)),
    )
    # The day's orders, received or completed: two ranges (repair_list, repair_completed).
    received = Q(received_at__gte=start, received_at__lt=end)
    completed = Q(completed_at__gte=start, completed_at__lt=end)
    repairs = (
        RepairOrder.objects.filter(property=prop)
        .filter(received | completed)
        .aggregate(received=Count("pk", filter=received), completed=Count("pk", filter=completed))
    )
    return {
        "complaints_received": complaints["received"],
        "complaints_direct_impact": complaints["direct"],
        "complaints_fixed_in_window": complaints["in_window"],
        "complaints_missed_window": complaints["missed"],
        "complaints_waiting": complaints["waiting"],
        "escalations_raised": escalations["raised"],
        "escalations_unacknowledged": escalations["unacknowledged"],
        "callbacks_overdue": overdue["callbacks"],
        "replies_overdue": overdue["replies"],
        "repairs_received": repairs["received"],
        "repairs_completed": repairs["completed"],
    }


def _desk_figures(handovers: list[ShiftHandover], ledger: DailyLedger | None) -> dict:
    return {
        "handovers": len(handovers),
        "handovers_with_pending": sum(1 for h in handovers if h.pending.strip()),
        "handovers_not_taken_over": sum(1 for h in handovers if h.taken_over_at is None),
        "ledger_signed": ledger is not None,
    }


def _handovers_of(prop: Property, day: date) -> list[ShiftHandover]:
    """At most one per shift (a unique constraint): three rows a day."""
    return list(
        ShiftHandover.objects.filter(property=prop, day=day)
        .select_related("handed_over_by", "taken_over_by")
        .order_by("handed_over_at", "pk")
    )


def _ledger_of(prop: Property, day: date) -> DailyLedger | None:
    return DailyLedger.objects.filter(property=prop, day=day).select_related("signed_by").first()


def day_figures(prop: Property, day: date, now: datetime) -> dict:
    """The review figures of a local day, counted from the records now (seven queries)."""
    return {
        **_counted_figures(prop, day, now),
        **_desk_figures(_handovers_of(prop, day), _ledger_of(prop, day)),
    }


# --- the review page -----------------------------------------------------------------------------


def review_day(prop: Property, day: date, now: datetime) -> DayReview:
    """What the review page of ``day`` (the property's local day) shows. A fixed number of
    queries whatever the rows: eight lists and lookups, plus the four aggregates while the day
    is not signed off (once signed, its figures are those kept on the review)."""
    start, end = clock.local_day_bounds(day, prop.zone)
    result = DayReview(property=prop, day=day, today=prop.today(now), now=now)
    complaints = (
        Complaint.objects.filter(property=prop, received_at__gte=start, received_at__lt=end)
        .select_related("department", "owner")
        .prefetch_related(
            Prefetch(
                "escalations",
                queryset=Escalation.objects.select_related("acknowledged_by").order_by("at", "pk"),
            )
        )
        .order_by("received_at", "pk")[:LIST_LIMIT]
    )
    result.complaints = [
        ComplaintRow(
            complaint=c, fix_result=_fix_result(c, now), escalations=list(c.escalations.all())
        )
        for c in complaints
    ]
    of_property = Escalation.objects.filter(complaint__property=prop).select_related(
        "complaint__department", "acknowledged_by"
    )
    result.escalations_raised = list(
        of_property.filter(at__gte=start, at__lt=end).order_by("at", "pk")[:LIST_LIMIT]
    )
    result.escalations_waiting = [
        WaitingRow(escalation=e, waited=span_text(now - e.at))
        for e in of_property.filter(acknowledged_at__isnull=True).order_by("at", "pk")[:LIST_LIMIT]
    ]
    overdue = (
        Callback.objects.filter(property=prop, status=Callback.Status.OPEN, due_at__lte=now)
        .select_related("complaint", "repair", "fee_notice")
        .order_by("due_at", "pk")[:LIST_LIMIT]
    )
    result.overdue = [
        OverdueRow(
            callback=cb,
            what=_callback_what(cb),
            late=span_text(now - cb.due_at),
            is_reply=cb.kind in REPLY_KINDS,
        )
        for cb in overdue
    ]
    result.handovers = _handovers_of(prop, day)
    result.ledger = _ledger_of(prop, day)
    result.review = (
        DailyReview.objects.filter(property=prop, day=day).select_related("signed_by").first()
    )
    if result.review is not None:
        result.figures = result.review.figures
    else:
        result.figures = {
            **_counted_figures(prop, day, now),
            **_desk_figures(result.handovers, result.ledger),
        }
    return result


def review_sign(*, property: Property, by: User, day: date, note: str = "") -> DailyReview:
    """The supervisor signs the day's review off, once: who, when, their note and the figures
    as the page showed them. A day that has not happened yet cannot be signed."""
    if not policy.allows(by, "review.sign", property):
        raise ValidationError(_("Only a supervisor or the project manager signs off the review."))
    now = timezone.now()
    if day > property.today(now):
        raise ValidationError(_("A day that has not happened yet cannot be signed off."))
    already = _("The review of %(day)s has already been signed off.") % {"day": day.isoformat()}
    if DailyReview.objects.filter(property=property, day=day).exists():
        raise ValidationError(already)
    figures = day_figures(property, day, now)
    try:
        with transaction.atomic():
            return DailyReview.objects.create(
                property=property,
                day=day,
                note=note.strip(),
                figures=figures,
                signed_by=by,
                signed_at=now,
            )
    except IntegrityError:  # signed by somebody else meanwhile: the database says once
        raise ValidationError(already) from None


# --- the daily digest ----------------------------------------------------------------------------


def review_link(prop: Property, day: date) -> str:
    """The review page of that day. Absolute when settings.SITE_URL is set (an e-mail needs
    it), otherwise the site-relative path."""
    path = f"{reverse('reports_review')}?property={prop.pk}&day={day.isoformat()}"
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def _digest_recipients(prop: Property) -> list[User]:
    return [u for u in policy.staff_holding(prop.pk, "review.sign") if u.email]


def _digest_body(prop: Property, day: date, now: datetime, figures: dict) -> tuple[str, str]:
    context = {
        "property": prop,
        "day": day,
        "rows": figure_rows(figures),
        "figures": figures,
        "link": review_link(prop, day),
        "now": now,
    }
    subject = _("%(property)s: daily review of %(day)s") % {
        "property": prop.name,
        "day": day.isoformat(),
    }
    return subject, render_to_string("reports/digest_email.txt", context)


def _digest_send(prop: Property, today: date, now: datetime) -> int:
    """Claim the property's day and enqueue its digests in one transaction; 0 when somebody
    else (another beat) has claimed it."""
    recipients = _digest_recipients(prop)
    with transaction.atomic():
        try:
            with transaction.atomic():
                DigestRun.objects.create(
                    property=prop, day=today, sent_at=now, recipients=len(recipients)
                )
        except IntegrityError:
            return 0
        if not recipients:
            return 0  # recorded as due and sent to nobody: not asked again every minute
        yesterday = today - timedelta(days=1)
        figures = day_figures(prop, yesterday, now)
        figures["review_signed"] = DailyReview.objects.filter(property=prop, day=yesterday).exists()
        # Staff have no language of their own: the digest speaks the site's default language
        # (settings.LANGUAGE_CODE), with times in the property's zone.
        with translation.override(settings.LANGUAGE_CODE), timezone.override(prop.zone):
            subject, body = _digest_body(prop, yesterday, now, figures)
            link = review_link(prop, yesterday)
        for user in recipients:
            notification_enqueue(
                property=prop,
                channel=Notification.Channel.EMAIL,
                address=user.email,
                recipient_user=user,
                subject=subject,
                body=body,
                link=link,
            )
    return len(recipients)


def digests_send(*, now: datetime) -> int:
    """The sweep's step: each property whose local clock has reached its digest hour today and
    whose day is not claimed yet gets its digest. One query while no property's hour has come,
    two once every due day is claimed; returns how many e-mails were queued."""
    properties = list(Property.objects.order_by("pk"))
    due = []
    for prop in properties:
        local = timezone.localtime(now, prop.zone)
        if local.hour >= prop.digest_hour:
            due.append((prop, local.date()))
    if not due:
        return 0
    claimed = set(
        DigestRun.objects.filter(
            property__in=[p for p, _day in due], day__in={d for _p, d in due}
        ).values_list("property_id", "day")
    )
    return sum(
        _digest_send(prop, today, now) for prop, today in due if (prop.pk, today) not in claimed
    )
