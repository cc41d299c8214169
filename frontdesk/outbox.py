"""The outbox: every message to a person is a Notification row, written in the transaction of
the change that causes it and delivered after commit by a task, or by the sweep when the
broker or a worker failed. This module is the table's only writer."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from frontdesk.models import Notification, Property, Resident, ResidentPhone, Unit, User
from frontdesk.policy import staff_with_roles

logger = logging.getLogger(__name__)
Channel = Notification.Channel


def publish_after_commit(task, *args) -> None:
    """Queue a task once the transaction commits, never making the request wait on the broker.

    Best effort: if the broker is down the row stays pending and the sweep handles it.
    """

    def publish() -> None:
        try:
            task.apply_async(args=args, retry=False)
        except Exception:
            logger.warning("broker unavailable; %s left to the sweep", task.name, exc_info=True)

    transaction.on_commit(publish)


def notification_enqueue(
    *,
    property: Property,
    channel: str,
    subject: str,
    body: str,
    address: str = "",
    recipient_user: User | None = None,
    recipient_resident: Resident | None = None,
    link: str = "",
    about: models.Model | None = None,
) -> Notification:
    """Write an outbox row in the caller's transaction; delivery is queued after commit.
    `about` is the record the message is about, kept as a reference."""
    note = Notification.objects.create(
        about=about,
        property=property,
        channel=channel,
        subject=subject,
        body=body,
        address=address,
        recipient_user=recipient_user,
        recipient_resident=recipient_resident,
        link=link,
        created_at=timezone.now(),
    )
    publish_after_commit(notification_deliver_task, note.pk)
    return note


def staff_notify(
    *,
    property: Property,
    roles: set[str],
    subject: str,
    body: str,
    link: str = "",
    department_id: int | None = None,
    about: models.Model | None = None,
) -> int:
    """Tell everyone holding one of the roles at the property: an in-app notice each, and an
    email where they have an address. Runs in the caller's transaction (outbox)."""
    users = list(staff_with_roles(property.pk, roles, department_id=department_id))
    for user in users:
        user_notify(
            property=property, user=user, subject=subject, body=body, link=link, about=about
        )
    return len(users)


def user_notify(
    *,
    property: Property,
    user: User,
    subject: str,
    body: str,
    link: str = "",
    about: models.Model | None = None,
) -> None:
    """An in-app notice in the person's header, and an email where they have an address."""
    message = {"property": property, "subject": subject, "body": body, "link": link}
    message["about"] = about
    notification_enqueue(channel=Notification.Channel.IN_APP, recipient_user=user, **message)
    if user.email:
        notification_enqueue(
            channel=Notification.Channel.EMAIL, address=user.email, recipient_user=user, **message
        )


@dataclass(frozen=True)
class UserMessage:
    """One message to one staff member, for users_notify."""

    property_id: int
    user: User
    subject: str
    body: str
    link: str = ""
    about: models.Model | None = None


def users_notify(messages: Iterable[UserMessage], *, at: datetime) -> int:
    """user_notify for many people at once (the sweep's notices): an in-app notice each and an
    e-mail where they have an address, written in one INSERT and handed to one delivery task
    after commit. Returns how many rows were written."""
    rows = []
    for message in messages:
        common = {
            "property_id": message.property_id,
            "recipient_user": message.user,
            "subject": message.subject[: Notification._meta.get_field("subject").max_length],
            "body": message.body,
            "link": message.link,
            "about": message.about,
            "created_at": at,
        }
        rows.append(Notification(channel=Channel.IN_APP, **common))
        if message.user.email:
            rows.append(Notification(channel=Channel.EMAIL, address=message.user.email, **common))
    _publish(Notification.objects.bulk_create(rows))
    return len(rows)


def listed(items: Iterable[str]) -> str:
    """Items joined as a list in the active language ("A, B" or "A、B")."""
    return pgettext("list separator", ", ").join(items)


# How many of the records a sweep's notice names; the rest are counted, and on its list.
LISTED_AT_MOST = 20


@dataclass
class Listing:
    """The records that turned due for one audience in one sweep, told as one notice: how many
    there were and the first LISTED_AT_MOST of them, whatever the number."""

    count: int = 0
    first: list = field(default_factory=list)

    def add(self, record: models.Model) -> None:
        self.count += 1
        if len(self.first) < LISTED_AT_MOST:
            self.first.append(record)

    @property
    def only(self) -> models.Model | None:
        """The record itself when it is the only one: the notice is then about it."""
        return self.first[0] if self.count == 1 else None

    def named(self, name: Callable[[models.Model], str]) -> str:
        """The listed records' names for a subject, with an ellipsis when some are left out."""
        names = listed(name(record) for record in self.first)
        return names + ("…" if self.count > len(self.first) else "")

    def body(self, line: Callable[[models.Model], str]) -> str:
        """A line per listed record, then how many more the list behind the link holds."""
        lines = [line(record) for record in self.first]
        if more := self.count - len(self.first):
            lines.append(_("and %(n)d more on the list") % {"n": more})
        return "\n".join(lines)


@dataclass(frozen=True)
class UnitMessage:
    """What a unit's residents are told: the subject is written by `subject()`, called in
    each resident's language; `about` is the record it is about."""

    subject: Callable[[], str]
    link: str = ""
    about: models.Model | None = None


def _language(resident: Resident) -> str:
    other = resident.preferred_language == "other"
    return settings.LANGUAGE_CODE if other else resident.preferred_language


