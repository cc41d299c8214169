"""Callbacks (回访) as services: scheduled from a completed repair, swept when due, worked by
the desk (not reached, reached), and what the resident's answer does to the order. Clocks
travel with time-machine; the sweep takes `now`."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from frontdesk.models import Membership, Notification
from tests.clock import at
from tests.conftest import staff_at
from tests.factories import repair_completed
from tests.helpers import fresh
from tickets.models import RepairEvent, RepairOrder
from tickets.repairs import services as repairs
from visits import services
from visits.models import CallAttempt, Callback

State = RepairOrder.State
T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def t_plus(offset: timedelta):
    """The clock stopped at T + offset."""
    return at(T + offset)


@pytest.fixture
def order(sunshine, clerk, engineer):
    """A repair completed at T: its callback is due at T + 72 h."""
    with t_plus(timedelta(0)):
        return repair_completed(sunshine, clerk=clerk, engineer=engineer)


@pytest.fixture
def callback(order):
    return order.callbacks.get()


def notifications(user, text=""):
    """The user's notifications on any channel whose subject contains `text`."""
    return Notification.objects.filter(recipient_user=user, subject__contains=text)


def unreached(callback, by, hours_from_t, **kwargs):
    with t_plus(timedelta(hours=hours_from_t)):
        kwargs.setdefault("retry_at", T + timedelta(hours=hours_from_t + 1))
        return services.callback_record_unreached(callback=callback, by=by, **kwargs)


def reached(callback, by, hours_from_t=24, **kwargs):
    kwargs.setdefault("solved", True)
    kwargs.setdefault("satisfaction", 5)
    with t_plus(timedelta(hours=hours_from_t)):
        return services.callback_record_reached(callback=callback, by=by, **kwargs)


# --- scheduling --------------------------------------------------------------------------------


def test_completing_a_repair_schedules_a_callback_due_exactly_72_hours_later(order, callback):
    assert order.completed_at == T
    assert callback.kind == Callback.Kind.REPAIR
    assert callback.status == Callback.Status.OPEN
    assert callback.property_id == order.property_id
    assert callback.due_at == T + timedelta(hours=72)
    assert callback.created_at == T and callback.next_try_at == T
    assert callback.attempts == 0


def test_the_window_is_the_propertys_setting(sunshine, clerk, engineer):
    sunshine.repair_callback_hours = 48
    sunshine.save()

    with t_plus(timedelta(0)):
        order = repair_completed(sunshine, clerk=clerk, engineer=engineer)

    assert order.callbacks.get().due_at == T + timedelta(hours=48)


def test_a_second_open_callback_for_the_same_order_is_refused_by_the_database(order, callback):
    with pytest.raises(IntegrityError), transaction.atomic():
        Callback.objects.create(
            property=order.property,
            kind=Callback.Kind.REPAIR,
            repair=order,
            created_at=T,
            due_at=T + timedelta(hours=72),
            next_try_at=T,
        )

    assert order.callbacks.count() == 1


def test_a_second_open_reply_for_the_same_call_is_refused_by_the_database(order, callback, clerk):
    reached(callback, clerk, question="能否分期付款?", reply_due_at=T + timedelta(hours=48))
    reply = Callback.objects.get(kind=Callback.Kind.REPLY)

    with pytest.raises(IntegrityError), transaction.atomic():
        Callback.objects.create(
            property=order.property,
            kind=Callback.Kind.REPLY,
            parent=reply.parent,
            question="again",
            created_at=T,
            due_at=T + timedelta(hours=50),
            next_try_at=T,
        )


# --- the sweep ---------------------------------------------------------------------------------


