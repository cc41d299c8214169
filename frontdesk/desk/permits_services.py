"""What may leave or change a unit: goods release passes approved by the unit's residents and
decoration applications (first review, numbered permit, rectification notices, finished).

Every step is claimed with a conditional UPDATE on the state it starts from, so a step taken
twice, or out of turn, is refused with the state the record is in."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from frontdesk import policy
from frontdesk.desk.models import (
    DecorationApplication,
    RectificationNotice,
    ReleasePass,
)
from frontdesk.desk.registers_services import unit_check
from frontdesk.models import Property, Resident, Unit, User
from frontdesk.outbox import unit_notify
from frontdesk.services import sequence_next

# --- goods release passes ------------------------------------------------------------------------------


def release_pass_request(
    *, property: Property, by: User, unit: Unit, carrier_name: str, items: str
) -> ReleasePass:
    """Items are to leave from a unit: the unit's residents are asked to approve."""
    policy.require(by, "pass.write", property)
    unit_check(property, unit)
    if not carrier_name.strip() or not items.strip():
        raise ValidationError(_("Say who carries the items out and what they are."))
    with transaction.atomic():
        release = ReleasePass.objects.create(
            property=property,
            unit=unit,
            carrier_name=carrier_name.strip(),
            items=items.strip(),
            requested_at=timezone.now(),
            requested_by=by,
        )
        unit_notify(
            property,
            unit,
            lambda: (
                _(
                    "%(name)s asks to take items out of %(unit)s: %(items)s. Please approve or refuse."
                )
                % {"name": release.carrier_name, "unit": unit.label, "items": release.items[:80]}
            ),
            link=reverse("portal_pass", args=[release.pk]),
            about=release,
        )
    return release


def release_pass_decide(
    *, release: ReleasePass, resident: Resident, approve: bool, by: User
) -> ReleasePass:
    """A resident of the unit approves or refuses (in the portal, or by phone to the desk)."""
    if resident.moved_out_on is not None or not resident.units.filter(pk=release.unit_id).exists():
        raise ValidationError(
            _("%(name)s is not a resident of %(unit)s: only the unit's residents can approve.")
            % {"name": resident.name, "unit": release.unit.label}
        )
    policy.require_self_or(by, "pass.write", resident)
    state = ReleasePass.State.APPROVED if approve else ReleasePass.State.REFUSED
    claimed = ReleasePass.objects.filter(pk=release.pk, state=ReleasePass.State.REQUESTED).update(
        state=state, approved_by=resident, decided_at=timezone.now()
    )
    if not claimed:
        raise ValidationError(_("This pass has already been decided."))
    release.refresh_from_db()
    return release


def release_pass_release(*, release: ReleasePass, by: User) -> ReleasePass:
    """Security lets the items out: only with the resident's approval, and only once."""
    policy.require(by, "pass.release", release)
    claimed = ReleasePass.objects.filter(pk=release.pk, state=ReleasePass.State.APPROVED).update(
        state=ReleasePass.State.RELEASED, released_at=timezone.now(), released_by=by
    )
    if not claimed:
        release.refresh_from_db()
        if release.state == ReleasePass.State.RELEASED:
            raise ValidationError(_("These items have already been let out."))
        raise ValidationError(
            _("The items cannot go out: the pass is %(state)s.")
            % {"state": release.get_state_display()}
        )
    release.refresh_from_db()
    return release


# --- decoration --------------------------------------------------------------------------------------


def decoration_apply(
    *,
    resident: Resident,
    unit: Unit,
    by: User,
    contractor: str,
    contractor_phone: str,
    work: str,
    starts: date,
    ends: date,
) -> DecorationApplication:
    if not resident.units.filter(pk=unit.pk).exists():
        raise ValidationError(_("Apply for one of the resident's own units."))
    policy.require_self_or(by, "decoration.write", resident)
    if ends < starts:
        raise ValidationError(_("The work must end after it starts."))
    if not (contractor.strip() and contractor_phone.strip() and work.strip()):
        raise ValidationError(_("Give the contractor, their phone and the work planned."))
    return DecorationApplication.objects.create(
        property=resident.property,
        unit=unit,
        resident=resident,
        contractor=contractor.strip(),
        contractor_phone=contractor_phone.strip(),
        work=work.strip(),
        starts=starts,
        ends=ends,
        applied_at=timezone.now(),
    )


