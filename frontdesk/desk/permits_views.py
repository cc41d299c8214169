"""The desk's goods release passes (物品出入放行) and decoration applications (装修申请 → 初审 →
许可 → 整改).

Thin: reads come from frontdesk.desk.permits_queries (scoped by the policy: another
property's object is not found), every change is one call to frontdesk.desk.permits_services.
Bad input or a refused step re-shows the page with the message (400) and changes nothing.
Every page is a fixed number of queries, whatever the rows."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from frontdesk import policy
from frontdesk.desk import permits_forms as forms
from frontdesk.desk import permits_queries as q
from frontdesk.desk import permits_services
from frontdesk.desk.models import (
    DecorationApplication,
    RectificationNotice,
    ReleasePass,
)
from frontdesk.desk.view_helpers import (
    form_errors,
    or_404,
    page_url,
    pick_property,
    render_at,
)
from frontdesk.models import Property
from frontdesk.views import staff_required

State = DecorationApplication.State

# --- goods release passes -----------------------------------------------------------------------


def _passes_page(request, prop, *, new_form=None, decide=None, errors=(), status=200):
    properties = q.staff_properties(request.user)
    board = q.passes_board(prop, prop.today())
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
    return render_at(request, prop, "frontdesk/desk/passes.html", context, status)


@staff_required
@require_safe
def passes(request):
    """Today's passes: waiting for the resident, approved (security lets them out), refused
    and released today; and the form to request one."""
    return _passes_page(request, pick_property(request, q.staff_properties(request.user)))


@staff_required
@require_POST
@policy.gate("pass.write")
def pass_new(request):
    prop = pick_property(request, q.staff_properties(request.user))
    form = forms.PassRequestForm(request.POST, property=prop)
    if form.is_valid():
        try:
            release = permits_services.release_pass_request(
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
            return redirect(page_url("desk_passes", prop))
    return _passes_page(request, prop, new_form=form, status=400)


@staff_required
@require_POST
@policy.gate("pass.write")
def pass_decide(request, pk: int):
    """The resident's approval (or refusal) given by phone, recorded by the desk."""
    release = or_404(lambda: q.pass_for_action(request.user, pk))
    form = forms.PassDecideForm(
        request.POST,
        property_id=release.property_id,
        offered=q.unit_residents(release.unit),
        auto_id=f"pass{release.pk}-%s",
    )
    if form.is_valid():
        try:
            permits_services.release_pass_decide(
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
            return redirect(page_url("desk_passes", release.property))
    else:
        errors = form_errors(form)
    return _passes_page(
        request, release.property, decide=(release.pk, form), errors=errors, status=400
    )


@staff_required
@require_POST
def pass_release(request, pk: int):
    """Security lets the items out: only an approved pass, once."""
    release = or_404(lambda: q.pass_for_action(request.user, pk))
    try:
        permits_services.release_pass_release(release=release, by=request.user)
    except ValidationError as exc:
        return _passes_page(request, release.property, errors=exc.messages, status=400)
    messages.success(
        request,
        _("The items of %(unit)s (%(carrier)s) are let out.")
        % {"unit": release.unit.label, "carrier": release.carrier_name},
    )
    return redirect(page_url("desk_passes", release.property))


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
        "apply_action": page_url("desk_decoration_new", prop, **anchor),
        "no_residents": bool(units) and not residents,
    }
    return render_at(request, prop, "frontdesk/desk/decoration.html", context, status)


@staff_required
@require_safe
def decoration(request):
    """The applications by state, and applying on behalf of a resident."""
    return _decoration_page(request, pick_property(request, q.staff_properties(request.user)))


@staff_required
@require_POST
@policy.gate("decoration.write")
def decoration_new(request):
    prop = pick_property(request, q.staff_properties(request.user))
    _find, residents, units = _apply_anchor(request, prop)
    form = forms.DecorationApplyForm(request.POST, property=prop, residents=residents, units=units)
    if form.is_valid():
        try:
            app = permits_services.decoration_apply(by=request.user, **form.cleaned_data)
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
    app = or_404(lambda: q.decoration_detail(request.user, pk))
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
    return render_at(
        request, app.property, "frontdesk/desk/decoration_detail.html", context, status
    )


@staff_required
@require_safe
def decoration_detail(request, pk: int):
    return _decoration_detail_page(request, pk)


def _decoration_for_action(request, pk: int) -> DecorationApplication:
    return or_404(
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
        errors = form_errors(form)
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
        lambda: permits_services.decoration_review(
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
        lambda: permits_services.decoration_permit(app=app, by=request.user),
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
        lambda: permits_services.decoration_rectify(app=app, by=request.user, **form.cleaned_data),
        _("The rectification notice is issued and the residents are told."),
        name="rectify",
        form=form,
    )


@staff_required
@require_POST
@policy.gate("decoration.write")
def rectification_resolve(request, pk: int, notice_pk: int):
    app = _decoration_for_action(request, pk)
    notice = or_404(
        lambda: RectificationNotice.objects.select_related("application__property").get(
            pk=notice_pk, application=app
        )
    )
    return _step(
        request,
        app,
        lambda: permits_services.rectification_resolve(notice=notice, by=request.user),
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
        lambda: permits_services.decoration_finish(app=app, by=request.user),
        _("The decoration is finished."),
    )


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
]