def test_it_marks_the_callback_overdue_at_72_hours_once_with_one_supervisor_notice(
    callback, supervisor
):
    with t_plus(timedelta(hours=71, minutes=59)):
        assert services.callbacks_mark_overdue(now=T + timedelta(hours=71, minutes=59)) == 0
    assert fresh(callback).overdue_at is None
    assert not notifications(supervisor).exists()

    with t_plus(timedelta(hours=72)):
        assert services.callbacks_mark_overdue(now=T + timedelta(hours=72)) == 1
    callback = fresh(callback)
    assert callback.overdue_at == T + timedelta(hours=72)
    assert callback.status == Callback.Status.OPEN  # still to be made, late
    sent = notifications(supervisor)
    assert sorted(sent.values_list("channel", flat=True)) == ["email", "in_app"]
    assert sent.get(channel="email").address == "boss@example.com"
    assert all(callback.repair.number in n.subject for n in sent)

    with t_plus(timedelta(hours=72)):
        assert services.callbacks_mark_overdue(now=T + timedelta(hours=72)) == 0
    with t_plus(timedelta(hours=90)):
        assert services.callbacks_mark_overdue(now=T + timedelta(hours=90)) == 0

    assert notifications(supervisor).count() == 2
    assert fresh(callback).overdue_at == T + timedelta(hours=72)


def test_the_overdue_mark_and_its_timeline_event_carry_the_sweeps_now_not_the_clock(
    order, callback
):
    now = T + timedelta(hours=72, minutes=1)
    with t_plus(timedelta(days=30)):  # the clock says something else entirely
        assert services.callbacks_mark_overdue(now=now) == 1

    event = order.events.get(kind=RepairEvent.Kind.CALLBACK_OVERDUE)
    assert fresh(callback).overdue_at == now
    assert event.at == now


def test_calls_are_on_the_timeline_at_the_time_they_were_made(order, callback, clerk, supervisor):
    unreached(callback, clerk, 30)
    reached(fresh(callback), clerk, 31)

    calls = order.events.filter(kind=RepairEvent.Kind.CALLBACK).order_by("at")
    assert list(calls.values_list("at", flat=True)) == [
        T + timedelta(hours=30),
        T + timedelta(hours=31),
    ]


def test_a_callback_done_in_time_is_never_marked_overdue(callback, clerk, supervisor):
    reached(callback, clerk, hours_from_t=10)

    with t_plus(timedelta(hours=80)):
        assert services.callbacks_mark_overdue(now=T + timedelta(hours=80)) == 0

    assert fresh(callback).overdue_at is None
    assert not notifications(supervisor).exists()


def test_it_reminds_the_desk_once_within_the_hour_before_the_deadline(callback, clerk):
    def remind(offset):
        with t_plus(offset):
            return services.callbacks_remind_due_soon(now=T + offset)

    assert remind(timedelta(hours=70, minutes=59)) == 0
    assert remind(timedelta(hours=71)) == 1
    assert remind(timedelta(hours=71)) == 0
    assert remind(timedelta(hours=71, minutes=30)) == 0

    assert fresh(callback).reminded_at == T + timedelta(hours=71)
    # The clerk has no email: in-app only.
    assert notifications(clerk, "within the hour").count() == 1


# --- calls that do not reach the resident ------------------------------------------------------


def test_an_unreached_call_records_who_answered_and_replans_the_next_try(callback, clerk):
    attempt = unreached(
        callback,
        clerk,
        5,
        answered_by="林太太",
        relation="妻子",
        best_time="晚上七点后",
        retry_at=T + timedelta(hours=11),
    )

    callback = fresh(callback)
    assert (attempt.reached, attempt.answered_by, attempt.relation) == (False, "林太太", "妻子")
    assert attempt.best_time == "晚上七点后" and attempt.by == clerk
    assert callback.attempts == 1
    assert callback.next_try_at == T + timedelta(hours=11)
    assert callback.status == Callback.Status.OPEN and callback.flagged_at is None
    assert callback.repair.events.filter(kind=RepairEvent.Kind.CALLBACK).count() == 1


def test_three_unreached_calls_flag_it_once_with_one_supervisor_notice(callback, clerk, supervisor):
    unreached(callback, clerk, 1)
    unreached(callback, clerk, 2)
    assert fresh(callback).flagged_at is None
    assert not notifications(supervisor).exists()

    unreached(callback, clerk, 3)
    assert fresh(callback).flagged_at == T + timedelta(hours=3)
    assert notifications(supervisor).count() == 2  # one notice: in-app and email

    unreached(callback, clerk, 4)
    callback = fresh(callback)
    assert callback.attempts == 4
    assert callback.flagged_at == T + timedelta(hours=3)
    assert notifications(supervisor).count() == 2