def _decoration_step(app: DecorationApplication, allowed: set, **changes) -> DecorationApplication:
    claimed = DecorationApplication.objects.filter(pk=app.pk, state__in=allowed).update(**changes)
    if not claimed:
        app.refresh_from_db()
        raise ValidationError(
            _("The application is %(state)s: this step does not apply now.")
            % {"state": app.get_state_display()}
        )
    app.refresh_from_db()
    return app


def decoration_review(
    *, app: DecorationApplication, by: User, passed: bool, note: str = ""
) -> DecorationApplication:
    """The first review (初审)."""
    policy.require(by, "decoration.write", app.property)
    if not passed and not note.strip():
        raise ValidationError(_("Say why the application is rejected."))
    State = DecorationApplication.State
    return _decoration_step(
        app,
        {State.APPLIED},
        state=State.REVIEWED if passed else State.REJECTED,
        reviewed_by=by,
        reviewed_at=timezone.now(),
        review_note=note.strip(),
    )


def decoration_permit(*, app: DecorationApplication, by: User) -> DecorationApplication:
    """The permit (装修许可证), numbered ZX + local date + sequence."""
    policy.require(by, "decoration.write", app.property)
    now = timezone.now()
    with transaction.atomic():
        day = app.property.today(now)
        last = sequence_next(property=app.property, series="decoration", day=day, limit=999)
        return _decoration_step(
            app,
            {DecorationApplication.State.REVIEWED},
            state=DecorationApplication.State.PERMITTED,
            permit_number=f"ZX{day:%y%m%d}{last:03d}",
            permitted_at=now,
        )


def decoration_rectify(
    *, app: DecorationApplication, by: User, issue: str, deadline: date
) -> RectificationNotice:
    """A rectification notice (整改通知) during the works."""
    policy.require(by, "decoration.write", app.property)
    if not issue.strip():
        raise ValidationError(_("Say what must be put right."))
    State = DecorationApplication.State
    with transaction.atomic():
        _decoration_step(app, {State.PERMITTED, State.RECTIFYING}, state=State.RECTIFYING)
        notice = RectificationNotice.objects.create(
            application=app,
            issue=issue.strip(),
            deadline=deadline,
            issued_at=timezone.now(),
            issued_by=by,
        )
        unit_notify(
            app.property,
            app.unit,
            lambda: (
                _("Decoration of %(unit)s: rectification required by %(day)s: %(issue)s")
                % {"unit": app.unit.label, "day": deadline.isoformat(), "issue": notice.issue[:80]}
            ),
            about=notice,
        )
    return notice


def rectification_resolve(*, notice: RectificationNotice, by: User) -> DecorationApplication:
    app = notice.application
    policy.require(by, "decoration.write", app.property)
    with transaction.atomic():
        if not RectificationNotice.objects.filter(pk=notice.pk, resolved_at=None).update(
            resolved_at=timezone.now()
        ):
            raise ValidationError(_("This rectification is already resolved."))
        if not app.rectifications.filter(resolved_at=None).exists():
            app = _decoration_step(
                app,
                {DecorationApplication.State.RECTIFYING},
                state=DecorationApplication.State.PERMITTED,
            )
    return app


def decoration_finish(*, app: DecorationApplication, by: User) -> DecorationApplication:
    policy.require(by, "decoration.write", app.property)
    return _decoration_step(
        app,
        {DecorationApplication.State.PERMITTED},
        state=DecorationApplication.State.FINISHED,
    )
