"""The desk's shift: the handover between shifts and the supervisor's daily work ledger. Every
action's effect, every page's content, bad input refused with the service's message and nothing
changed, another property's objects not found, and a fixed number of queries whatever the
rows."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontdesk.desk import registers_services, shift_services
from frontdesk.desk.models import DailyLedger, ShiftHandover
from tests.clock import frozen_at
from tests.frontdesk.conftest import NOW, TODAY, login, section
from tests.helpers import text

clock = frozen_at(NOW)


@pytest.fixture
def lin_fields(unit):
    return {"unit": unit}


@pytest.fixture
def lin_account():
    return {"username": "lin"}


# --- the shift handover -------------------------------------------------------------------------


def some_work(prop, clerk, unit):
    registers_services.visitor_register(
        property=prop, by=clerk, name="访客甲", purpose="送货", unit=unit
    )
    registers_services.visitor_register(
        property=prop, by=clerk, name="访客乙", purpose="看房", unit=unit
    )
    registers_services.parcel_register(
        property=prop, by=clerk, unit=unit, carrier="顺丰", shelf="A3"
    )


def count_of(response, label: str) -> str:
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td></tr>", text(response))
    return dict(rows)[label]


def test_the_handover_page_shows_what_the_shift_did_from_the_records(
    desk, sunshine, lin, clerk, clock
):
    clock.move_to(datetime(2026, 11, 24, 15, 30, tzinfo=UTC))  # 23:30 yesterday, local
    registers_services.visitor_register(
        property=sunshine, by=clerk, name="昨晚", purpose="x", unit=lin.units.get()
    )
    clock.move_to(NOW)
    some_work(sunshine, clerk, lin.units.get())

    response = desk.get(reverse("desk_handover"))

    assert response.status_code == 200
    assert "2026-11-25" in text(response)
    assert count_of(response, "Visitors registered") == "2"
    assert count_of(response, "Parcels registered") == "1"
    assert count_of(response, "Parcels still waiting") == "1"
    assert count_of(response, "Repairs received") == "0"
    assert count_of(response, "Payments total (yuan)") == "0.00"
    # The shift types only what is pending.
    form = text(response).split('id="hand-over"', 1)[1].split("</form>", 1)[0]
    fields = re.findall(r'name="([a-z_]+)"', form)
    assert set(fields) - {"csrfmiddlewaretoken"} == {"shift", "pending"}


def test_the_shift_hands_over_and_the_next_clerk_takes_over(
    desk, client, sunshine, lin, clerk, assistant
):
    some_work(sunshine, clerk, lin.units.get())

    response = desk.post(
        reverse("desk_handover_record"), {"shift": "day", "pending": "1-1203 的快递请晚班提醒业主"}
    )

    handover = ShiftHandover.objects.get()
    assert response.status_code == 302
    assert (handover.day, handover.shift, handover.handed_over_by) == (TODAY, "day", clerk)
    assert handover.pending == "1-1203 的快递请晚班提醒业主"
    assert handover.done == shift_services.day_counts(sunshine, TODAY)
    assert handover.done["visitors_arrived"] == 2
    mine = section(desk.get(response.url), "latest")
    assert "1-1203 的快递请晚班提醒业主" in mine and "Day shift" in mine
    assert "Waiting for the next shift" in mine and "Take over" not in mine
    # The next shift's form offers the evening.
    assert 'value="evening" selected' in text(desk.get(response.url))

    login(client, assistant)
    theirs = client.get(reverse("desk_handover"))
    assert "Take over" in section(theirs, "latest")
    taken = client.post(reverse("desk_handover_take_over", args=[handover.pk]))
    handover.refresh_from_db()
    assert taken.status_code == 302
    assert (handover.taken_over_by, handover.taken_over_at) == (assistant, NOW)
    assert "李助理" in section(client.get(reverse("desk_handover")), "latest")

    again = client.post(reverse("desk_handover_take_over", args=[handover.pk]))
    assert again.status_code == 400
    assert "This handover has already been taken over." in text(again)


def test_a_second_handover_for_the_same_shift_is_refused(desk, sunshine, clerk):
    shift_services.handover_record(
        property=sunshine, by=clerk, day=TODAY, shift="day", pending="第一次"
    )

    response = desk.post(reverse("desk_handover_record"), {"shift": "day", "pending": "第二次"})

    assert response.status_code == 400
    assert "This shift has already handed over." in text(response)
    assert list(ShiftHandover.objects.values_list("pending", flat=True)) == ["第一次"]


def test_the_clerk_who_handed_over_cannot_take_over_too(desk, sunshine, clerk):
    handover = shift_services.handover_record(
        property=sunshine, by=clerk, day=TODAY, shift="day", pending=""
    )

    response = desk.post(reverse("desk_handover_take_over", args=[handover.pk]))

    assert response.status_code == 400
    assert "The next shift takes over, not the one handing over." in text(response)
    handover.refresh_from_db()
    assert handover.taken_over_at is None


def test_another_propertys_handover_is_not_found(desk, elsewhere, far_clerk, sunshine):
    far = shift_services.handover_record(
        property=elsewhere, by=far_clerk, day=TODAY, shift="day", pending="外面的事"
    )

    take = desk.post(reverse("desk_handover_take_over", args=[far.pk]))
    page = desk.get(f"{reverse('desk_handover')}?property={elsewhere.pk}")
    record = desk.post(
        f"{reverse('desk_handover_record')}?property={elsewhere.pk}", {"shift": "evening"}
    )

    assert (take.status_code, page.status_code, record.status_code) == (404, 404, 404)
    far.refresh_from_db()
    assert far.taken_over_at is None
    assert ShiftHandover.objects.count() == 1
    assert "外面的事" not in text(desk.get(reverse("desk_handover")))


def test_the_handover_page_runs_a_fixed_number_of_queries(
    desk, sunshine, clerk, assistant, django_assert_num_queries
):
    shift_services.handover_record(
        property=sunshine, by=assistant, day=TODAY, shift="day", pending="a"
    )
    with CaptureQueriesContext(connection) as one:
        assert desk.get(reverse("desk_handover")).status_code == 200
    for n in range(1, 6):
        shift_services.handover_record(
            property=sunshine,
            by=assistant,
            day=TODAY - timedelta(days=n),
            shift="night",
            pending=f"p{n}",
        )
    with django_assert_num_queries(len(one.captured_queries)):
        response = desk.get(reverse("desk_handover"))
    assert "p5" in section(response, "latest")


# --- the daily work ledger ----------------------------------------------------------------------


@pytest.fixture
def boss(client, supervisor):
    return login(client, supervisor)


def test_the_ledger_defaults_to_the_local_day(desk, sunshine, clock):
    clock.move_to(datetime(2026, 11, 24, 17, 30, tzinfo=UTC))  # 01:30 on the 25th in Shanghai

    response = desk.get(reverse("desk_ledger"))

    assert response.status_code == 200
    assert "Daily work ledger" in text(response) and "阳光花园 · 2026-11-25" in text(response)
    assert "Not signed yet." in text(response)


def test_the_ledger_shows_the_days_figures_and_handovers(desk, sunshine, lin, clerk, assistant):
    some_work(sunshine, clerk, lin.units.get())
    shift_services.handover_record(
        property=sunshine, by=clerk, day=TODAY, shift="day", pending="电梯维保明早九点"
    )

    response = desk.get(reverse("desk_ledger"), {"day": "2026-11-25"})

    assert count_of(response, "Visitors registered") == "2"
    handovers = section(response, "handovers")
    assert (
        "Day shift" in handovers
        and "电梯维保明早九点" in handovers
        and "Not taken over" in handovers
    )
    assert "Sign the ledger" not in text(response)  # a clerk does not sign


def test_the_supervisor_signs_the_ledger_once(boss, sunshine, lin, clerk, supervisor):
    some_work(sunshine, clerk, lin.units.get())
    assert "Sign the ledger of 2026-11-25" in text(boss.get(reverse("desk_ledger")))

    response = boss.post(reverse("desk_ledger_sign"), {"day": "2026-11-25", "note": "一切正常"})

    ledger = DailyLedger.objects.get()
    assert response.status_code == 302
    assert response.url == f"{reverse('desk_ledger')}?property={sunshine.pk}&day=2026-11-25"
    assert (ledger.day, ledger.signed_by, ledger.note, ledger.signed_at) == (
        TODAY,
        supervisor,
        "一切正常",
        NOW,
    )
    assert ledger.totals == shift_services.day_counts(sunshine, TODAY)

    # Later records do not change the figures as signed.
    registers_services.visitor_register(
        property=sunshine, by=clerk, name="晚来的", purpose="x", unit=lin.units.get()
    )
    page = boss.get(response.url)
    assert "Signed by 张主管 on 2026-11-25 10:00." in text(page)
    assert "一切正常" in text(page)
    assert count_of(page, "Visitors registered") == "2"
    assert "Sign the ledger" not in text(page)
    days = section(page, "days")
    assert "2026-11-25 Signed 张主管" in days and "2026-11-24 Not signed" in days

    again = boss.post(reverse("desk_ledger_sign"), {"day": "2026-11-25", "note": "再签"})
    assert again.status_code == 400
    assert "The ledger of 2026-11-25 is already signed." in text(again)
    assert list(DailyLedger.objects.values_list("note", flat=True)) == ["一切正常"]


def test_a_clerk_cannot_sign_the_ledger(desk, sunshine):
    response = desk.post(reverse("desk_ledger_sign"), {"day": "2026-11-25", "note": "我签"})

    assert response.status_code == 403
    assert "Only a supervisor signs the daily ledger." in text(response)
    assert not DailyLedger.objects.exists()


def test_a_day_not_yet_come_cannot_be_signed(boss, sunshine):
    page = boss.get(reverse("desk_ledger"), {"day": "2026-11-26"})
    response = boss.post(reverse("desk_ledger_sign"), {"day": "2026-11-26"})

    assert "This day has not happened yet." in text(page) and "Sign the ledger" not in text(page)
    assert response.status_code == 400
    assert "A day that has not happened yet cannot be signed." in text(response)
    assert not DailyLedger.objects.exists()


def test_a_past_day_is_signed_with_that_days_figures(boss, sunshine, lin, clerk, clock):
    clock.move_to(NOW - timedelta(days=2))
    some_work(sunshine, clerk, lin.units.get())
    clock.move_to(NOW)

    boss.post(reverse("desk_ledger_sign"), {"day": "2026-11-23"})

    ledger = DailyLedger.objects.get()
    assert ledger.day == date(2026, 11, 23) and ledger.totals["visitors_arrived"] == 2
    days = section(boss.get(reverse("desk_ledger")), "days")
    assert "2026-11-23 Signed" in days and "2026-11-25 Not signed" in days
    assert "2026-11-12" in days and "2026-11-11" not in days  # fourteen days


def test_a_malformed_day_is_refused(desk, sunshine):
    response = desk.get(reverse("desk_ledger"), {"day": "25/11/2026"})

    assert response.status_code == 400
    assert "Give the day as YYYY-MM-DD." in text(response)


def test_another_propertys_ledger_is_not_found(boss, elsewhere):
    page = boss.get(reverse("desk_ledger"), {"property": elsewhere.pk})
    sign = boss.post(
        f"{reverse('desk_ledger_sign')}?property={elsewhere.pk}", {"day": "2026-11-25"}
    )

    assert (page.status_code, sign.status_code) == (404, 404)
    assert not DailyLedger.objects.exists()


def test_the_ledger_page_runs_a_fixed_number_of_queries(
    desk, sunshine, clerk, assistant, supervisor, django_assert_num_queries
):
    shift_services.handover_record(property=sunshine, by=clerk, day=TODAY, shift="day", pending="a")
    shift_services.ledger_sign(property=sunshine, by=supervisor, day=TODAY - timedelta(days=1))
    url = f"{reverse('desk_ledger')}?day=2026-11-25"
    with CaptureQueriesContext(connection) as one:
        assert desk.get(url).status_code == 200
    shift_services.handover_record(
        property=sunshine, by=clerk, day=TODAY, shift="evening", pending="b"
    )
    shift_services.handover_record(
        property=sunshine, by=clerk, day=TODAY, shift="night", pending="c"
    )
    for n in range(2, 6):
        shift_services.ledger_sign(property=sunshine, by=supervisor, day=TODAY - timedelta(days=n))

    with django_assert_num_queries(len(one.captured_queries)):
        response = desk.get(url)
    assert "Night shift" in section(response, "handovers")
