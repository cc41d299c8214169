"""Complaints as services, on the business clock: the 2-hour fix window and the same-day
ladder (driven by the real sweep task, run as often as beat would), the three-day reply across
a statutory holiday, the letter that must be answered in writing, and the satisfaction
callback that reopens until the complainant is satisfied. Clocks travel with time-machine."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from frontdesk.services import property_holidays_prefill
from frontdesk.tasks import sweep
from tests.clock import at
from tests.conftest import staff_at
from tests.factories import ResidentFactory, complaint_received
from tests.helpers import fresh, notices
from tickets.complaints import escalations
from tickets.complaints import services as complaints
from tickets.models import Complaint, ComplaintEvent, Escalation, WrittenReply
from visits import services as callbacks
from visits.models import Callback

State = Complaint.State
T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai


def t_plus(offset: timedelta):
    """The clock stopped at T + offset."""
    return at(T + offset)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def sweep_at(offset: timedelta) -> dict:
    with t_plus(offset):
        return sweep()


@pytest.fixture
def lift(sunshine, clerk, engineering, engineering_manager, project_manager, assistant):
    """An angry resident's direct-impact lift complaint, taken by phone at T and sent to
    engineering at once; the assistant follows it."""
    with t_plus(timedelta(0)):
        return complaint_received(sunshine, by=clerk, owner=assistant, department=engineering)


def resolve(complaint, by, offset, resolution="更换3号电梯门机板,试运行正常"):
    with t_plus(offset):
        return complaints.complaint_resolve(complaint=complaint, by=by, resolution=resolution)


# --- intake -----------------------------------------------------------------------------------


def test_a_direct_impact_complaint_starts_its_clocks(lift, sunshine):
    assert lift.number == "TS2611240001"
    assert lift.state == State.DISPATCHED
    assert lift.fix_due_at == T + timedelta(hours=2)
    # 24:00 of Tuesday in Shanghai.
    assert lift.day_ends_at == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    # Not answered on the spot: a reply by the three-day rule, in the callback queue.
    reply = lift.callbacks.get(kind=Callback.Kind.COMPLAINT_REPLY)
    assert reply.due_at == lift.reply_due_at == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    kinds = list(lift.events.values_list("kind", flat=True))
    assert kinds == ["received", "handed_over", "dispatched"]


def test_the_fix_window_is_the_propertys(sunshine, clerk, assistant):
    sunshine.direct_fix_minutes = 30
    sunshine.save()
    with t_plus(timedelta(0)):
        complaint = complaint_received(sunshine, by=clerk, owner=assistant)
    assert complaint.fix_due_at == T + minutes(30)


def test_a_complaint_that_does_not_hurt_directly_has_no_fix_clock(sunshine, clerk, assistant):
    with t_plus(timedelta(0)):
        complaint = complaint_received(
            sunshine, by=clerk, owner=assistant, direct_impact=False, category="attitude"
        )
    assert complaint.fix_due_at is None and complaint.day_ends_at is None


def test_answered_on_the_spot_needs_no_reply_callback(sunshine, clerk, assistant):
    with t_plus(timedelta(0)):
        complaint = complaint_received(sunshine, by=clerk, owner=assistant, answered_on_spot=True)
    assert complaint.replied_at == T and complaint.reply_via == "phone"
    assert not complaint.callbacks.exists()


def test_a_walk_in_complaint_is_handed_to_an_assistant(sunshine, clerk, assistant):
    before = Complaint.objects.count()
    with pytest.raises(ValidationError, match="customer-service assistant"):
        complaint_received(sunshine, by=clerk, channel="walk_in")
    assert Complaint.objects.count() == before

    complaint = complaint_received(sunshine, by=clerk, channel="walk_in", owner=assistant)
    assert complaint.owner == assistant
    assert notices(assistant, complaint.number).count() == 1


def test_the_follower_must_be_an_assistant_of_the_property(sunshine, elsewhere, clerk):
    stranger = staff_at(elsewhere, "assistant")
    with pytest.raises(ValidationError, match="assistant of this property"):
        complaint_received(sunshine, by=clerk, owner=stranger)
    other_clerk = staff_at(sunshine, "clerk")
    with pytest.raises(ValidationError, match="assistant of this property"):
        complaint_received(sunshine, by=clerk, owner=other_clerk)
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": "  "}, "Describe"),
        ({"category": "weather"}, "category"),
        ({"channel": "pigeon"}, "how the complaint came in"),
        ({"channel": "letter", "answered_on_spot": True}, "cannot be answered on the spot"),
        ({"happened_at": T + timedelta(days=1)}, "future"),
    ],
)
def test_bad_intake_is_refused_and_writes_nothing(sunshine, clerk, assistant, fields, message):
    with t_plus(timedelta(0)), pytest.raises(ValidationError, match=message):
        complaint_received(sunshine, by=clerk, owner=assistant, **fields)
    assert not Complaint.objects.exists()
    assert not Callback.objects.exists()


def test_another_propertys_resident_or_department_is_refused(sunshine, elsewhere, clerk, assistant):
    from tests.factories import DepartmentFactory

    with pytest.raises(ValidationError, match="another property"):
        complaint_received(sunshine, by=clerk, resident=ResidentFactory(property=elsewhere))
    with pytest.raises(ValidationError, match="another property"):
        complaint_received(
            sunshine, by=clerk, owner=assistant, department=DepartmentFactory(property=elsewhere)
        )
    assert not Complaint.objects.exists()


# --- the 2-hour fix window and the same-day ladder ---------------------------------------------


def test_fixed_inside_the_window_is_never_escalated(lift, engineer, engineering_manager):
    sweep_at(minutes(60))
    resolve(lift, engineer, minutes(100))
    for offset in (minutes(120), minutes(121), timedelta(hours=14), timedelta(days=2)):
        sweep_at(offset)

    assert not Escalation.objects.exists()
    assert not notices(engineering_manager, "escalated").exists()
    assert fresh(lift).resolved_at <= lift.fix_due_at
    assert fresh(lift).fixed_in_window is True


def test_not_fixed_in_the_window_goes_to_the_department_manager_once(
    lift, engineering_manager, project_manager
):
    assert sweep_at(minutes(119))["complaints_escalated_department_manager"] == 0
    assert not Escalation.objects.exists()

    first = sweep_at(minutes(120))
    for offset in (minutes(121), minutes(150), minutes(200)):
        assert sweep_at(offset)["complaints_escalated_department_manager"] == 0

    assert first["complaints_escalated_department_manager"] == 1
    escalation = Escalation.objects.get()
    assert (escalation.level, escalation.reason) == ("department_manager", "fix_window")
    assert escalation.at == T + minutes(120) and escalation.acknowledged_at is None
    assert (
        notices(engineering_manager, lift.number).filter(subject__contains="escalated").count() == 1
    )
    assert not notices(project_manager, "escalated").exists()
    assert lift.events.filter(kind="escalated").count() == 1


def test_the_ladder_and_the_overdue_reply_carry_the_sweeps_now_not_the_clock(lift):
    window_passed, day_ended = T + minutes(130), T + timedelta(hours=15)
    reply_late = lift.reply_due_at + minutes(1)
    with t_plus(timedelta(days=30)):  # the clock says something else entirely
        escalations.complaints_escalate(now=window_passed)
        escalations.complaints_escalate(now=day_ended)
        assert callbacks.callbacks_mark_overdue(now=reply_late) == 1

    stamps = dict(Escalation.objects.values_list("level", "at"))
    assert stamps == {"department_manager": window_passed, "project_manager": day_ended}
    escalated = lift.events.filter(kind="escalated").order_by("at")
    assert list(escalated.values_list("at", flat=True)) == [window_passed, day_ended]
    assert lift.events.get(kind="reply_overdue").at == reply_late


def test_the_department_manager_of_another_department_is_not_told(
    sunshine, lift, engineering_manager
):
    from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

    cleaning_manager = UserFactory()
    MembershipFactory(
        user=cleaning_manager,
        property=sunshine,
        role="department_manager",
        department=DepartmentFactory(property=sunshine, kind="cleaning", name="保洁部"),
    )
    sweep_at(minutes(125))
    assert notices(engineering_manager, "escalated").count() == 1
    assert not notices(cleaning_manager).exists()


def test_not_solved_by_local_midnight_goes_to_the_project_manager_once(lift, project_manager):
    # Received 10:00 Shanghai; the day ends at 24:00 local = 16:00 UTC.
    sweep_at(timedelta(hours=13, minutes=59))
    assert not Escalation.objects.filter(level="project_manager").exists()

    assert sweep_at(timedelta(hours=14))["complaints_escalated_project_manager"] == 1
    sweep_at(timedelta(hours=14, minutes=1))
    sweep_at(timedelta(days=3))

    escalation = Escalation.objects.get(level="project_manager")
    assert escalation.reason == "end_of_day"
    assert notices(project_manager, lift.number).count() == 1
    assert Escalation.objects.count() == 2  # the department manager's step came first


def test_solved_the_same_day_but_late_stops_at_the_department_manager(
    lift, engineer, project_manager
):
    sweep_at(minutes(130))
    resolve(lift, engineer, timedelta(hours=6))
    sweep_at(timedelta(hours=15))
    assert list(Escalation.objects.values_list("level", flat=True)) == ["department_manager"]
    assert not notices(project_manager).exists()
    assert fresh(lift).fixed_in_window is False


def test_cannot_solve_goes_straight_to_the_project_manager_once(
    lift, clerk, engineering_manager, project_manager
):
    with t_plus(minutes(30)), pytest.raises(ValidationError, match="department.s manager"):
        complaints.complaint_cannot_solve(complaint=lift, by=clerk, reason="缺配件")
    assert fresh(lift).cannot_solve_at is None

    with t_plus(minutes(30)):
        complaints.complaint_cannot_solve(
            complaint=lift, by=engineering_manager, reason="门机板停产,需厂家"
        )
    sweep_at(timedelta(hours=15))
    escalation = Escalation.objects.get(level="project_manager")
    assert escalation.reason == "cannot_solve" and escalation.at == T + minutes(30)
    assert notices(project_manager, lift.number).count() == 1


def test_the_database_allows_one_escalation_per_level(lift):
    Escalation.objects.create(complaint=lift, level="department_manager", reason="fix_window", at=T)
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.create(
            complaint=lift, level="department_manager", reason="fix_window", at=T
        )


def test_only_the_escalated_to_acknowledges(lift, clerk, engineering_manager, supervisor):
    sweep_at(minutes(125))
    escalation = Escalation.objects.get()
    with pytest.raises(ValidationError, match="escalated to"):
        escalations.escalation_acknowledge(escalation=escalation, by=clerk)
    with t_plus(minutes(140)):
        escalations.escalation_acknowledge(escalation=escalation, by=engineering_manager)
    escalation = fresh(escalation)
    assert escalation.acknowledged_by == engineering_manager
    assert escalation.acknowledged_at == T + minutes(140)
    with pytest.raises(ValidationError, match="already"):
        escalations.escalation_acknowledge(escalation=escalation, by=engineering_manager)
    assert lift.events.filter(kind="acknowledged").count() == 1


# --- the three-day reply -------------------------------------------------------------------------


def test_the_reply_due_across_national_day_moves_to_the_next_working_day(
    sunshine, clerk, assistant
):
    sunshine.holiday_calendar = "cn"
    sunshine.save()
    property_holidays_prefill(property=sunshine, year=2026)
    # Monday 28 September 2026, 10:00 in Shanghai. Day 3 is 1 October, National Day; the
    # holiday runs to 7 October, so the last day is Thursday 8 October, ending at 24:00.
    received = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
    with at(received):
        complaint = complaint_received(sunshine, by=clerk, owner=assistant, direct_impact=False)
    due = datetime(2026, 10, 8, 16, 0, tzinfo=UTC)
    assert complaint.reply_due_at == due
    assert complaint.callbacks.get(kind="complaint_reply").due_at == due


def test_a_phone_reply_closes_the_reply_callback_on_time(lift, assistant):
    with t_plus(timedelta(days=1)):
        complaints.complaint_reply(
            complaint=lift, by=assistant, via="phone", text="已告知业主维修进度,明早再次回复"
        )
    lift = fresh(lift)
    assert lift.replied_by == assistant and lift.reply_via == "phone"
    reply = lift.callbacks.get(kind="complaint_reply")
    assert (reply.status, reply.timing) == ("done", "on_time")
    with pytest.raises(ValidationError, match="already had its reply"):
        complaints.complaint_reply(complaint=lift, by=assistant, via="phone", text="again")


def test_the_reply_can_be_given_from_the_callback_queue(lift, clerk):
    reply = lift.callbacks.get(kind="complaint_reply")
    with t_plus(timedelta(hours=30)):
        callbacks.callback_record_reached(
            callback=reply, by=clerk, solved=None, satisfaction=None, comments="已电话答复业主"
        )
    lift = fresh(lift)
    assert (lift.reply_via, lift.reply_text, lift.replied_by) == ("phone", "已电话答复业主", clerk)
    assert fresh(reply).status == "done"
    assert lift.events.filter(kind="replied").exists()


@pytest.fixture
def letter(sunshine, clerk, assistant, engineering):
    with t_plus(timedelta(0)):
        return complaint_received(
            sunshine,
            by=clerk,
            owner=assistant,
            channel="letter",
            direct_impact=False,
            category="quality",
            description="来信反映楼道保洁长期不到位",
            department=engineering,
        )


def test_a_letter_is_answered_only_in_writing(letter, clerk):
    reply = letter.callbacks.get(kind="complaint_reply")
    with pytest.raises(ValidationError, match="in writing"):
        complaints.complaint_reply(complaint=letter, by=clerk, via="phone", text="电话答复")
    with pytest.raises(ValidationError, match="in writing"):
        callbacks.callback_record_reached(
            callback=reply, by=clerk, solved=None, satisfaction=None, comments="电话答复"
        )
    assert fresh(letter).replied_at is None and fresh(reply).status == "open"
    assert not reply.calls.exists()


def test_a_letter_without_its_written_reply_at_the_deadline_is_overdue(letter, clerk, supervisor):
    due = letter.reply_due_at
    assert due == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # 24:00 Friday, day 3
    with at(due - minutes(1)):
        sweep()
        complaints.written_reply_draft(complaint=letter, by=clerk, body="草稿,尚未发出")
    assert not notices(supervisor, "overdue").exists()

    for offset in (timedelta(0), minutes(5)):
        with at(due + offset):
            sweep()

    reply = letter.callbacks.get(kind="complaint_reply")
    assert reply.overdue_at == due and reply.status == "open"
    assert notices(supervisor, letter.number).filter(subject__contains="overdue").count() == 1
    assert letter.events.filter(kind="reply_overdue").count() == 1

    # Issued late: the reply is recorded, late.
    with at(due + timedelta(hours=3)):
        complaints.written_reply_issue(complaint=letter, by=clerk)
    letter = fresh(letter)
    assert letter.reply_via == "letter" and letter.reply_text == "草稿,尚未发出"
    assert (fresh(reply).status, fresh(reply).timing) == ("done", "late")


def test_an_issued_letter_is_kept_as_sent(letter, clerk):
    complaints.written_reply_draft(complaint=letter, by=clerk, body="第一稿")
    complaints.written_reply_draft(complaint=letter, by=clerk, body="第二稿")
    complaints.written_reply_issue(complaint=letter, by=clerk)
    with pytest.raises(ValidationError, match="issued"):
        complaints.written_reply_draft(complaint=letter, by=clerk, body="改过的")
    assert letter.written_reply.body == "第二稿"
    with pytest.raises(ValidationError, match="already been issued"):
        complaints.written_reply_issue(complaint=letter, by=clerk)


# --- the satisfaction callback -------------------------------------------------------------------


def satisfaction_call(complaint, by, offset, *, solved=True, satisfaction=5, comments=""):
    callback = complaint.callbacks.get(kind="complaint", status="open")
    with t_plus(offset):
        callbacks.callback_record_reached(
            callback=callback, by=by, solved=solved, satisfaction=satisfaction, comments=comments
        )
    return fresh(callback)


def test_a_dissatisfied_callback_reopens_and_calls_again_after_the_next_fix(
    lift, engineer, clerk, assistant
):
    resolve(lift, engineer, minutes(90))
    first = lift.callbacks.get(kind="complaint")
    # Due within three days of the resolution (Tuesday → 24:00 Friday).
    assert first.due_at == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)

    satisfaction_call(
        lift, clerk, timedelta(hours=5), solved=False, satisfaction=2, comments="电梯又停了"
    )
    lift = fresh(lift)
    assert lift.state == State.REOPENED and lift.resolved_at is None
    assert fresh(first).status == "done"
    assert not lift.callbacks.filter(kind="complaint", status="open").exists()
    assert notices(engineer, "reopened").count() == 1
    assert notices(assistant, "reopened").count() == 1

    resolve(lift, engineer, timedelta(hours=7), resolution="更换曳引机编码器")
    second = lift.callbacks.get(kind="complaint", status="open")
    assert second.pk != first.pk and second.created_at == T + timedelta(hours=7)

    satisfaction_call(lift, clerk, timedelta(hours=9), solved=True, satisfaction=5)
    lift = fresh(lift)
    assert lift.state == State.CONFIRMED and lift.confirmed_at == T + timedelta(hours=9)
    assert lift.first_resolved_at == T + minutes(90)
    assert list(
        lift.events.filter(kind__in=["resolved", "reopened", "confirmed"]).values_list(
            "kind", flat=True
        )
    ) == ["resolved", "reopened", "resolved", "confirmed"]


def test_a_reopened_direct_impact_complaint_gets_a_new_fix_window(lift, engineer, clerk):
    resolve(lift, engineer, minutes(60))
    satisfaction_call(lift, clerk, timedelta(hours=30), solved=False, satisfaction=1)
    lift = fresh(lift)
    assert lift.fix_due_at == T + timedelta(hours=32)
    assert sweep_at(timedelta(hours=31))["complaints_escalated_department_manager"] == 0
    assert sweep_at(timedelta(hours=32))["complaints_escalated_department_manager"] == 1


def test_the_supervisor_may_close_the_callbacks_with_a_reason(lift, engineer, clerk, supervisor):
    resolve(lift, engineer, minutes(60))
    callback = lift.callbacks.get(kind="complaint")
    with pytest.raises(ValidationError, match="supervisor"):
        callbacks.callback_close_missed(callback=callback, by=clerk, reason="联系不上")
    callbacks.callback_close_missed(callback=callback, by=supervisor, reason="业主出国,无法联系")
    lift = fresh(lift)
    assert lift.state == State.CONFIRMED
    assert "业主出国" in lift.events.filter(kind="confirmed").get().note


# --- corrective action report, summary, archive --------------------------------------------------


def corrective(complaint, by):
    return complaints.complaint_file_corrective(
        complaint=complaint,
        by=by,
        cause="门机板老化未及时更换",
        correction="更换门机板",
        prevention="每季度检查门机板",
        owner="赵经理",
        due_date=date(2026, 12, 31),
    )


def archive(complaint, by):
    return complaints.complaint_archive(
        complaint=complaint,
        by=by,
        cause="设备老化",
        lessons="维保计划缺少门机板检查",
        changes="维保计划增加门机板季度检查",
    )


def test_archive_needs_the_callback_the_reply_and_the_corrective_report(
    lift, engineer, clerk, assistant
):
    with pytest.raises(ValidationError, match="comes after the fix"):
        corrective(lift, engineer)
    resolve(lift, engineer, minutes(60))
    with pytest.raises(ValidationError, match="cannot be archived now"):
        archive(lift, assistant)
    satisfaction_call(lift, clerk, timedelta(hours=3))
    with pytest.raises(ValidationError, match="corrective action report"):
        archive(lift, assistant)
    assert fresh(lift).state == State.CONFIRMED

    with pytest.raises(ValidationError, match="responsible department"):
        corrective(lift, clerk)
    report = corrective(lift, engineer)
    assert report.filed_by == engineer
    with pytest.raises(ValidationError, match="already been filed"):
        corrective(lift, engineer)

    with pytest.raises(ValidationError, match="reply"):
        archive(lift, assistant)
    complaints.complaint_reply(complaint=lift, by=assistant, via="phone", text="已修复并致歉")
    archive(lift, assistant)
    lift = fresh(lift)
    assert lift.state == State.ARCHIVED
    assert lift.summary_changes == "维保计划增加门机板季度检查"
    assert lift.events.last().kind == ComplaintEvent.Kind.ARCHIVED


def test_an_empty_summary_is_refused(lift, engineer, clerk, assistant):
    resolve(lift, engineer, minutes(60))
    satisfaction_call(lift, clerk, timedelta(hours=3))
    corrective(lift, engineer)
    with pytest.raises(ValidationError, match="what was learned"):
        complaints.complaint_archive(
            complaint=lift, by=assistant, cause="设备老化", lessons=" ", changes="x"
        )
    assert fresh(lift).state == State.CONFIRMED


def test_resolving_needs_the_service_order_first(sunshine, clerk, assistant, engineer):
    with t_plus(timedelta(0)):
        complaint = complaint_received(sunshine, by=clerk, owner=assistant)
    with pytest.raises(ValidationError, match="cannot be resolved now"):
        complaints.complaint_resolve(complaint=complaint, by=clerk, resolution="修好了")
    assert fresh(complaint).state == State.RECEIVED


def test_the_letter_of_an_archived_complaint_does_not_change(lift, engineer, clerk, assistant):
    resolve(lift, engineer, minutes(60))
    satisfaction_call(lift, clerk, timedelta(hours=3))
    corrective(lift, engineer)
    complaints.complaint_reply(complaint=lift, by=assistant, via="phone", text="已修复并致歉")
    archive(lift, assistant)
    with pytest.raises(ValidationError, match="can no longer change"):
        complaints.written_reply_draft(complaint=lift, by=clerk, body="补发书面回复")
    assert not WrittenReply.objects.filter(complaint=lift).exists()


def test_another_departments_manager_cannot_acknowledge(sunshine, lift, engineering_manager):
    from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

    cleaning_manager = UserFactory()
    MembershipFactory(
        user=cleaning_manager,
        property=sunshine,
        role="department_manager",
        department=DepartmentFactory(property=sunshine, kind="cleaning", name="保洁部"),
    )
    sweep_at(minutes(125))
    escalation = Escalation.objects.get()
    with pytest.raises(ValidationError, match="escalated to"):
        escalations.escalation_acknowledge(escalation=escalation, by=cleaning_manager)
    assert fresh(escalation).acknowledged_at is None


def test_another_departments_manager_cannot_say_it_cannot_be_solved(sunshine, lift):
    from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

    cleaning_manager = UserFactory()
    MembershipFactory(
        user=cleaning_manager,
        property=sunshine,
        role="department_manager",
        department=DepartmentFactory(property=sunshine, kind="cleaning", name="保洁部"),
    )
    with pytest.raises(ValidationError, match="department's manager"):
        complaints.complaint_cannot_solve(complaint=lift, by=cleaning_manager, reason="不归我们")
    assert fresh(lift).cannot_solve_at is None and not Escalation.objects.exists()


def test_a_kind_that_does_not_exist_is_refused(sunshine, clerk, assistant):
    with pytest.raises(ValidationError, match="complaint or a suggestion"):
        complaint_received(sunshine, by=clerk, owner=assistant, kind="rant")
    assert not Complaint.objects.exists()
