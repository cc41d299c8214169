"""Telling a unit's residents is one function (frontdesk.outbox.units_notify): every current
resident, in their own language, on each channel they have, with the record it is about."""

from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.translation import gettext as _

from frontdesk.desk.models import Parcel
from frontdesk.models import Notification
from frontdesk.outbox import UnitMessage, unit_notify, units_notify
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, portal_user_for


def subject() -> str:
    return _("Reminder: your parcel (%(carrier)s) is still waiting. Code %(code)s.") % {
        "carrier": "SF",
        "code": "123456",
    }


def test_each_resident_is_told_in_their_language_on_their_channels(sunshine, lin, clerk):
    unit = lin.units.get()
    portal_user_for(lin, "lin")
    abroad = ResidentFactory(
        property=sunshine, unit=unit, name="Anna", preferred_language="en", email="anna@example.com"
    )
    ResidentFactory(property=sunshine, unit=unit, name="已搬走", moved_out_on="2026-05-01")
    parcel = Parcel.objects.create(
        property=sunshine,
        unit=unit,
        carrier="SF",
        pickup_code="123456",
        received_at="2026-11-24T10:00:00+08:00",
        registered_by=clerk,
    )

    with translation.override("en"):  # the clerk's language does not decide the residents'
        told = unit_notify(sunshine, unit, subject, link="/portal/", about=parcel)

    assert told == 2  # who moved out is not told
    rows = Notification.objects.order_by("recipient_resident__name", "channel")
    assert [(n.recipient_resident.name, n.channel, n.subject[:2]) for n in rows] == [
        ("Anna", "email", "Re"),
        ("Anna", "sms", "Re"),
        ("林晓峰", "in_app", "提醒"),
        ("林晓峰", "sms", "提醒"),
    ]
    parcel_type = ContentType.objects.get_for_model(Parcel)
    assert {(n.about_type, n.about_id, n.link) for n in rows} == {
        (parcel_type, parcel.pk, "/portal/")
    }
    assert rows.get(channel="email").address == abroad.email


def test_many_units_are_told_in_three_queries(sunshine, django_assert_num_queries):
    building = BuildingFactory(property=sunshine)
    units = [UnitFactory(building=building) for _i in range(3)]
    for i, unit in enumerate(units):
        ResidentFactory(property=sunshine, unit=unit, name=f"住户甲{i}")
        ResidentFactory(property=sunshine, unit=unit, name=f"住户乙{i}")
    messages = {u.pk: UnitMessage(subject=lambda: "通知") for u in units}
    # the residents, their phones, the rows (one insert that returns their ids)
    with django_assert_num_queries(3):
        assert units_notify(property=sunshine, messages=messages) == 6
    assert Notification.objects.filter(channel="sms").count() == 6
