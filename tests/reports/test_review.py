"""The supervisor's daily review and the daily digest.

A fixture day, Tuesday 24 November 2026 at 阳光花园 (Shanghai): a direct-impact lift complaint
left unfixed (escalated to the department manager, who acknowledges, then to the project
manager at midnight, who does not), a water complaint fixed within the window, an attitude
complaint answered on the spot; a repair received and completed; two shift handovers, one with
a pending note; the ledger signed. From earlier days: a repair callback and a complaint reply
now overdue. Clocks travel with time-machine; the digest is driven by the real sweep task."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from frontdesk.desk import shift_services
from frontdesk.models import Notification
from frontdesk.tasks import sweep
from reports import review
from reports.models import DailyReview, DigestRun
from tests.clock import at
from tests.conftest import staff_at
from tests.factories import complaint_received, repair_completed
from tickets.complaints import escalations
from tickets.complaints import services as complaints
from tickets.models import Escalation

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
DAY = date(2026, 11, 24)
REVIEW_AT = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # Wednesday 09:00 in Shanghai
DIGEST_HOUR = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # Wednesday 08:00 in Shanghai


def flat_text(response) -> str:
    """The page with each run of white space made one space."""
    return re.sub(r"\s+", " ", response.content.decode())


def section(response, id_: str) -> str:
    page = flat_text(response)
    assert f'id="{id_}"' in page, f"no section {id_}"
    start = page.index(f'id="{id_}"')
    return page[start : page.index("</section>", start)]


def review_url(prop, day: date | None = None) -> str:
    url = f"{reverse('reports_review')}?property={prop.pk}"
    return f"{url}&day={day.isoformat()}" if day else url


def sign_url(prop) -> str:
    return f"{reverse('reports_review_sign')}?property={prop.pk}"


def get(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def day(
    sunshine,
    elsewhere,
    clerk,
    assistant,
    supervisor,
    project_manager,
    engineering,
    engineer,
    engineering_manager,
):
    """The fixture day, with what came before and after it (see the module's docstring)."""
    with at(T - timedelta(days=4)):  # completed Friday: its 72-hour callback is overdue now
        old_repair = repair_completed(
            sunshine, clerk=clerk, engineer=engineer, department=engineering
        )
    with at(T - timedelta(days=6)):  # not answered on the spot: its reply is overdue now
        old = complaint_received(
            sunshine,
            by=clerk,
            owner=assistant,
            direct_impact=False,
            category="quality",
            description="快递延误,要求给说法",
        )
    with at(T):
        lift = complaint_received(sunshine, by=clerk, owner=assistant, department=engineering)
        complaint_received(
            elsewhere,
            by=staff_at(elsewhere, "clerk"),
            direct_impact=False,
            category="other",
            description="翠湖大厦的投诉",
            answered_on_spot=True,
        )
    with at(T + timedelta(minutes=30)):
        water = complaint_received(
            sunshine,
            by=clerk,
            owner=assistant,
            department=engineering,
            category="water_power",
            description="厨房停水",
        )
    with at(T + timedelta(hours=1)):
        complaints.complaint_resolve(complaint=water, by=engineer, resolution="阀门已打开")
        rude = complaint_received(
            sunshine,
            by=clerk,
            owner=assistant,
            direct_impact=False,
            category="attitude",
            description="保安态度恶劣",
            answered_on_spot=True,
        )
    with at(T + timedelta(hours=2)):
        repair_completed(sunshine, clerk=clerk, engineer=engineer, department=engineering)
    with at(T + timedelta(hours=2, minutes=1)):
        escalations.complaints_escalate(now=T + timedelta(hours=2, minutes=1))
    with at(T + timedelta(hours=3)):
        to_manager = Escalation.objects.get(complaint=lift, level="department_manager")
        escalations.escalation_acknowledge(escalation=to_manager, by=engineering_manager)
    with at(T + timedelta(hours=6)):
        shift_services.handover_record(
            property=sunshine, by=clerk, day=DAY, shift="day", pending="3号电梯门机板待厂家到货"
        )
    with at(T + timedelta(hours=12)):
        shift_services.handover_record(
            property=sunshine, by=assistant, day=DAY, shift="evening", pending=""
        )
    with at(T + timedelta(hours=13)):
        shift_services.ledger_sign(property=sunshine, by=supervisor, day=DAY, note="电梯问题跟进")
    midnight = T + timedelta(hours=14, minutes=1)  # Wednesday 00:01: not solved the same day
    with at(midnight):
        escalations.complaints_escalate(now=midnight)
    return {"lift": lift, "water": water, "rude": rude, "old": old, "old_repair": old_repair}


@pytest.fixture
def boss(client, supervisor):
    client.force_login(supervisor)
    return client


EXPECTED = {
    "complaints_received": 3,
    "complaints_direct_impact": 2,
    "complaints_fixed_in_window": 1,
    "complaints_missed_window": 1,
    "complaints_waiting": 2,  # the lift (with the department) and the attitude one (received)
    "escalations_raised": 1,
    "escalations_unacknowledged": 1,  # the project manager's, raised at Wednesday 00:01
    "callbacks_overdue": 1,
    "replies_overdue": 1,
    "repairs_received": 1,
    "repairs_completed": 1,
    "handovers": 2,
    "handovers_with_pending": 1,
    "handovers_not_taken_over": 2,
    "ledger_signed": True,
}


# --- the page ------------------------------------------------------------------------------------


def test_the_review_shows_yesterdays_complaints_escalations_overdue_items_and_handovers(
    day, boss, sunshine
):
    with at(REVIEW_AT):
        response = get(boss, reverse("reports_review"))

    assert response.status_code == 200
    page = flat_text(response)
    assert "Daily review" in page and "2026-11-24" in page
    assert "Not signed off yet" in page

    complaints_part = section(response, "complaints")
    for c in (day["lift"], day["water"], day["rude"]):
        assert c.number in complaints_part
    assert day["old"].number not in complaints_part
    assert "翠湖大厦的投诉" not in page
    lift_row = complaints_part[complaints_part.index(f'id="complaint-{day["lift"].pk}"') :]
    lift_row = lift_row[: lift_row.index("</tr>")]
    assert "Equipment: lift" in lift_row and "With the department" in lift_row
    assert "Not fixed, window passed" in lift_row
    assert "Department manager: Not fixed within the fix window" in lift_row
    assert "Project manager: Not solved the same day" in lift_row
    water_row = complaints_part[complaints_part.index(f'id="complaint-{day["water"].pk}"') :]
    assert "Fixed in time" in water_row[: water_row.index("</tr>")]

    raised = section(response, "escalations")
    assert day["lift"].number in raised and "赵经理" in raised  # acknowledged by
    assert "Not solved the same day" not in raised  # that one was raised on Wednesday

    waiting = section(response, "waiting")
    assert "Not solved the same day" in waiting and "8 h 59 min" in waiting

    overdue = section(response, "overdue")
    assert day["old_repair"].number in overdue and "Repair callback" in overdue
    assert day["old"].number in overdue and "Complaint reply" in overdue
    assert "1 d 23 h" in overdue  # the repair callback, due Monday 10:00
    assert "3 d 9 h" in overdue  # the reply, due at the end of Saturday
    assert day["lift"].number not in overdue  # its reply is due on Friday

    handovers = section(response, "handovers")
    assert "Day shift" in handovers and "Evening shift" in handovers
    assert "3号电梯门机板待厂家到货" in handovers and "王前台" in handovers

    ledger = section(response, "ledger")
    assert "Signed by 张主管" in ledger and "电梯问题跟进" in ledger

    figures = section(response, "summary")
    assert '<td>Complaints received</td><td class="num">3</td>' in figures
    assert '<td>Replies overdue (now)</td><td class="num">1</td>' in figures
    assert 'id="sign"' in page


def test_review_day_counts_what_the_page_shows(day, sunshine):
    data = review.review_day(sunshine, DAY, REVIEW_AT)

    assert data.figures == EXPECTED
    assert [row.complaint for row in data.complaints] == [day["lift"], day["water"], day["rude"]]
    # The longest overdue first: the reply due Saturday, then the repair callback due Monday.
    assert [row.what for row in data.overdue] == [day["old"].number, day["old_repair"].number]


def test_the_default_day_is_yesterday_on_the_propertys_clock(day, boss):
    # Wednesday 01:00 in Shanghai is still Tuesday in UTC: yesterday is Tuesday, not Monday.
    with at(datetime(2026, 11, 24, 17, 0, tzinfo=UTC)):
        response = get(boss, reverse("reports_review"))

    assert response.status_code == 200
    assert "Daily review" in flat_text(response)
    assert day["lift"].number in section(response, "complaints")


def test_a_day_that_is_not_a_date_is_refused(day, boss, sunshine):
    with at(REVIEW_AT):
        response = get(boss, f"{review_url(sunshine)}&day=yesterday")

    assert response.status_code == 400
    assert "Give the day as YYYY-MM-DD." in flat_text(response)


# --- signing off ---------------------------------------------------------------------------------


def test_signing_off_keeps_who_when_the_note_and_the_figures_as_signed(
    day, boss, sunshine, project_manager
):
    with at(REVIEW_AT):
        response = boss.post(
            sign_url(sunshine), {"day": "2026-11-24", "note": "电梯投诉明天再跟进"}
        )
    assert response.status_code == 302
    assert response["Location"] == review_url(sunshine, DAY)

    signed = DailyReview.objects.get(property=sunshine, day=DAY)
    assert signed.signed_by.username == "supervisor"
    assert signed.signed_at == REVIEW_AT
    assert signed.note == "电梯投诉明天再跟进"
    assert signed.figures == EXPECTED

    # Later the lift is fixed and the escalation acknowledged: the page keeps the signed figures.
    with at(REVIEW_AT + timedelta(hours=1)):
        escalations.escalation_acknowledge(
            escalation=Escalation.objects.get(level="project_manager"),
            by=project_manager,
        )
        response = get(boss, review_url(sunshine, DAY))
    page = flat_text(response)
    assert "Signed off by 张主管 on 2026-11-25 09:00." in page
    assert "电梯投诉明天再跟进" in page and "The figures as signed" in page
    summary = section(response, "summary")
    assert '<td>Escalations not acknowledged (now)</td><td class="num">1</td>' in summary
    assert 'id="sign"' not in page


def test_a_day_is_signed_off_once(day, boss, sunshine):
    with at(REVIEW_AT):
        first = boss.post(sign_url(sunshine), {"day": "2026-11-24", "note": "first"})
        assert first.status_code == 302
        response = boss.post(
            sign_url(sunshine), {"day": "2026-11-24", "note": "second"}, HTTP_ACCEPT_LANGUAGE="en"
        )

    assert response.status_code == 400
    assert "The review of 2026-11-24 has already been signed off." in flat_text(response)
    assert list(DailyReview.objects.values_list("note", flat=True)) == ["first"]


def test_a_day_that_has_not_happened_cannot_be_signed(day, boss, sunshine):
    with at(REVIEW_AT):
        response = boss.post(
            sign_url(sunshine), {"day": "2026-11-26", "note": ""}, HTTP_ACCEPT_LANGUAGE="en"
        )
        page = get(boss, review_url(sunshine, date(2026, 11, 26)))

    assert response.status_code == 400
    assert "A day that has not happened yet cannot be signed off." in flat_text(response)
    assert not DailyReview.objects.exists()
    assert "This day has not happened yet." in flat_text(page) and 'id="sign"' not in flat_text(
        page
    )


def test_only_a_supervisor_or_project_manager_signs(day, sunshine, clerk, project_manager):
    with at(REVIEW_AT), pytest.raises(ValidationError, match="supervisor or the project manager"):
        review.review_sign(property=sunshine, by=clerk, day=DAY, note="")
    assert not DailyReview.objects.exists()

    with at(REVIEW_AT):
        signed = review.review_sign(property=sunshine, by=project_manager, day=DAY, note="")
    assert signed.signed_by == project_manager


def test_a_bad_sign_off_form_is_refused(day, boss, sunshine):
    with at(REVIEW_AT):
        response = boss.post(sign_url(sunshine), {"day": "soon"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert not DailyReview.objects.exists()


# --- who sees it ---------------------------------------------------------------------------------


def test_another_propertys_supervisor_does_not_find_it(day, client, sunshine, elsewhere):
    client.force_login(staff_at(elsewhere, "supervisor"))
    with at(REVIEW_AT):
        assert get(client, review_url(sunshine)).status_code == 404
        assert client.post(sign_url(sunshine), {"day": "2026-11-24"}).status_code == 404
        own = get(client, reverse("reports_review"))
    assert own.status_code == 200
    assert "翠湖大厦的投诉" in flat_text(own)
    assert "3号电梯停在8楼不动" not in flat_text(own)  # sunshine's lift complaint
    assert not DailyReview.objects.exists()


def test_a_clerk_does_not_find_it(day, clerk_client, sunshine):
    with at(REVIEW_AT):
        assert get(clerk_client, review_url(sunshine)).status_code == 404
        assert get(clerk_client, reverse("reports_review")).status_code == 404
        response = clerk_client.post(sign_url(sunshine), {"day": "2026-11-24"})
    assert response.status_code == 404
    assert not DailyReview.objects.exists()


def test_the_project_manager_reviews_too(day, client, project_manager, sunshine):
    client.force_login(project_manager)
    with at(REVIEW_AT):
        response = get(client, review_url(sunshine))
    assert response.status_code == 200 and 'id="sign"' in flat_text(response)


# --- a fixed number of queries -------------------------------------------------------------------


def test_the_page_runs_the_same_queries_for_one_row_or_many(
    sunshine, clerk, assistant, engineering, engineer, supervisor, boss, django_assert_num_queries
):
    def one_of_each(n: int) -> None:
        with at(T - timedelta(days=6, minutes=-n)):
            complaint_received(sunshine, by=clerk, owner=assistant, direct_impact=False)
        with at(T + timedelta(minutes=n)):
            complaint_received(sunshine, by=clerk, owner=assistant, department=engineering)
        with at(T + timedelta(hours=3)):
            escalations.complaints_escalate(now=T + timedelta(hours=3))

    one_of_each(0)
    with at(T + timedelta(hours=6)):
        shift_services.handover_record(
            property=sunshine, by=clerk, day=DAY, shift="day", pending="待办"
        )
    url = review_url(sunshine, DAY)
    with at(REVIEW_AT), CaptureQueriesContext(connection) as small:
        assert get(boss, url).status_code == 200

    for n in range(1, 6):
        one_of_each(n)
    with at(T + timedelta(hours=2)):
        repair_completed(sunshine, clerk=clerk, engineer=engineer, department=engineering)
    for shift in ("evening", "night"):
        with at(T + timedelta(hours=12)):
            shift_services.handover_record(
                property=sunshine, by=assistant, day=DAY, shift=shift, pending="还有事"
            )
    with at(REVIEW_AT), django_assert_num_queries(len(small.captured_queries)):
        response = get(boss, url)
    assert section(response, "complaints").count('id="complaint-') == 6
    assert section(response, "overdue").count('id="overdue-') == 6

    # Signed off, the page shows the kept figures: fewer queries, the same for any rows.
    with at(REVIEW_AT):
        review.review_sign(property=sunshine, by=supervisor, day=DAY, note="")
    with at(REVIEW_AT), CaptureQueriesContext(connection) as signed:
        get(boss, url)
    assert len(signed.captured_queries) < len(small.captured_queries)


# --- the daily digest ----------------------------------------------------------------------------


def digests():
    return Notification.objects.filter(channel="email", link__startswith="/reports/review/")


def digest_mails():
    return [m for m in mail.outbox if "/reports/review/" in m.body]


def test_no_digest_before_the_hour_and_one_at_the_hour_however_often_the_sweep_runs(
    day, sunshine, settings
):
    settings.LANGUAGE_CODE = "en"
    with at(DIGEST_HOUR - timedelta(minutes=1)):
        assert sweep()["digests_sent"] == 0
    assert not digests().exists() and not DigestRun.objects.exists()

    results = []
    for minutes in (0, 1, 2, 30, 600):
        with at(DIGEST_HOUR + timedelta(minutes=minutes)):
            results.append(sweep()["digests_sent"])

    assert results == [2, 0, 0, 0, 0]
    assert sorted(digests().values_list("address", flat=True)) == [
        "boss@example.com",
        "pm@example.com",
    ]
    run = DigestRun.objects.get(property=sunshine)
    assert (run.property, run.day, run.sent_at, run.recipients) == (
        sunshine,
        date(2026, 11, 25),
        DIGEST_HOUR,
        2,
    )
    # The sweep's own outbox step delivered them in the same run.
    assert sorted(m.to[0] for m in digest_mails()) == ["boss@example.com", "pm@example.com"]


def test_the_digest_carries_yesterdays_figures_and_the_link(day, sunshine, settings):
    settings.LANGUAGE_CODE = "en"
    with at(DIGEST_HOUR):
        sweep()

    message = next(m for m in digest_mails() if m.to == ["boss@example.com"])
    assert message.subject == "阳光花园: daily review of 2026-11-24"
    body = message.body
    for line in [
        "- Complaints received: 3",
        "- Of which affect the complainant directly: 2",
        "- Fixed within the fix window: 1",
        "- Not fixed within the fix window: 1",
        "- Escalations raised: 1",
        "- Escalations not acknowledged (now): 1",
        "- Callbacks overdue (now): 1",
        "- Replies overdue (now): 1",
        "- Repairs received: 1",
        "- Repairs completed: 1",
        "- Shift handovers: 2",
        "- Handovers with pending notes: 1",
        "- Daily work ledger signed: Yes",
        "- Daily review signed off: No",
        f"/reports/review/?property={sunshine.pk}&day=2026-11-24",
    ]:
        assert line in body, line
    assert "&amp;" not in body
    note = digests().get(address="boss@example.com")
    assert note.recipient_user.username == "supervisor"
    assert note.link == f"/reports/review/?property={sunshine.pk}&day=2026-11-24"


def test_the_digest_says_whether_yesterday_was_signed_off(day, sunshine, supervisor, settings):
    settings.LANGUAGE_CODE = "en"
    with at(REVIEW_AT - timedelta(hours=2)):  # 07:00: the supervisor signs before the digest
        review.review_sign(property=sunshine, by=supervisor, day=DAY, note="")
    with at(DIGEST_HOUR):
        sweep()
    assert "- Daily review signed off: Yes" in digest_mails()[0].body


def test_the_digest_is_written_in_the_sites_default_language(day, sunshine):
    with at(DIGEST_HOUR):
        review.digests_send(now=DIGEST_HOUR)

    with translation.override("zh-hans"):
        label = translation.gettext("Complaints received")
    assert label != "Complaints received"  # the catalogue has it
    body = digests().first().body
    assert f"- {label}: 3" in body


def test_the_digest_hour_is_the_propertys_own(day, sunshine, elsewhere, settings):
    settings.LANGUAGE_CODE = "en"
    staff_at(elsewhere, "project_manager", email="cuihu-pm@example.com")
    elsewhere.digest_hour = 18
    elsewhere.save()

    with at(DIGEST_HOUR):
        review.digests_send(now=DIGEST_HOUR)
    assert not digests().filter(address="cuihu-pm@example.com").exists()

    evening = DIGEST_HOUR + timedelta(hours=10)  # 18:00 in Shanghai
    with at(evening):
        assert review.digests_send(now=evening) == 1
    assert digests().filter(address="cuihu-pm@example.com").count() == 1
    assert digests().filter(address="boss@example.com").count() == 1


def test_nothing_for_a_property_without_supervisors_e_mail(day, elsewhere):
    staff_at(elsewhere, "supervisor")  # no address
    staff_at(elsewhere, "clerk", email="desk@example.com")  # not a reviewer
    with at(DIGEST_HOUR):
        review.digests_send(now=DIGEST_HOUR)
        review.digests_send(now=DIGEST_HOUR + timedelta(minutes=1))

    assert not Notification.objects.filter(property=elsewhere, channel="email").exists()
    assert DigestRun.objects.get(property=elsewhere).recipients == 0


def test_only_supervisors_and_project_managers_with_an_address_receive_it(day, sunshine, settings):
    staff_at(sunshine, "clerk", email="clerk@example.com")
    staff_at(sunshine, "supervisor", username="nomail")  # no address: nothing to send to
    staff_at(sunshine, "supervisor", username="gone", email="gone@example.com", is_active=False)
    with at(DIGEST_HOUR):
        assert review.digests_send(now=DIGEST_HOUR) == 2

    assert sorted(digests().values_list("address", flat=True)) == [
        "boss@example.com",
        "pm@example.com",
    ]


def test_a_day_claimed_by_another_beat_is_not_sent_again(day, sunshine):
    """Two beats at once: both saw the day unclaimed; the database lets one claim it."""
    today = date(2026, 11, 25)
    with at(DIGEST_HOUR):
        assert review._digest_send(sunshine, today, DIGEST_HOUR) == 2
        assert review._digest_send(sunshine, today, DIGEST_HOUR) == 0

    assert digests().count() == 2
    assert DigestRun.objects.count() == 1