def units_notify(
    *, property: Property, messages: dict[int, UnitMessage], at: datetime | None = None
) -> int:
    """Tell the current residents of units, each in their language: an SMS to their first
    phone, an email where they have an address, a portal notice where they have an account.
    Three queries whatever the number of units and residents; each row's delivery is queued
    after commit. Returns how many residents were told."""
    memberships = Resident.units.through.objects.filter(
        unit_id__in=list(messages), resident__moved_out_on__isnull=True
    ).select_related("resident")
    told = [(m.resident, messages[m.unit_id]) for m in memberships]
    phones: dict[int, str] = {}
    for resident_id, digits in (
        ResidentPhone.objects.filter(resident_id__in=[r.pk for r, _m in told])
        .order_by("pk")
        .values_list("resident_id", "digits")
    ):
        phones.setdefault(resident_id, digits)
    now = at or timezone.now()
    rows = []
    for resident, message in told:
        with translation.override(_language(resident)):
            subject = str(message.subject())
        common = {
            "property": property,
            "recipient_resident": resident,
            "subject": subject,
            "body": "",
            "created_at": now,
            "link": message.link,
            "about": message.about,
        }
        if resident.pk in phones:
            rows.append(Notification(channel=Channel.SMS, address=phones[resident.pk], **common))
        if resident.email:
            rows.append(Notification(channel=Channel.EMAIL, address=resident.email, **common))
        if resident.user_id:
            rows.append(
                Notification(channel=Channel.IN_APP, recipient_user_id=resident.user_id, **common)
            )
    _publish(Notification.objects.bulk_create(rows))
    return len(told)


def unit_notify(
    prop: Property,
    unit: Unit,
    subject: str | Callable[[], str],
    link: str = "",
    about: models.Model | None = None,
) -> int:
    """Tell one unit's current residents (units_notify). A subject given as text is sent as
    it is; given as a function, it is written in each resident's language."""
    write = subject if callable(subject) else (lambda: subject)
    message = UnitMessage(subject=write, link=link, about=about)
    return units_notify(property=prop, messages={unit.pk: message})


NOTIFICATION_CLAIM_STALE_AFTER = timedelta(minutes=10)
NOTIFICATION_MAX_ATTEMPTS = 8


def _notification_send(note: Notification) -> None:
    """Hand one message to its channel. Raises on failure; the caller records it."""
    if note.channel == Notification.Channel.EMAIL:
        send_mail(note.subject, note.body, None, [note.address], fail_silently=False)
    elif note.channel == Notification.Channel.SMS:
        if settings.SMS_BACKEND != "log":
            raise ImproperlyConfigured(f"Unknown SMS_BACKEND {settings.SMS_BACKEND!r}")
        logger.info("SMS to %s: %s", note.address, note.body)
    # In-app messages are read from the outbox row itself: marking it sent is delivery.


def notification_deliver(*, notification_id: int, now: datetime) -> bool:
    """Deliver one outbox row at least once, and record its effect exactly once.

    The conditional UPDATE claims the row: only the caller that changed it sends, so two
    workers (or a task and the sweep) never deliver the same message twice. A claim older
    than NOTIFICATION_CLAIM_STALE_AFTER belongs to a worker that died and is taken over.
    """
    claimable = Q(status=Notification.Status.PENDING) | Q(
        status=Notification.Status.SENDING, claimed_at__lt=now - NOTIFICATION_CLAIM_STALE_AFTER
    )
    claimed = Notification.objects.filter(claimable, pk=notification_id).update(
        status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return False
    note = Notification.objects.get(pk=notification_id)
    try:
        _notification_send(note)
    except Exception as exc:
        gave_up = note.attempts >= NOTIFICATION_MAX_ATTEMPTS
        Notification.objects.filter(pk=note.pk).update(
            status=Notification.Status.FAILED if gave_up else Notification.Status.PENDING,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return False
    Notification.objects.filter(pk=note.pk).update(
        status=Notification.Status.SENT, sent_at=now, last_error=""
    )
    return True


def notifications_sweep(*, now: datetime, batch_size: int = 200) -> dict:
    """Deliver what the after-commit task did not (broker down, worker killed)."""
    ids = list(
        Notification.objects.filter(
            Q(status=Notification.Status.PENDING)
            | Q(
                status=Notification.Status.SENDING,
                claimed_at__lt=now - NOTIFICATION_CLAIM_STALE_AFTER,
            )
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    sent = sum(notification_deliver(notification_id=pk, now=now) for pk in ids)
    return {"notifications_tried": len(ids), "notifications_sent": sent}


def _publish(notes: list[Notification]) -> None:
    """One delivery task for rows written together, queued after commit."""
    if notes:
        publish_after_commit(notifications_deliver_task, [note.pk for note in notes])


@shared_task(acks_late=True)
def notifications_deliver_task(notification_ids: list[int]) -> int:
    """Deliver rows written together; each is claimed on its own, so a task delivered twice
    (or racing the sweep) sends every message once."""
    now = timezone.now()
    return sum(notification_deliver(notification_id=pk, now=now) for pk in notification_ids)


# The name the task had when it lived in frontdesk.tasks: queued messages keep their route.
@shared_task(acks_late=True, name="frontdesk.tasks.notification_deliver_task")
def notification_deliver_task(notification_id: int) -> bool:
    return notification_deliver(notification_id=notification_id, now=timezone.now())


def notification_mark_read(*, notification: Notification, by: User) -> None:
    Notification.objects.filter(pk=notification.pk, recipient_user=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_read_about(*, user: User, about: models.Model, at: datetime) -> int:
    """The person has seen the record: their unread notices about it are read."""
    return Notification.objects.filter(
        recipient_user=user,
        about_type=ContentType.objects.get_for_model(about),
        about_id=about.pk,
        read_at__isnull=True,
    ).update(read_at=at)
