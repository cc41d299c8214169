"""The desk's own day: visitors, phone messages, parcels, key custody, lost and found.

Thin: reads come from frontdesk.desk.registers_queries, every change is one call to
frontdesk.desk.registers_services. Each page is the day of one property's desk (the only one the user
works, or the one chosen with ?property=), shown in that property's time zone. Each action
POSTs to its own URL and redirects back with a message; bad input or a refused action shows
the page again with the message (400) and changes nothing. Another property's visitor,
message, parcel, key or item is not found (404)."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontdesk import policy
from frontdesk.desk import registers_forms as desk_forms
from frontdesk.desk import registers_queries as desk_queries
from frontdesk.desk import registers_services as desk_services
from frontdesk.desk.models import KeyDeposit, PhoneMessage
from frontdesk.media import file_response
from frontdesk.models import Property
from frontdesk.views import staff_required

# --- the desk's property ----------------------------------------------------------------------


def _desk_properties(request) -> list[Property]:
    properties = desk_queries.desk_properties(request.user)
    if not properties:
        raise PermissionDenied
    return properties


def _chosen_property(request) -> tuple[Property, list[Property]]:
    """The property whose desk the page is: ?property= among the user's, else the first."""
    properties = _desk_properties(request)
    chosen = request.GET.get("property", "")
    for prop in properties:
        if str(prop.pk) == chosen:
            return prop, properties
    return properties[0], properties


def _page_url(name: str, prop: Property) -> str:
    return f"{reverse(name)}?property={prop.pk}"


def _back(request, name: str, prop: Property, done: str):
    messages.success(request, done)
    return redirect(_page_url(name, prop))


def _or_404(fetch, request, *pks: int):
    """What `fetch` finds for the user, or 404 (another property's is never found)."""
    try:
        return fetch(request.user, *pks)
    except ObjectDoesNotExist:
        raise Http404 from None


def _render(request, template: str, prop: Property, properties, context: dict, status: int):
    """Times on the page are the property's local times."""
    context.update(property=prop, properties=properties if len(properties) > 1 else [])
    with timezone.override(prop.zone):
        return render(request, template, context, status=status)


def _not_saved() -> list[str]:
    """Above a page whose form, further down, shows what is wrong."""
    return [_("Not saved: correct the form below.")]


def _errors(form, exc: ValidationError | None = None) -> list[str]:
    """Every message, for a small form in a list row that does not show its own errors."""
    if exc is not None:
        return exc.messages
    return [e for errors in form.errors.values() for e in errors]


# --- visitors ---------------------------------------------------------------------------------


def _visitors_page(request, prop, properties=None, *, form=None, errors=(), status=200):
    properties = properties or _desk_properties(request)
    units = desk_queries.property_units(prop)
    return _render(
        request,
        "frontdesk/desk/visitors.html",
        prop,
        properties,
        {
            "page_name": "desk_visitors",
            "day": desk_queries.visitor_day(prop, timezone.now()),
            "form": form or desk_forms.VisitorForm(units=units),
            "arrive_form": desk_forms.ArriveForm(auto_id=False),
            "errors": errors,
        },
        status,
    )


@staff_required
@require_GET
def visitors(request):
    """Today's visitors: expected (announced by residents), in the building, left today."""
    prop, properties = _chosen_property(request)
    return _visitors_page(request, prop, properties)


