"""Moved to frontdesk.policy: kept only while callers move over."""

from frontdesk.policy import *  # noqa: F403
from frontdesk.policy import (
    CASHIERS,
    DESK,
    SUPERVISORS,
    Property,
    Role,
    _memberships,  # noqa: F401
)

RESIDENT_EDITORS = REPAIR_DESK = CALLBACK_DESK = COMPLAINT_DESK = DESK
PORTAL_ISSUERS = {Role.CLERK, Role.ASSISTANT, Role.SUPERVISOR}
HOLIDAY_EDITORS = CALLBACK_SUPERVISORS = COMPLAINT_SUPERVISORS = SUPERVISORS
REPAIR_CASHIERS = CASHIERS


def may(user, allowed, property_id):
    return bool(roles_at(user, property_id) & set(allowed))  # noqa: F405


def properties_where(user, allowed):
    if user.is_authenticated and user.is_superuser:
        return Property.objects.all()
    return Property.objects.filter(memberships__user=user, memberships__role__in=allowed).distinct()
