from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from frontdesk import services
from frontdesk.models import Building, Membership, Property, Resident, Unit, User
from frontdesk.services import PhoneInput


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret-pass-123")


class PropertyFactory(DjangoModelFactory):
    class Meta:
        model = Property
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"物业{n}")
    code = factory.Sequence(lambda n: f"p{n}")
    holiday_calendar = Property.HolidayCalendar.NONE


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    property = factory.SubFactory(PropertyFactory)
    role = "clerk"


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building
        django_get_or_create = ("property", "number")

    property = factory.SubFactory(PropertyFactory)
    number = "1"


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("building", "number")

    building = factory.SubFactory(BuildingFactory)
    floor = 12
    number = factory.Sequence(lambda n: f"{1200 + n}")
    area_m2 = Decimal("89.50")


class ResidentFactory(factory.Factory):
    """Residents are made through the service, as the desk makes them (archive numbers)."""

    class Meta:
        model = Resident

    property = factory.SubFactory(PropertyFactory)
    name = factory.Sequence(lambda n: f"住户{n}")
    kind = Resident.Kind.OWNER
    move_in_date = date(2026, 3, 8)
    phones = factory.Sequence(lambda n: [f"1380000{n:04d}"])
    unit = None
    by = None

    @classmethod
    def _create(cls, model_class, *, property, phones, unit, by, **fields):
        unit = unit or UnitFactory(building=BuildingFactory(property=property))
        by = by or UserFactory(username="desk-robot")
        return services.resident_create(
            property=property,
            by=by,
            units=[unit],
            phones=[PhoneInput(number=p) for p in phones],
            **fields,
        )
