"""The desk's goods release passes (物品出入放行), decoration applications (装修申请 → 初审 →
许可 → 整改), the shift handover (交接班记录) and the signed daily work ledger (工作台帐); and the
resident portal's page for the same day: announce a visitor, approve a pass, read the desk's
phone messages, apply for decoration.

Thin: reads come from frontdesk.desk.day_queries (scoped by the access module: another
property's object is not found), every change is one call to frontdesk.desk.services. Bad
input or a refused step re-shows the page with the message (400) and changes nothing. Every
page is a fixed number of queries, whatever the rows."""

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from frontdesk import policy
from frontdesk.desk import day_forms as forms
from frontdesk.desk import day_queries as q
from frontdesk.desk import services as desk_services
from frontdesk.desk.models import (
    DecorationApplication,
    PhoneMessage,
    RectificationNotice,
    ReleasePass,
    ShiftHandover,
)
from frontdesk.models import Property, Resident
from frontdesk.views import resident_required, staff_required

State = DecorationApplication.State


# --- shared -------------------------------------------------------------------------------------


def _pick(request, properties: list[Property]) -> Property:
    """The property the page is for: the one chosen (?property=), else the first by name.
    One the user does not work at is not found."""
    if not properties:
        raise PermissionDenied
    chosen = request.GET.get("property", "")
    if not chosen:
        return properties[0]
    for prop in properties:
        if str(prop.pk) == chosen:
            return prop
    raise Http404


def _url(name: str, prop: Property, *args, **params) -> str:
    query = urlencode({"property": prop.pk, **params})
    return f"{reverse(name, args=args)}?{query}"


def _today(prop: Property) -> date:
    return timezone.localdate(timezone=prop.zone)


def _form_errors(form) -> list[str]:
    return [m for errors in form.errors.values() for m in errors]


def _page(request, prop: Property, template: str, context: dict, status: int):
    """Render with the property's clock: its times and dates are the desk's."""
    with timezone.override(prop.zone):
        return render(request, template, context, status=status)


def _or_404(get):
    try:
        return get()
    except (
        ReleasePass.DoesNotExist,
        DecorationApplication.DoesNotExist,
        PhoneMessage.DoesNotExist,
        RectificationNotice.DoesNotExist,
        ShiftHandover.DoesNotExist,
    ):
        raise Http404 from None


# --- goods release passes -----------------------------------------------------------------------


def _passes_page(request, prop, *, new_form=None, decide=None, errors=(), status=200):
    properties = q.staff_properties(request.user)
    board = q.passes_board(prop, _today(prop))
    decide_pk, decide_form = decide or (None, None)
    waiting = [
        (
            release,
            decide_form
            if release.pk == decide_pk
            else forms.PassDecideForm(
                property_id=prop.pk,
                offered=release.unit.current_residents,
                auto_id=f"pass{release.pk}-%s",
            ),
        )
        for release in board[ReleasePass.State.REQUESTED]
    ]
    context = {
        "property": prop,
        "properties": properties if len(properties) > 1 else [],
        "may_desk": policy.allows(request.user, "pass.write", prop),
        "may_release": policy.allows(request.user, "pass.release", prop),
        "new_form": new_form or forms.PassRequestForm(property=prop),
        "waiting": waiting,
        "approved": board[ReleasePass.State.APPROVED],
        "refused": board[ReleasePass.State.REFUSED],
        "released": board[ReleasePass.State.RELEASED],
        "errors": errors,
    }
    return _page(request, prop, "frontdesk/desk/passes.html", context, status)


@staff_required
@require_safe
def passes(request):
    """Today's passes: waiting for the resident, approved (security lets them out), refused
    and released today; and the form to request one."""
    return _passes_page(request, _pick(request, q.staff_properties(request.user)))


