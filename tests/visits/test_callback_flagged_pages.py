"""The supervisor's flagged callbacks page and closing a callback as missed, with a reason."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.clock import at
from tests.conftest import staff_at
from tests.helpers import text
from tests.visits.conftest import N, callback_of, completed, foreign_order
from visits import services
from visits.models import Callback

# --- the supervisor ----------------------------------------------------------------------------


def test_the_flagged_page_lists_flagged_and_overdue_callbacks_only(
    boss, sunshine, elsewhere, clerk, engineer
):
    calm = completed(sunshine, clerk, engineer, due_in=timedelta(hours=30))
    late = completed(sunshine, clerk, engineer, due_in=-timedelta(hours=2))
    flagged = completed(sunshine, clerk, engineer, due_in=timedelta(hours=20))
    for minutes in (30, 20, 10):
        with at(N - timedelta(minutes=minutes)):
            services.callback_record_unreached(callback=callback_of(flagged), by=clerk)
    foreign_order(elsewhere, due_in=-timedelta(hours=2))

    with at(N):
        response = boss.get(reverse("callback_flagged"))

    assert response.status_code == 200
    assert [item["c"].pk for item in response.context["items"]] == [
        callback_of(late).pk,
        callback_of(flagged).pk,
    ]
    page = text(response)
    assert calm.number not in page and "翠湖渗水" not in page
    assert "overdue by 2 h" in page and "Flagged" in page
    assert reverse("callback_close", args=[callback_of(late).pk]) in page


def test_the_supervisor_closes_a_callback_as_missed(boss, supervisor, sunshine, clerk, engineer):
    late = callback_of(completed(sunshine, clerk, engineer, due_in=-timedelta(hours=2)))

    with at(N):
        response = boss.post(reverse("callback_close", args=[late.pk]), {"reason": "号码已停机"})

    assert response.status_code == 302 and response.url == reverse("callback_flagged")
    late.refresh_from_db()
    assert late.status == Callback.Status.DONE and late.timing == Callback.Timing.MISSED
    assert late.close_reason == "号码已停机" and late.done_by == supervisor


def test_closing_without_a_reason_is_refused_and_changes_nothing(boss, sunshine, clerk, engineer):
    late = callback_of(completed(sunshine, clerk, engineer, due_in=-timedelta(hours=2)))

    with at(N):
        response = boss.post(reverse("callback_close", args=[late.pk]), {"reason": "  "})

    assert response.status_code == 400
    assert "Give the reason for closing the callback." in text(response)
    late.refresh_from_db()
    assert late.status == Callback.Status.OPEN


def test_closing_a_callback_already_finished_is_refused(boss, sunshine, clerk, engineer):
    late = callback_of(completed(sunshine, clerk, engineer, due_in=-timedelta(hours=2)))
    with at(N):
        services.callback_record_reached(callback=late, by=clerk, solved=True, satisfaction=4)
        response = boss.post(reverse("callback_close", args=[late.pk]), {"reason": "停机"})

    assert response.status_code == 400
    assert "This callback is already finished." in text(response)
    late.refresh_from_db()
    assert late.timing == Callback.Timing.LATE and late.close_reason == ""


@pytest.mark.parametrize("role", ["clerk", "assistant", "engineer", "department_manager"])
def test_only_supervisors_and_project_managers_see_the_flagged_page(
    client, sunshine, clerk, engineer, role
):
    late = callback_of(completed(sunshine, clerk, engineer, due_in=-timedelta(hours=2)))
    client.force_login(staff_at(sunshine, role))

    assert client.get(reverse("callback_flagged")).status_code == 404
    response = client.post(reverse("callback_close", args=[late.pk]), {"reason": "停机"})
    assert response.status_code == 404
    assert Callback.objects.get(pk=late.pk).status == Callback.Status.OPEN


def test_a_project_manager_sees_the_flagged_page(client, sunshine):
    client.force_login(staff_at(sunshine, "project_manager"))

    assert client.get(reverse("callback_flagged")).status_code == 200
