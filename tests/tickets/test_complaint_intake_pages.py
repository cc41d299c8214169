"""The desk's complaint intake from every channel, its refusals, and the resident card's list."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.clock import at
from tests.conftest import staff_at
from tests.factories import (
    BuildingFactory,
    DepartmentFactory,
    UnitFactory,
    complaint_received,
)
from tests.helpers import browser, count_queries, kinds, text
from tests.tickets.conftest import T
from tickets.models import Complaint, ComplaintEvent
from visits.models import Callback

State = Complaint.State


@pytest.fixture
def lin_fields(unit_1203):
    return {"unit": unit_1203}


def new_url(resident=None) -> str:
    url = reverse("complaint_new")
    return f"{url}?resident={resident.pk}" if resident else url


def intake(**overrides) -> dict:
    data = {
        "kind": "complaint",
        "channel": "phone",
        "category": "lift",
        "description": "3号电梯停在8楼不动",
        "happened_at": "2026-11-24T09:30",
        "direct_impact": "on",
        "temperament": "angry",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- intake --------------------------------------------------------------------------------------


def test_a_phone_complaint_from_the_resident_card_is_received_and_dispatched(
    desk, sunshine, lin, assistant, engineering, detail
):
    page = desk.get(new_url(lin))
    assert page.status_code == 200
    assert "林晓峰" in text(page)
    assert page.context["form"].initial["contact_phone"] == "13812345678"

    with at(T):
        response = desk.post(
            new_url(lin),
            intake(
                unit=lin.units.get().pk,
                contact_phone="13812345678",
                owner=assistant.pk,
                department=engineering.pk,
                service_order="立即检修3号电梯",
            ),
            follow=True,
        )

    c = Complaint.objects.get()
    assert response.redirect_chain == [(detail(c), 302)]
    assert "Complaint TS2611240001 received." in text(response)
    assert c.resident == lin and c.unit == lin.units.get() and c.complainant_name == "林晓峰"
    assert c.channel == "phone" and c.temperament == "angry" and c.direct_impact
    # Typed as Shanghai time: 09:30 local is 01:30 UTC.
    assert c.happened_at == datetime(2026, 11, 24, 1, 30, tzinfo=UTC)
    assert c.state == State.DISPATCHED and c.department == engineering
    assert c.service_order == "立即检修3号电梯" and c.owner == assistant
    assert c.fix_due_at == T + timedelta(hours=2)
    assert c.callbacks.filter(kind=Callback.Kind.COMPLAINT_REPLY, status="open").exists()
    assert kinds(c) == ["received", "handed_over", "dispatched"]


@pytest.mark.parametrize("channel", ["letter", "other", "phone"])
def test_a_visitor_complaint_from_each_channel(desk, sunshine, channel, detail):
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="2"), number="0501")
    with at(T):
        response = desk.post(
            new_url(),
            intake(
                channel=channel,
                kind="suggestion",
                complainant_name="周先生",
                complainant_company="星海贸易",
                unit=unit.pk,
                contact_phone="13900001111",
                direct_impact=None,
                temperament="rational",
            ),
        )

    c = Complaint.objects.get()
    assert response.status_code == 302 and response.url == detail(c)
    assert (c.channel, c.kind, c.complainant_name, c.complainant_company) == (
        channel,
        "suggestion",
        "周先生",
        "星海贸易",
    )
    assert c.resident is None and c.unit == unit and c.contact_phone == "13900001111"
    assert c.state == State.RECEIVED and c.department is None
    assert c.reply_due_at is not None  # not answered on the spot: a reply within three days


def test_a_walk_in_complaint_is_handed_to_the_assistant(desk, sunshine, lin, assistant):
    with at(T):
        response = desk.post(
            new_url(lin), intake(channel="walk_in", answered_on_spot="on", owner=assistant.pk)
        )

    c = Complaint.objects.get()
    assert response.status_code == 302
    assert c.channel == "walk_in" and c.owner == assistant
    assert c.answered_on_spot and c.replied_at == T and c.reply_due_at is None
    assert kinds(c) == ["received", "handed_over"]
    assert c.events.get(kind="handed_over").note == "李助理"


def test_a_walk_in_complaint_without_an_assistant_is_refused(desk, sunshine, lin, assistant):
    response = desk.post(new_url(lin), intake(channel="walk_in"))

    assert response.status_code == 400
    assert "Hand a complaint taken at the lobby desk to a customer-service assistant." in text(
        response
    )
    assert not Complaint.objects.exists()


def test_an_assistant_taking_a_walk_in_follows_it_themselves(sunshine, lin, assistant):
    response = browser(assistant).post(new_url(lin), intake(channel="walk_in"))

    assert response.status_code == 302
    assert Complaint.objects.get().owner == assistant


def test_an_empty_description_is_refused_and_nothing_is_written(desk, lin):
    response = desk.post(new_url(lin), intake(description=""))

    assert response.status_code == 400
    assert "Describe what the complaint is about." in text(response)
    assert not Complaint.objects.exists()
    assert not ComplaintEvent.objects.exists()


def test_a_visitor_needs_a_name_and_a_future_happening_is_refused(desk, sunshine):
    response = desk.post(new_url(), intake())
    assert response.status_code == 400
    assert "Give the complainant&#x27;s name." in text(response)

    with at(T):
        response = desk.post(
            new_url(), intake(complainant_name="周先生", happened_at="2026-11-24T11:00")
        )
    assert response.status_code == 400
    assert "The problem cannot have happened in the future." in text(response)
    assert not Complaint.objects.exists()


def test_a_letter_cannot_be_answered_on_the_spot(desk, lin):
    response = desk.post(new_url(lin), intake(channel="letter", answered_on_spot="on"))

    assert response.status_code == 400
    assert "A letter or an online complaint cannot be answered on the spot" in text(response)
    assert not Complaint.objects.exists()


def test_the_page_shows_the_advice_for_each_temperament_and_the_words_never_to_say(desk, lin):
    page = text(desk.get(new_url(lin)))

    assert "Let them vent without interrupting." in page
    assert "ask what they would like done" in page
    assert "state the facts plainly" in page
    for words in ("不清楚", "不知道", "没办法解决", "我们不管"):
        assert words in page
    assert "“I don&#x27;t know”" in page  # the English gloss
    assert "advice-angry chosen" not in page


def test_the_angry_complainants_advice_is_highlighted(desk, lin):
    response = desk.post(new_url(lin), intake(description="", temperament="angry"))

    page = text(response)
    assert response.status_code == 400
    assert 'class="advice advice-angry chosen"' in page
    assert 'class="advice advice-rational"' in page
    assert re.search(r'<input type="radio" name="temperament" value="angry"[^>]* checked', page)


def test_the_complaint_page_shows_the_advice_for_its_temperament(desk, lift, detail):
    page = text(desk.get(detail(lift)))

    assert "The complainant is Angry" in page
    assert "Let them vent without interrupting." in page
    assert "state the facts plainly" not in page
    assert "没办法解决" in page


def test_another_propertys_resident_is_not_found_on_intake(desk, foreign_resident):
    assert desk.get(new_url(foreign_resident)).status_code == 404
    assert desk.post(new_url(foreign_resident), intake()).status_code == 404
    assert not Complaint.objects.exists()


def test_the_follower_and_the_department_are_chosen_from_the_property(
    desk, sunshine, elsewhere, lin, assistant
):
    foreign_assistant = staff_at(elsewhere, "assistant")
    foreign_department = DepartmentFactory(property=elsewhere, name="翠湖工程部")
    page = desk.get(new_url(lin))
    owners = list(page.context["form"].fields["owner"].queryset)
    assert owners == [assistant]

    response = desk.post(
        new_url(lin), intake(owner=foreign_assistant.pk, department=foreign_department.pk)
    )
    assert response.status_code == 400
    assert "Select a valid choice." in text(response)
    assert not Complaint.objects.exists()


def test_with_several_properties_the_clerk_chooses_one_first(sunshine, elsewhere, clerk):
    staff_at_both = staff_at(sunshine, "clerk", username="both")
    from tests.factories import MembershipFactory

    MembershipFactory(user=staff_at_both, property=elsewhere, role="clerk")
    client = browser(staff_at_both)

    page = client.get(new_url())
    assert page.status_code == 200 and "form" not in page.context
    assert "Take the complaint for this property" in text(page)

    url = f"{new_url()}?property={elsewhere.pk}"
    with at(T):
        response = client.post(url, intake(complainant_name="周先生"))
    assert response.status_code == 302
    assert Complaint.objects.get().property == elsewhere


def test_staff_who_do_not_work_the_desk_cannot_take_complaints(engineer, lin):
    client = browser(engineer)
    assert client.get(new_url()).status_code == 403
    assert client.post(new_url(lin), intake()).status_code == 403
    assert not Complaint.objects.exists()


# --- the resident card -------------------------------------------------------------------------


def test_the_resident_card_lists_the_residents_complaints(desk, sunshine, clerk, lin):
    with at(T - timedelta(days=2)):
        older = complaint_received(sunshine, by=clerk, resident=lin)
    with at(T):
        newer = complaint_received(sunshine, by=clerk, resident=lin)
        someone_else = complaint_received(sunshine, by=clerk)

    response = desk.get(reverse("resident_card", args=[lin.pk]))

    page = text(response)
    assert page.index(newer.number) < page.index(older.number)
    assert someone_else.number not in page
    assert reverse("complaint_detail", args=[newer.pk]) in page
    assert "2026-11-22" in page and "With the department" not in page
    assert f"{reverse('complaint_new')}?resident={lin.pk}" in page


def test_the_resident_card_runs_a_fixed_number_of_queries_whatever_the_complaints(
    desk, sunshine, clerk, lin
):
    with at(T):
        complaint_received(sunshine, by=clerk, resident=lin)
    url = reverse("resident_card", args=[lin.pk])
    one, _ = count_queries(desk, url)
    with at(T):
        for _n in range(5):
            complaint_received(sunshine, by=clerk, resident=lin)

    several, response = count_queries(desk, url)

    assert text(response).count("TS261124") == 6
    assert several == one


def test_the_intake_page_runs_a_fixed_number_of_queries(desk, sunshine):
    building = BuildingFactory(property=sunshine, number="3")
    UnitFactory(building=building, number="0101")
    one, _ = count_queries(desk, new_url())
    for number in ("0102", "0103", "0104"):
        UnitFactory(building=building, number=number)

    several, response = count_queries(desk, new_url())

    assert len(response.context["form"].fields["unit"].queryset) == 4
    assert several == one
