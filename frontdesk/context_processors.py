from django.conf import settings
from django.utils import timezone

from frontdesk import access, queries
from frontdesk.models import Role


def shell(request):
    """What the base layout needs: the role's navigation and the stopped-beat warning."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    is_staff = access.is_staff_member(user)
    context = {"is_staff_member": is_staff, "unread_notices": queries.unread_notice_count(user)}
    if is_staff:
        roles = access.roles_anywhere(user)
        context.update(
            is_engineer=Role.ENGINEER in roles,
            works_the_desk=bool(roles & access.REPAIR_DESK),
            takes_payments=bool(roles & access.REPAIR_CASHIERS),
            runs_billing=bool(roles & {Role.SUPERVISOR, Role.PROJECT_MANAGER, Role.FINANCE}),
            supervises=bool(roles & {Role.SUPERVISOR, Role.PROJECT_MANAGER}),
            # Engineers and department managers work complaints sent to their department.
            in_a_department=bool(roles & {Role.ENGINEER, Role.DEPARTMENT_MANAGER}),
            sees_escalations=bool(
                roles & {Role.SUPERVISOR, Role.PROJECT_MANAGER, Role.DEPARTMENT_MANAGER}
            ),
        )
        stale, last = queries.sweep_stale(timezone.now(), settings.SWEEP_STALE_AFTER_SECONDS)
        context.update(
            sweep_stale=stale,
            sweep_last=last,
            holiday_years_missing=queries.holiday_years_missing(user, timezone.localdate()),
            holiday_property=access.properties_where(user, access.HOLIDAY_EDITORS).first(),
            this_year=timezone.localdate().year,
        )
    return context
