"""What the desk's pages of passes, decoration, the shift and the resident portal's day share:
the property a page is for, its links, its local day and clock, the form's messages, and a
record not found (404)."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from frontdesk.desk.models import (
    DecorationApplication,
    PhoneMessage,
    RectificationNotice,
    ReleasePass,
    ShiftHandover,
)
from frontdesk.models import Property


def pick_property(request, properties: list[Property]) -> Property:
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


def page_url(name: str, prop: Property, *args, **params) -> str:
    query = urlencode({"property": prop.pk, **params})
    return f"{reverse(name, args=args)}?{query}"


def form_errors(form) -> list[str]:
    return [m for errors in form.errors.values() for m in errors]


def render_at(request, prop: Property, template: str, context: dict, status: int):
    """Render with the property's clock: its times and dates are the desk's."""
    with timezone.override(prop.zone):
        return render(request, template, context, status=status)


def or_404(get):
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