def test_a_retry_planned_after_the_deadline_is_refused_and_changes_nothing(callback, clerk):
    with pytest.raises(ValidationError, match="before the deadline"):
        unreached(callback, clerk, 5, retry_at=T + timedelta(hours=72, minutes=1))
    with pytest.raises(ValidationError, match="in the future"):
        unreached(callback, clerk, 5, retry_at=T + timedelta(hours=4))

    callback = fresh(callback)
    assert callback.attempts == 0 and callback.next_try_at == T
    assert not CallAttempt.objects.exists()


def test_an_unreached_call_without_a_time_is_retried_in_two_hours(callback, clerk):
    unreached(callback, clerk, 5, retry_at=None)

    assert fresh(callback).next_try_at == T + timedelta(hours=7)


# --- calls that reach the resident -------------------------------------------------------------


def test_satisfied_resident_of_a_signed_off_order_closes_it_on_time(order, callback, clerk):
    with t_plus(timedelta(hours=1)):
        repairs.repair_sign_off(order=order, by=clerk, via="phone", signed_name="林晓峰")

    attempt = reached(
        callback,
        clerk,
        hours_from_t=24,
        attitude=5,
        waiting=4,
        price=None,
        comments="很满意",
        data_confirmed=True,
    )

    callback, order = fresh(callback), fresh(order)
    assert (attempt.solved, attempt.satisfaction, attempt.waiting) == (True, 5, 4)
    assert attempt.data_confirmed and attempt.comments == "很满意"
    assert callback.status == Callback.Status.DONE
    assert callback.timing == Callback.Timing.ON_TIME
    assert callback.done_at == T + timedelta(hours=24) and callback.done_by == clerk
    assert callback.attempts == 1
    assert order.state == State.CLOSED
    assert list(order.events.values_list("kind", flat=True))[-2:] == ["callback", "closed"]


def test_a_satisfied_resident_of_an_order_not_signed_off_leaves_it_completed(
    order, callback, clerk
):
    reached(callback, clerk)

    assert fresh(order).state == State.COMPLETED
    assert fresh(callback).status == Callback.Status.DONE


def test_a_call_made_after_the_deadline_is_late(callback, clerk):
    reached(callback, clerk, hours_from_t=73)

    assert fresh(callback).timing == Callback.Timing.LATE


def test_a_repair_callback_needs_solved_and_a_satisfaction(callback, clerk):
    with pytest.raises(ValidationError, match="satisfaction"):
        reached(callback, clerk, satisfaction=None)
    with pytest.raises(ValidationError, match="solved"):
        reached(callback, clerk, solved=None)
    with pytest.raises(ValidationError, match="satisfaction"):
        reached(callback, clerk, satisfaction=6)

    assert fresh(callback).status == Callback.Status.OPEN
    assert not CallAttempt.objects.exists()


@pytest.fixture
def manager(sunshine, engineering):
    user = staff_at(sunshine, "department_manager", username="manager", email="eng@example.com")
    Membership.objects.filter(user=user).update(department=engineering)
    return user


@pytest.mark.parametrize(
    ("solved", "satisfaction"), [(False, 4), (True, 2)], ids=["not-solved", "score-2"]
)
def test_an_unsolved_problem_or_a_low_score_reopens_the_order_and_tells_the_department(
    sunshine, clerk, engineer, order, callback, manager, solved, satisfaction
):
    with t_plus(timedelta(hours=1)):
        other = repair_completed(sunshine, clerk=clerk, engineer=engineer).callbacks.get()

    reached(callback, clerk, solved=solved, satisfaction=satisfaction, comments="还在漏")

    order, callback = fresh(order), fresh(callback)
    assert order.state == State.REOPENED
    assert callback.status == Callback.Status.DONE  # the call was made: done, not cancelled
    assert callback.timing == Callback.Timing.ON_TIME
    told = notifications(manager, order.number)
    assert sorted(told.values_list("channel", flat=True)) == ["email", "in_app"]
    assert told.first().body == "还在漏"
    assert fresh(other).status == Callback.Status.OPEN  # nothing else is cancelled
    assert order.events.filter(kind=RepairEvent.Kind.REOPENED).count() == 1