@staff_required
@require_POST
@policy.gate("pass.write")
def pass_new(request):
    prop = _pick(request, q.staff_properties(request.user))
    form = forms.PassRequestForm(request.POST, property=prop)
    if form.is_valid():
        try:
            release = desk_services.release_pass_request(
                property=prop,
                by=request.user,
                unit=form.cleaned_data["unit"],
                carrier_name=form.cleaned_data["carrier_name"],
                items=form.cleaned_data["items"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Pass requested for %(unit)s: the residents are asked to approve.")
                % {"unit": release.unit.label},
            )
            return redirect(_url("desk_passes", prop))
    return _passes_page(request, prop, new_form=form, status=400)


@staff_required
@require_POST
@policy.gate("pass.write")
def pass_decide(request, pk: int):
    """The resident's approval (or refusal) given by phone, recorded by the desk."""
    release = _or_404(lambda: q.pass_for_action(request.user, pk))
    form = forms.PassDecideForm(
        request.POST,
        property_id=release.property_id,
        offered=q.unit_residents(release.unit),
        auto_id=f"pass{release.pk}-%s",
    )
    if form.is_valid():
        try:
            desk_services.release_pass_decide(
                release=release,
                resident=form.cleaned_data["resident"],
                approve=form.approve,
                by=request.user,
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            done = _("Approved by %(name)s.") if form.approve else _("Refused by %(name)s.")
            messages.success(request, done % {"name": form.cleaned_data["resident"].name})
            return redirect(_url("desk_passes", release.property))
    else:
        errors = _form_errors(form)
    return _passes_page(
        request, release.property, decide=(release.pk, form), errors=errors, status=400
    )


@staff_required
@require_POST
def pass_release(request, pk: int):
    """Security lets the items out: only an approved pass, once."""
    release = _or_404(lambda: q.pass_for_action(request.user, pk))
    try:
        desk_services.release_pass_release(release=release, by=request.user)
    except ValidationError as exc:
        return _passes_page(request, release.property, errors=exc.messages, status=400)
    messages.success(
        request,
        _("The items of %(unit)s (%(carrier)s) are let out.")
        % {"unit": release.unit.label, "carrier": release.carrier_name},
    )
    return redirect(_url("desk_passes", release.property))


# --- decoration ---------------------------------------------------------------------------------


def _apply_anchor(request, prop: Property):
    """Whom the desk applies for: the unit found (?unit=1-1203) and its residents, or a
    resident (?resident=) and their units. (find form, residents offered, units offered)."""
    find = forms.FindUnitForm(request.GET or None)
    if request.GET.get("resident", "").isdigit():
        resident = q.resident_at(prop, int(request.GET["resident"]))
        if resident is not None:
            return find, [resident], list(resident.units.all())
    if request.GET.get("unit", "").strip():
        unit = q.unit_by_label(prop, request.GET["unit"])
        if unit is None:
            find.add_error(
                "unit",
                _("There is no unit %(unit)s at %(property)s.")
                % {"unit": request.GET["unit"], "property": prop},
            )
        else:
            return find, q.unit_residents(unit), [unit]
    return find, [], []


def _decoration_page(request, prop, *, apply_form=None, status=200):
    properties = q.staff_properties(request.user)
    may_desk = policy.allows(request.user, "decoration.write", prop)
    find, residents, units = _apply_anchor(request, prop) if may_desk else (None, [], [])
    if may_desk and apply_form is None and units:
        apply_form = forms.DecorationApplyForm(property=prop, residents=residents, units=units)
    anchor = {k: request.GET[k] for k in ("unit", "resident") if request.GET.get(k)}
    context = {
        "property": prop,
        "properties": properties if len(properties) > 1 else [],
        "may_desk": may_desk,
        "board": q.decoration_board(prop),
        "find_form": find,
        "apply_form": apply_form,
        "apply_action": _url("desk_decoration_new", prop, **anchor),
        "no_residents": bool(units) and not residents,
    }
    return _page(request, prop, "frontdesk/desk/decoration.html", context, status)


@staff_required
@require_safe
def decoration(request):
    """The applications by state, and applying on behalf of a resident."""
    return _decoration_page(request, _pick(request, q.staff_properties(request.user)))


@staff_required
@require_POST
@policy.gate("decoration.write")
def decoration_new(request):
    prop = _pick(request, q.staff_properties(request.user))
    _find, residents, units = _apply_anchor(request, prop)
    form = forms.DecorationApplyForm(request.POST, property=prop, residents=residents, units=units)
    if form.is_valid():
        try:
            app = desk_services.decoration_apply(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Decoration application for %(unit)s received.") % {"unit": app.unit.label},
            )
            return redirect("desk_decoration_detail", pk=app.pk)
    return _decoration_page(request, prop, apply_form=form, status=400)


def _steps(app: DecorationApplication, may_desk: bool) -> set[str]:
    """The steps the page offers in the application's state."""
    if not may_desk:
        return set()
    return {
        State.APPLIED: {"review"},
        State.REVIEWED: {"permit"},
        State.PERMITTED: {"rectify", "finish"},
        State.RECTIFYING: {"rectify", "resolve"},
    }.get(app.state, set())


def _decoration_detail_page(request, pk: int, *, bound=None, errors=(), status=200):
    app = _or_404(lambda: q.decoration_detail(request.user, pk))
    steps = _steps(app, policy.allows(request.user, "decoration.write", app))
    step_forms = {"review": forms.ReviewForm(), "rectify": forms.RectifyForm()}
    step_forms.update(bound or {})
    context = {
        "app": app,
        "notices": list(app.rectifications.all()),
        "steps": steps,
        "forms": step_forms,
        "errors": errors,
    }
    return _page(request, app.property, "frontdesk/desk/decoration_detail.html", context, status)


@staff_required
@require_safe
def decoration_detail(request, pk: int):
    return _decoration_detail_page(request, pk)


def _decoration_for_action(request, pk: int) -> DecorationApplication:
    return _or_404(
        lambda: (
            q.decorations_for(request.user).select_related("property", "unit__building").get(pk=pk)
        )
    )


def _step(request, app, call, done: str, *, name: str = "", form=None):
    """One step: validate the step's form, make the one service call."""
    if form is None or form.is_valid():
        try:
            call()
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, done)
            return redirect("desk_decoration_detail", pk=app.pk)
    else:
        errors = _form_errors(form)
    bound = {name: form} if form is not None else None
    return _decoration_detail_page(request, app.pk, bound=bound, errors=errors, status=400)


@staff_required
@require_POST
@policy.gate("decoration.write")
def decoration_review(request, pk: int):
    app = _decoration_for_action(request, pk)
    form = forms.ReviewForm(request.POST)
    return _step(
        request,
        app,
        lambda: desk_services.decoration_review(
            app=app, by=request.user, passed=form.passed, note=form.cleaned_data["note"]
        ),
        _("The first review is recorded."),
        name="review",
        form=form,
    )


@staff_required
@require_POST
@policy.gate("decoration.write")
def decoration_permit(request, pk: int):
    app = _decoration_for_action(request, pk)
    return _step(
        request,
        app,
        lambda: desk_services.decoration_permit(app=app, by=request.user),
        _("The decoration permit is issued."),
    )


@staff_required
@require_POST
@policy.gate("decoration.write")
def decoration_rectify(request, pk: int):
    app = _decoration_for_action(request, pk)
    form = forms.RectifyForm(request.POST)
    return _step(
        request,
        app,
        lambda: desk_services.decoration_rectify(app=app, by=request.user, **form.cleaned_data),
        _("The rectification notice is issued and the residents are told."),
        name="rectify",
        form=form,
    )


@staff_required
@require_POST
@policy.gate("decoration.write")
def rectification_resolve(request, pk: int, notice_pk: int):
    app = _decoration_for_action(request, pk)
    notice = _or_404(
        lambda: RectificationNotice.objects.select_related("application__property").get(
            pk=notice_pk, application=app
        )
    )
    return _step(
        request,
        app,
        lambda: desk_services.rectification_resolve(notice=notice, by=request.user),
        _("The rectification is resolved."),
    )


@staff_required
@require_POST
@policy.gate("decoration.write")
def decoration_finish(request, pk: int):
    app = _decoration_for_action(request, pk)
    return _step(
        request,
        app,
        lambda: desk_services.decoration_finish(app=app, by=request.user),
        _("The decoration is finished."),
    )


# --- the shift handover -------------------------------------------------------------------------


def _handover_page(request, prop, *, form=None, errors=(), status=200):
    properties = q.desk_properties(request.user)
    today = _today(prop)
    latest = q.handovers_latest(prop)
    done_today = {h.shift for h in latest if h.day == today}
    if form is None:
        still = [s for s in ShiftHandover.Shift.values if s not in done_today]
        form = forms.HandoverForm(initial={"shift": still[0] if still else None})
    context = {
        "property": prop,
        "properties": properties if len(properties) > 1 else [],
        "today": today,
        "counts": q.count_rows(desk_services.day_counts(prop, today)),
        "form": form,
        "latest": latest,
        "errors": errors,
    }
    return _page(request, prop, "frontdesk/desk/handover.html", context, status)


@staff_required
@require_safe
def handover(request):
    """The shift's page: what the desk did today, from the records; what is pending; the
    latest handovers, to take over."""
    return _handover_page(request, _pick(request, q.desk_properties(request.user)))


@staff_required
@require_POST
@policy.gate("handover.write")
def handover_record(request):
    prop = _pick(request, q.desk_properties(request.user))
    form = forms.HandoverForm(request.POST)
    if form.is_valid():
        try:
            desk_services.handover_record(
                property=prop, by=request.user, day=_today(prop), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Handed over: the next shift takes over on this page."))
            return redirect(_url("desk_handover", prop))
    return _handover_page(request, prop, form=form, status=400)


@staff_required
@require_POST
@policy.gate("handover.write")
def handover_take_over(request, pk: int):
    found = _or_404(lambda: q.handover_for_action(request.user, pk))
    try:
        desk_services.handover_take_over(handover=found, by=request.user)
    except ValidationError as exc:
        return _handover_page(request, found.property, errors=exc.messages, status=400)
    messages.success(request, _("You have taken over the shift."))
    return redirect(_url("desk_handover", found.property))


# --- the daily work ledger ----------------------------------------------------------------------


def _ledger_page(request, prop, day: date, *, form=None, errors=(), status=200):
    properties = q.desk_properties(request.user)
    today = _today(prop)
    ledger = q.ledger_of(prop, day)
    may_sign = ledger is None and day <= today and policy.allows(request.user, "ledger.sign", prop)
    if ledger is not None:
        counts = ledger.totals
    else:
        counts = desk_services.day_counts(prop, day)
    context = {
        "property": prop,
        "properties": properties if len(properties) > 1 else [],
        "day": day,
        "today": today,
        "future": day > today,
        "ledger": ledger,
        "counts": q.count_rows(counts),
        "handovers": q.handovers_of_day(prop, day),
        "marks": q.ledger_marks(prop, today),
        "may_sign": may_sign,
        "form": form or forms.LedgerSignForm(initial={"day": day}),
        "errors": errors,
    }
    return _page(request, prop, "frontdesk/desk/ledger.html", context, status)


@staff_required
@require_safe
def ledger(request):
    """The day's work ledger: the figures from the records, the handovers and their pending
    notes; the supervisor signs it once, and then it shows the figures as signed."""
    prop = _pick(request, q.desk_properties(request.user))
    text = request.GET.get("day", "")
    if not text:
        return _ledger_page(request, prop, _today(prop))
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return _ledger_page(
            request,
            prop,
            _today(prop),
            errors=[_("Give the day as YYYY-MM-DD.")],
            status=400,
        )
    return _ledger_page(request, prop, day)


@staff_required
@require_POST
@policy.gate("ledger.sign")
def ledger_sign(request):
    prop = _pick(request, q.desk_properties(request.user))
    form = forms.LedgerSignForm(request.POST)
    if not form.is_valid():
        return _ledger_page(
            request, prop, _today(prop), form=form, errors=_form_errors(form), status=400
        )
    day = form.cleaned_data["day"]
    try:
        desk_services.ledger_sign(
            property=prop, by=request.user, day=day, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        return _ledger_page(request, prop, day, form=form, errors=exc.messages, status=400)
    messages.success(request, _("The ledger of %(day)s is signed.") % {"day": day.isoformat()})
    return redirect(_url("desk_ledger", prop, day=day.isoformat()))


# --- the resident portal ------------------------------------------------------------------------


def _portal_page(request, *, visitor_form=None, decoration_form=None, errors=(), status=200):
    user = request.user
    units = q.my_units(user)
    today = timezone.localdate()
    context = {
        "residents": q.my_residents(user),
        "visitor_form": visitor_form or forms.VisitorAnnounceForm(units=units),
        "visitors": q.my_announced_visitors(user, today),
        "pending": q.my_pending_passes(user),
        "decided": q.my_decided_passes(user),
        "unread": q.my_unread_messages(user),
        "decorations": q.my_decorations(user),
        "decoration_form": decoration_form or forms.MyDecorationForm(units=units),
        "today": today,
        "errors": errors,
    }
    return render(request, "frontdesk/desk/portal_day.html", context, status=status)


def _my_resident(request, unit_id: int) -> Resident:
    resident = q.my_resident_for_unit(request.user, unit_id)
    if resident is None:
        raise Http404
    return resident


@resident_required
@require_safe
def portal_day(request):
    """My day with the service centre: visitors I announce, passes for me to approve, the
    messages the desk took for me, my decoration applications."""
    return _portal_page(request)


@resident_required
@require_POST
@policy.residing
def portal_visitor(request):
    form = forms.VisitorAnnounceForm(request.POST, units=q.my_units(request.user))
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            visitor = desk_services.visitor_announce(
                resident=_my_resident(request, unit.pk),
                unit=unit,
                name=form.cleaned_data["name"],
                expected_on=form.cleaned_data["expected_on"],
                purpose=form.cleaned_data["purpose"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The service centre expects %(name)s on %(day)s.")
                % {"name": visitor.name, "day": visitor.expected_on.isoformat()},
            )
            return redirect("portal_day")
    return _portal_page(request, visitor_form=form, status=400)


@resident_required
@require_POST
def portal_pass_decide(request, pk: int):
    release = _or_404(
        lambda: q.my_passes(request.user).select_related("property", "unit__building").get(pk=pk)
    )
    form = forms.MyDecisionForm(request.POST)
    if not form.is_valid():
        return _portal_page(request, errors=[_("Approve or refuse the pass.")], status=400)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        desk_services.release_pass_decide(
            release=release,
            resident=_my_resident(request, release.unit_id),
            approve=approve,
            by=request.user,
        )
    except ValidationError as exc:
        return _portal_page(request, errors=exc.messages, status=400)
    if approve:
        done = _("You approved: %(name)s may take the items out.")
    else:
        done = _("You refused: %(name)s may not take the items out.")
    messages.success(request, done % {"name": release.carrier_name})
    return redirect("portal_day")


@resident_required
@require_safe
def portal_pass(request, pk: int):
    """Where the notice "please approve or refuse" links to: the pass on my day page."""
    release = _or_404(lambda: q.my_passes(request.user).get(pk=pk))
    return redirect(f"{reverse('portal_day')}#pass-{release.pk}")


@resident_required
@require_POST
def portal_message_read(request, pk: int):
    message = _or_404(lambda: q.my_messages(request.user).select_related("for_resident").get(pk=pk))
    try:
        desk_services.message_mark_read(message=message, by=request.user)
    except ValidationError as exc:
        return _portal_page(request, errors=exc.messages, status=400)
    messages.success(request, _("Marked as read."))
    return redirect("portal_day")


@resident_required
@require_POST
@policy.residing
def portal_decoration(request):
    form = forms.MyDecorationForm(request.POST, units=q.my_units(request.user))
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            desk_services.decoration_apply(
                resident=_my_resident(request, unit.pk), by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Your decoration application for %(unit)s has been sent to the service centre.")
                % {"unit": unit.label},
            )
            return redirect("portal_day")
    return _portal_page(request, decoration_form=form, status=400)


urlpatterns = [
    path("desk/passes/", passes, name="desk_passes"),
    path("desk/passes/new/", pass_new, name="desk_pass_new"),
    path("desk/passes/<int:pk>/decide/", pass_decide, name="desk_pass_decide"),
    path("desk/passes/<int:pk>/release/", pass_release, name="desk_pass_release"),
    path("desk/decoration/", decoration, name="desk_decoration"),
    path("desk/decoration/new/", decoration_new, name="desk_decoration_new"),
    path("desk/decoration/<int:pk>/", decoration_detail, name="desk_decoration_detail"),
    path("desk/decoration/<int:pk>/review/", decoration_review, name="desk_decoration_review"),
    path("desk/decoration/<int:pk>/permit/", decoration_permit, name="desk_decoration_permit"),
    path("desk/decoration/<int:pk>/rectify/", decoration_rectify, name="desk_decoration_rectify"),
    path(
        "desk/decoration/<int:pk>/rectifications/<int:notice_pk>/resolve/",
        rectification_resolve,
        name="desk_rectification_resolve",
    ),
    path("desk/decoration/<int:pk>/finish/", decoration_finish, name="desk_decoration_finish"),
    path("desk/handover/", handover, name="desk_handover"),
    path("desk/handover/record/", handover_record, name="desk_handover_record"),
    path("desk/handover/<int:pk>/take-over/", handover_take_over, name="desk_handover_take_over"),
    path("desk/ledger/", ledger, name="desk_ledger"),
    path("desk/ledger/sign/", ledger_sign, name="desk_ledger_sign"),
    path("portal/desk/", portal_day, name="portal_day"),
    path("portal/desk/visitors/", portal_visitor, name="portal_day_visitor"),
    path("portal/desk/passes/<int:pk>/decide/", portal_pass_decide, name="portal_pass_decide"),
    path("portal/desk/messages/<int:pk>/read/", portal_message_read, name="portal_message_read"),
    path("portal/desk/decoration/", portal_decoration, name="portal_decoration_apply"),
    path("portal/passes/<int:pk>/", portal_pass, name="portal_pass"),
]