@staff_required
@require_POST
def visitor_new(request):
    prop, properties = _chosen_property(request)
    form = desk_forms.VisitorForm(request.POST, units=desk_queries.property_units(prop))
    if form.is_valid():
        try:
            visitor = desk_services.visitor_register(
                property=prop, by=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _back(
                request,
                "desk_visitors",
                prop,
                _("%(name)s is registered as arrived.") % {"name": visitor.name},
            )
    return _visitors_page(request, prop, properties, form=form, errors=_not_saved(), status=400)


@staff_required
@require_POST
def visitor_arrive(request, pk: int):
    visitor = _or_404(desk_queries.visitor_for, request, pk)
    form = desk_forms.ArriveForm(request.POST)
    error = None
    if form.is_valid():
        try:
            desk_services.visitor_arrive(visitor=visitor, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            error = exc
        else:
            done = _("%(name)s has arrived.") % {"name": visitor.name}
            return _back(request, "desk_visitors", visitor.property, done)
    return _visitors_page(request, visitor.property, errors=_errors(form, error), status=400)


@staff_required
@require_POST
def visitor_leave(request, pk: int):
    visitor = _or_404(desk_queries.visitor_for, request, pk)
    try:
        desk_services.visitor_leave(visitor=visitor, by=request.user)
    except ValidationError as exc:
        return _visitors_page(request, visitor.property, errors=exc.messages, status=400)
    done = _("%(name)s has left.") % {"name": visitor.name}
    return _back(request, "desk_visitors", visitor.property, done)


# --- phone messages ---------------------------------------------------------------------------------


def _messages_page(request, prop, properties=None, *, form=None, errors=(), status=200):
    properties = properties or _desk_properties(request)
    supervises = policy.allows(request.user, "message.oversee", prop)
    now = timezone.now()
    return _render(
        request,
        "frontdesk/desk/messages.html",
        prop,
        properties,
        {
            "page_name": "desk_messages",
            "form": form
            or desk_forms.MessageForm(recipients=desk_queries.message_recipients(prop)),
            "unread": desk_queries.unread_messages(prop),
            "supervises": supervises,
            "overdue": desk_queries.messages_overdue(prop, now) if supervises else [],
            "now": now,
            "errors": errors,
        },
        status,
    )


@staff_required
@require_GET
def messages_page(request):
    """Take a message; the messages not read yet; for the supervisor, those unread too long."""
    prop, properties = _chosen_property(request)
    return _messages_page(request, prop, properties)


@staff_required
@require_POST
def message_new(request):
    prop, properties = _chosen_property(request)
    form = desk_forms.MessageForm(request.POST, recipients=desk_queries.message_recipients(prop))
    if form.is_valid():
        try:
            desk_services.message_take(property=prop, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _back(request, "desk_messages", prop, _("Message taken: the recipient is told."))
    return _messages_page(request, prop, properties, form=form, errors=_not_saved(), status=400)


def _message_or_404(request, pk: int) -> PhoneMessage:
    """The desk of the message's property, or whoever it is for; anyone else: not found."""
    return _or_404(desk_queries.message_for, request, pk)


def _message_page(request, message: PhoneMessage, *, errors=(), status=200):
    with timezone.override(message.property.zone):
        return render(
            request,
            "frontdesk/desk/message.html",
            {
                "m": message,
                "may_mark_read": message.read_at is None
                and desk_services.may_read_message(request.user, message),
                "is_desk": policy.allows(request.user, "message.write", message),
                "errors": errors,
            },
            status=status,
        )


@staff_required
@require_GET
def message_detail(request, pk: int):
    return _message_page(request, _message_or_404(request, pk))


@staff_required
@require_POST
def message_read(request, pk: int):
    message = _message_or_404(request, pk)
    try:
        desk_services.message_mark_read(message=message, by=request.user)
    except ValidationError as exc:
        return _message_page(request, message, errors=exc.messages, status=400)
    messages.success(request, _("Marked read."))
    return redirect("desk_message", pk=message.pk)


@staff_required
@require_GET
def my_messages(request):
    """Messages for me or my departments, unread first."""
    return render(
        request,
        "frontdesk/desk/messages.html",
        {"mine": desk_queries.my_messages(request.user), "page_name": "my_messages"},
    )


# --- parcels ---------------------------------------------------------------------------------------


def _parcels_page(
    request, prop, properties=None, *, form=None, hand_over=None, errors=(), status=200
):
    """`hand_over`: (parcel, form) shown in the hand-over panel, or None."""
    properties = properties or _desk_properties(request)
    now = timezone.now()
    waiting = desk_queries.waiting_parcels(prop, now)
    if hand_over is None and request.GET.get("hand_over", "").isdigit():
        chosen = int(request.GET["hand_over"])
        parcel = next((row.parcel for row in waiting if row.parcel.pk == chosen), None)
        if parcel is not None:
            hand_over = (parcel, desk_forms.HandOverForm())
    return _render(
        request,
        "frontdesk/desk/parcels.html",
        prop,
        properties,
        {
            "page_name": "desk_parcels",
            "form": form or desk_forms.ParcelForm(units=desk_queries.property_units(prop)),
            "waiting": waiting,
            "collected": desk_queries.collected_parcels(prop, prop.today(now)),
            "hand_over": hand_over,
            "errors": errors,
        },
        status,
    )


@staff_required
@require_GET
def parcels(request):
    """Register a parcel; the parcels waiting, oldest first; collected today."""
    prop, properties = _chosen_property(request)
    return _parcels_page(request, prop, properties)


@staff_required
@require_POST
def parcel_new(request):
    prop, properties = _chosen_property(request)
    form = desk_forms.ParcelForm(request.POST, units=desk_queries.property_units(prop))
    if form.is_valid():
        try:
            parcel = desk_services.parcel_register(
                property=prop, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # The pickup code is shown this once (it went to the residents by SMS).
            messages.success(
                request,
                _(
                    "Parcel for %(unit)s on shelf %(shelf)s. Pickup code: %(code)s "
                    "(sent to the residents)."
                )
                % {"unit": parcel.unit.label, "shelf": parcel.shelf, "code": parcel.pickup_code},
                extra_tags="pickup",
            )
            return redirect(_page_url("desk_parcels", prop))
    return _parcels_page(request, prop, properties, form=form, errors=_not_saved(), status=400)


@staff_required
@require_POST
def parcel_hand_over(request, pk: int):
    parcel = _or_404(desk_queries.parcel_for, request, pk)
    form = desk_forms.HandOverForm(request.POST)
    error = None
    if form.is_valid():
        try:
            desk_services.parcel_hand_over(
                parcel=parcel,
                by=request.user,
                collected_by_name=form.cleaned_data["collected_by_name"],
                code=form.cleaned_data["code"],
                signature=form.cleaned_data["signature"],
            )
        except ValidationError as exc:
            error = exc
        else:
            done = _("Parcel handed over to %(name)s.") % {
                "name": form.cleaned_data["collected_by_name"]
            }
            return _back(request, "desk_parcels", parcel.property, done)
    # A parcel still waiting keeps its hand-over panel, with what was typed, to try again.
    waiting = parcel.collected_at is None
    return _parcels_page(
        request,
        parcel.property,
        hand_over=(parcel, form) if waiting else None,
        errors=_not_saved() if waiting and error is None else _errors(form, error),
        status=400,
    )


@staff_required
@require_GET
def parcel_signature(request, pk: int):
    return file_response(_or_404(desk_queries.parcel_for, request, pk).signature)


# --- keys ------------------------------------------------------------------------------------------


def _keys_page(request, prop, properties=None, *, form=None, errors=(), status=200):
    properties = properties or _desk_properties(request)
    return _render(
        request,
        "frontdesk/desk/keys.html",
        prop,
        properties,
        {
            "page_name": "desk_keys",
            "keys": desk_queries.keys_held(prop),
            "form": form or desk_forms.KeyDepositForm(units=desk_queries.property_units(prop)),
            "errors": errors,
        },
        status,
    )


@staff_required
@require_GET
def keys(request):
    """The keys in custody, in or out, and the form to deposit one."""
    prop, properties = _chosen_property(request)
    return _keys_page(request, prop, properties)


@staff_required
@require_POST
def key_new(request):
    prop, properties = _chosen_property(request)
    form = desk_forms.KeyDepositForm(request.POST, units=desk_queries.property_units(prop))
    if form.is_valid():
        try:
            key = desk_services.key_deposit(property=prop, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            done = _("Key %(label)s is in custody.") % {"label": key.label}
            return _back(request, "desk_keys", prop, done)
    return _keys_page(request, prop, properties, form=form, errors=_not_saved(), status=400)


def _key_page(request, key: KeyDeposit, *, form=None, errors=(), status=200):
    with timezone.override(key.property.zone):
        return render(
            request,
            "frontdesk/desk/key.html",
            {
                "key": key,
                "movements": list(key.movements.all()),
                "form": form or desk_forms.KeyMoveForm(),
                "errors": errors,
            },
            status=status,
        )


@staff_required
@require_GET
def key_detail(request, pk: int):
    return _key_page(request, _or_404(desk_queries.key_for, request, pk))


def _key_move(request, pk: int, move, done: str):
    key = _or_404(desk_queries.key_for, request, pk)
    form = desk_forms.KeyMoveForm(request.POST)
    error = None
    if form.is_valid():
        try:
            move(key=key, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, done % {"label": key.label})
            return redirect("desk_key", pk=key.pk)
    if error is None:
        return _key_page(request, key, form=form, errors=_not_saved(), status=400)
    # Refused: the key as it is now (somebody may have moved it meanwhile), with a fresh form.
    key = _or_404(desk_queries.key_for, request, pk)
    return _key_page(request, key, errors=error.messages, status=400)


@staff_required
@require_POST
def key_hand_out(request, pk: int):
    return _key_move(request, pk, desk_services.key_hand_out, _("Key %(label)s handed out."))


@staff_required
@require_POST
def key_return(request, pk: int):
    return _key_move(request, pk, desk_services.key_return, _("Key %(label)s is back."))


@staff_required
@require_GET
def key_signature(request, pk: int, movement_id: int):
    movement = _or_404(desk_queries.key_movement_for, request, pk, movement_id)
    return file_response(movement.signature)


# --- lost and found ---------------------------------------------------------------------------------


def _lost_page(request, prop, properties=None, *, form=None, errors=(), status=200):
    properties = properties or _desk_properties(request)
    return _render(
        request,
        "frontdesk/desk/lost.html",
        prop,
        properties,
        {
            "page_name": "desk_lost",
            "items": desk_queries.unclaimed_items(prop),
            "claimed": desk_queries.recently_claimed(prop, timezone.now()),
            "days": desk_queries.RECENTLY_CLAIMED_DAYS,
            "form": form or desk_forms.LostItemForm(),
            "claim_form": desk_forms.ClaimForm(auto_id=False),
            "errors": errors,
        },
        status,
    )


@staff_required
@require_GET
def lost(request):
    """Lost and found: register a found item; the unclaimed items, each with a claim form."""
    prop, properties = _chosen_property(request)
    return _lost_page(request, prop, properties)


@staff_required
@require_POST
def lost_new(request):
    prop, properties = _chosen_property(request)
    with timezone.override(prop.zone):  # "found at" is typed in the property's local time
        form = desk_forms.LostItemForm(request.POST)
        valid = form.is_valid()
    if valid:
        try:
            item = desk_services.lost_item_register(
                property=prop, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            done = _("Found item registered: %(what)s.") % {"what": item.description}
            return _back(request, "desk_lost", prop, done)
    return _lost_page(request, prop, properties, form=form, errors=_not_saved(), status=400)


@staff_required
@require_POST
def lost_claim(request, pk: int):
    item = _or_404(desk_queries.lost_item_for, request, pk)
    form = desk_forms.ClaimForm(request.POST)
    error = None
    if form.is_valid():
        try:
            desk_services.lost_item_claim(item=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            error = exc
        else:
            done = _("%(what)s handed to %(name)s.") % {
                "what": item.description,
                "name": form.cleaned_data["claimed_by"],
            }
            return _back(request, "desk_lost", item.property, done)
    return _lost_page(request, item.property, errors=_errors(form, error), status=400)


urlpatterns = [
    path("desk/visitors/", visitors, name="desk_visitors"),
    path("desk/visitors/new/", visitor_new, name="desk_visitor_new"),
    path("desk/visitors/<int:pk>/arrive/", visitor_arrive, name="desk_visitor_arrive"),
    path("desk/visitors/<int:pk>/leave/", visitor_leave, name="desk_visitor_leave"),
    path("desk/messages/", messages_page, name="desk_messages"),
    path("desk/messages/new/", message_new, name="desk_message_new"),
    path("desk/messages/mine/", my_messages, name="my_messages"),
    path("desk/messages/<int:pk>/", message_detail, name="desk_message"),
    path("desk/messages/<int:pk>/read/", message_read, name="desk_message_read"),
    path("desk/parcels/", parcels, name="desk_parcels"),
    path("desk/parcels/new/", parcel_new, name="desk_parcel_new"),
    path("desk/parcels/<int:pk>/hand-over/", parcel_hand_over, name="desk_parcel_hand_over"),
    path("desk/parcels/<int:pk>/signature/", parcel_signature, name="desk_parcel_signature"),
    path("desk/keys/", keys, name="desk_keys"),
    path("desk/keys/new/", key_new, name="desk_key_new"),
    path("desk/keys/<int:pk>/", key_detail, name="desk_key"),
    path("desk/keys/<int:pk>/hand-out/", key_hand_out, name="desk_key_hand_out"),
    path("desk/keys/<int:pk>/return/", key_return, name="desk_key_return"),
    path(
        "desk/keys/<int:pk>/movements/<int:movement_id>/signature/",
        key_signature,
        name="desk_key_signature",
    ),
    path("desk/lost/", lost, name="desk_lost"),
    path("desk/lost/new/", lost_new, name="desk_lost_new"),
    path("desk/lost/<int:pk>/claim/", lost_claim, name="desk_lost_claim"),
]