def test_a_satisfaction_of_three_does_not_reopen(order, callback, clerk):
    reached(callback, clerk, satisfaction=3)

    assert fresh(order).state == State.COMPLETED


def test_a_reopened_order_completed_again_gets_a_second_round_callback(
    order, callback, clerk, engineer, engineering
):
    reached(callback, clerk, solved=False, satisfaction=3)
    with t_plus(timedelta(hours=30)):
        order = repairs.repair_dispatch(
            order=fresh(order), by=clerk, department=engineering, engineer=engineer
        )
        order = repairs.repair_accept(order=order, by=engineer)
        order = repairs.repair_complete(order=order, by=engineer, cause="密封圈", work_done="更换")

    first, second = order.callbacks.order_by("created_at", "id")
    assert first.pk == callback.pk and first.status == Callback.Status.DONE
    assert second.status == Callback.Status.OPEN and second.kind == Callback.Kind.REPAIR
    assert second.due_at == T + timedelta(hours=30 + 72)


def test_a_promised_reply_becomes_its_own_callback_due_when_promised(order, callback, clerk):
    promised = T + timedelta(hours=50)

    reached(callback, clerk, question="下次能否周末上门?", reply_due_at=promised)

    reply = Callback.objects.get(kind=Callback.Kind.REPLY)
    assert reply.parent == callback and reply.repair == order
    assert reply.question == "下次能否周末上门?"
    assert reply.status == Callback.Status.OPEN
    assert reply.due_at == promised and reply.next_try_at == promised
    assert reply.created_at == T + timedelta(hours=24)
    assert fresh(callback).status == Callback.Status.DONE


def test_a_question_needs_a_promised_time_in_the_future(callback, clerk):
    with pytest.raises(ValidationError, match="Promise a time"):
        reached(callback, clerk, question="能否分期?")
    with pytest.raises(ValidationError, match="in the future"):
        reached(callback, clerk, question="能否分期?", reply_due_at=T + timedelta(hours=1))

    assert fresh(callback).status == Callback.Status.OPEN
    assert Callback.objects.count() == 1


def test_a_reply_callback_is_done_without_a_satisfaction_score(callback, clerk):
    reached(callback, clerk, question="能否分期?", reply_due_at=T + timedelta(hours=50))
    reply = Callback.objects.get(kind=Callback.Kind.REPLY)

    reached(reply, clerk, hours_from_t=49, solved=None, satisfaction=None, comments="已答复")

    reply = fresh(reply)
    assert reply.status == Callback.Status.DONE and reply.timing == Callback.Timing.ON_TIME


def test_a_finished_callback_takes_no_more_calls(callback, clerk):
    reached(callback, clerk)

    with pytest.raises(ValidationError, match="already finished"):
        unreached(callback, clerk, 30)


def test_the_supervisor_closes_a_callback_as_missed_with_a_reason(callback, supervisor):
    with pytest.raises(ValidationError, match="reason"):
        services.callback_close_missed(callback=callback, by=supervisor, reason="  ")
    assert fresh(callback).status == Callback.Status.OPEN

    with t_plus(timedelta(hours=80)):
        services.callback_close_missed(callback=callback, by=supervisor, reason="号码停机")

    callback = fresh(callback)
    assert callback.status == Callback.Status.DONE
    assert callback.timing == Callback.Timing.MISSED
    assert callback.close_reason == "号码停机" and callback.done_by == supervisor


@pytest.mark.parametrize("field", ["attitude", "waiting", "price"])
def test_a_score_outside_1_to_5_is_refused(callback, clerk, field):
    with pytest.raises(ValidationError, match="Scores go from 1 to 5"):
        reached(callback, clerk, **{field: 9})

    assert fresh(callback).status == Callback.Status.OPEN
    assert not CallAttempt.objects.exists()


def test_only_a_supervisor_closes_a_callback_without_the_call(callback, clerk, supervisor):
    from visits.services import callback_close_missed

    with pytest.raises(ValidationError, match="Only a supervisor"):
        callback_close_missed(callback=callback, by=clerk, reason="空号")
    callback_close_missed(callback=callback, by=supervisor, reason="空号")

    assert fresh(callback).timing == Callback.Timing.MISSED
