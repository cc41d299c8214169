from django.conf import settings
from django.utils import timezone
from django.utils.translation import pgettext

from frontdesk import policy, queries, sweep


def shell(request):
    """What the base layout needs: the role's navigation and the stopped-beat warning."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    is_staff = policy.is_staff_member(user)
    context = {"is_staff_member": is_staff, "unread_notices": queries.unread_notice_count(user)}
    if is_staff:
        held = policy.held_anywhere(user)
        context.update(
            is_engineer="repair.work" in held,
            works_the_desk="repair.take" in held,
            takes_payments="payment.take" in held,
            runs_billing="fees.generate" in held,
            supervises="report.read" in held,
            # Engineers and department managers work complaints sent to their department.
            in_a_department="complaint.department" in held,
            sees_escalations="escalation.read" in held,
        )
        stale, last, failed = queries.sweep_stale(
            timezone.now(), settings.SWEEP_STALE_AFTER_SECONDS
        )
        context.update(
            sweep_stale=stale,
            sweep_last=last,
            # What people call the steps that failed in the last run, for the banner.
            sweep_failed_steps=pgettext("list separator", ", ").join(
                str(sweep.label(name)) for name in failed
            ),
            holiday_years_missing=queries.holiday_years_missing(user, timezone.localdate()),
            holiday_property=policy.properties_with(user, "holiday.edit").first(),
            this_year=timezone.localdate().year,
        )
    return context
