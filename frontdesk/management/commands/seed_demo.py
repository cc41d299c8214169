"""A demo property with staff for every role and a few residents. Running it twice changes nothing."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction

from frontdesk import services
from frontdesk.models import Building, Department, Membership, Property, Resident, Role, Unit, User
from frontdesk.services import PhoneInput

DEMO_PASSWORD = "frontdesk-demo"  # noqa: S105 - printed for the demo, never a real account

STAFF = [
    ("clerk", "王前台", Role.CLERK, "customer_service"),
    ("assistant", "李助理", Role.ASSISTANT, "customer_service"),
    ("supervisor", "张主管", Role.SUPERVISOR, "customer_service"),
    ("engmanager", "赵经理", Role.DEPARTMENT_MANAGER, "engineering"),
    ("engineer", "陈师傅", Role.ENGINEER, "engineering"),
    ("finance", "刘会计", Role.FINANCE, "finance"),
    ("manager", "周总", Role.PROJECT_MANAGER, None),
]

DEPARTMENTS = [
    ("customer_service", "客服部"),
    ("engineering", "工程部"),
    ("security", "安保部"),
    ("cleaning", "保洁部"),
    ("finance", "财务部"),
    ("leasing", "租赁部"),
]

RESIDENTS = [
    # name, kind, company, unit, phones, best time, move-in
    ("林晓峰", "owner", "", "1-1203", ["13812345678"], "晚上7点后", date(2024, 2, 14)),
    ("林太太", "occupant", "", "1-1203", ["13912345678"], "白天", date(2024, 2, 14)),
    ("郑国华", "owner", "", "1-1504", ["13600001111", "0755-8888 1234"], "周末", date(2023, 9, 1)),
    ("吴敏", "tenant", "", "2-0802", ["15000005678"], "中午12点到1点", date(2025, 6, 30)),
    (
        "黄志强",
        "tenant",
        "星海贸易有限公司",
        "3-2101",
        ["18800002222"],
        "工作日9点到18点",
        date(2025, 11, 3),
    ),
    ("孙丽", "owner", "", "2-1503", ["13711112222"], "", date(2026, 3, 8)),
]


class Command(BaseCommand):
    help = "Seed the demo property (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        prop, _ = Property.objects.get_or_create(
            code="sunshine",
            defaults={
                "name": "阳光花园",
                "address": "深圳市南山区阳光路88号",
                "service_phone": "0755-8600 1234",
                "time_zone": "Asia/Shanghai",
            },
        )
        for year in (2025, 2026, 2027):
            if not prop.holiday_years.filter(year=year).exists():
                try:
                    services.property_holidays_prefill(property=prop, year=year)
                except ValidationError:
                    pass  # a year the library does not know yet: the supervisor enters it
        departments = {}
        for kind, name in DEPARTMENTS:
            departments[kind], _ = Department.objects.get_or_create(
                property=prop, name=name, defaults={"kind": kind}
            )
        for number in ("1", "2", "3"):
            building, _ = Building.objects.get_or_create(
                property=prop, number=number, defaults={"name": f"{number}号楼"}
            )
            for floor in (8, 12, 15, 21):
                for door in ("01", "02", "03", "04"):
                    Unit.objects.get_or_create(
                        building=building,
                        number=f"{floor:02d}{door}",
                        defaults={"floor": floor, "area_m2": Decimal("89.50") + int(door) * 10},
                    )
        for username, full_name, role, dept in STAFF:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": full_name}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            Membership.objects.get_or_create(
                user=user,
                property=prop,
                role=role,
                defaults={"department": departments.get(dept)},
            )
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        clerk = User.objects.get(username="clerk")
        units = {u.label: u for u in Unit.objects.filter(building__property=prop)}
        for name, kind, company, unit, phones, best_time, move_in in RESIDENTS:
            if Resident.objects.filter(property=prop, name=name).exists():
                continue
            services.resident_create(
                property=prop,
                by=clerk,
                units=[units[unit]],
                phones=[PhoneInput(number=p) for p in phones],
                name=name,
                kind=kind,
                company=company,
                best_time_to_call=best_time,
                move_in_date=move_in,
            )
        # One resident with a portal account, so the resident's side can be tried at once.
        resident = Resident.objects.get(property=prop, name="林晓峰")
        if resident.user is None:
            account = User(username="13812345678", first_name=resident.name)
            account.set_password(DEMO_PASSWORD)
            account.save()
            Resident.objects.filter(pk=resident.pk).update(user=account)
        self.print_logins()

    def print_logins(self):
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, full_name, role, _ in STAFF:
            self.stdout.write(f"  {username:<12} {Role(role).label} ({full_name})")
        self.stdout.write("  admin        Administrator (Django admin at /admin/)")
        self.stdout.write("  13812345678  Resident (林晓峰, 1-1203), the resident portal")
        self.stdout.write(
            "  Other residents: a clerk issues an activation code from the resident card;\n"
            "  the resident activates it at /portal/activate/ and signs in with their phone.\n"
        )
