"""What the callback pages' tests share (test_queue_pages.py, test_callback_record_pages.py,
test_callback_flagged_pages.py): the moment N the pages are read at, a repair completed so that
its callback falls due when a test says, another property's order, the supervisor's browser."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from frontdesk.models import Membership
from tests.clock import at
from tests.conftest import staff_at
from tests.factories import DepartmentFactory, UserFactory, repair_completed
from visits.models import Callback

N = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # "now" on the pages: 10:00 in Shanghai


@pytest.fixture
def boss(client, supervisor):
    client.force_login(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def completed(prop, clerk, engineer, *, due_in: timedelta, **fields):
    """A repair whose callback falls due `due_in` after N (negative: already overdue)."""
    with at(N + due_in - timedelta(hours=prop.repair_callback_hours)):
        return repair_completed(prop, clerk=clerk, engineer=engineer, **fields)


def callback_of(order) -> Callback:
    return order.callbacks.get(kind=Callback.Kind.REPAIR, status=Callback.Status.OPEN)


def foreign_order(elsewhere, *, due_in=timedelta(hours=5)):
    desk_clerk = staff_at(elsewhere, "clerk")
    fixer = UserFactory()
    department = DepartmentFactory(property=elsewhere)
    Membership.objects.create(
        user=fixer, property=elsewhere, role="engineer", department=department
    )
    return completed(
        elsewhere, desk_clerk, fixer, due_in=due_in, department=department, description="翠湖渗水"
    )
