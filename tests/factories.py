from datetime import UTC, date, datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from frontdesk import services
from frontdesk.models import Building, Department, Membership, Property, Resident, Unit, User
from frontdesk.services import PhoneInput
from tickets.models import PriceItem


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
    """Residents are made through the service, as the desk makes them (archive numbers). A phone
    is a number, or a PhoneInput with who answers it."""

    class Meta:
        model = Resident

    property = factory.SubFactory(PropertyFactory)
    name = factory.Sequence(lambda n: f"住户{n}")
    kind = Resident.Kind.OWNER
    move_in_date = date(2026, 3, 8)
    phones = factory.Sequence(lambda n: [f"1380000{n:04d}"])
    unit = None
    units = None  # a resident of several units: all of them, instead of `unit`
    by = None

    @classmethod
    def _create(cls, model_class, *, property, phones, unit, units, by, **fields):
        units = units or [unit or UnitFactory(building=BuildingFactory(property=property))]
        by = by or UserFactory(username="desk-robot")
        return services.resident_create(
            property=property,
            by=by,
            units=units,
            phones=[p if isinstance(p, PhoneInput) else PhoneInput(number=p) for p in phones],
            **fields,
        )


def portal_user_for(resident, username, **fields):
    """Give the resident a portal account, named after them unless `first_name` is given."""
    resident.user = UserFactory(username=username, **{"first_name": resident.name} | fields)
    resident.save(update_fields=["user"])
    return resident.user


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("property", "name")

    property = factory.SubFactory(PropertyFactory)
    kind = "engineering"
    name = "工程部"


class PriceItemFactory(DjangoModelFactory):
    class Meta:
        model = PriceItem
        django_get_or_create = ("property", "name")

    property = factory.SubFactory(PropertyFactory)
    name = "更换水龙头"
    unit = "个"
    price = Decimal("35.00")


def repair_received(property, *, by, resident=None, unit=None, **fields):
    """A repair taken at the desk, through the service, as the desk takes it."""
    from tickets.repairs import services as repairs

    if resident is None and unit is None and not fields.get("is_public_area"):
        resident = ResidentFactory(property=property)
    if unit is None and resident is not None:
        unit = resident.units.first()
    defaults = {
        "channel": "phone",
        "category": "water",
        "description": "厨房水龙头漏水",
        "appointment_start": datetime(2026, 11, 25, 1, 0, tzinfo=UTC),
        "appointment_end": datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
        "address_confirmed": True,
    }
    defaults.update(fields)
    return repairs.repair_receive(
        property=property, by=by, resident=resident, unit=unit, **defaults
    )


def repair_completed(property, *, clerk, engineer, department=None, **fields):
    """A repair dispatched, accepted and completed by the engineer (its callback scheduled)."""
    from tickets.repairs import services as repairs

    department = department or DepartmentFactory(property=property)
    order = repair_received(property, by=clerk, **fields)
    order = repairs.repair_dispatch(order=order, by=clerk, department=department, engineer=engineer)
    order = repairs.repair_accept(order=order, by=engineer)
    return repairs.repair_complete(order=order, by=engineer, cause="阀芯老化", work_done="更换阀芯")


def complaint_received(property, *, by, resident=None, **fields):
    """A complaint taken at the desk, through the service, as the desk takes it."""
    from tickets.complaints import services as complaints

    if resident is None and "complainant_name" not in fields:
        resident = ResidentFactory(property=property)
    defaults = {
        "channel": "phone",
        "category": "lift",
        "description": "3号电梯停在8楼不动,业主被困前已投诉两次",
        "direct_impact": True,
        "temperament": "angry",
    }
    if resident is not None:
        defaults["unit"] = resident.units.first()
    defaults.update(fields)
    return complaints.complaint_receive(property=property, by=by, resident=resident, **defaults)
