"""A demo property with staff for every role and a few residents. Running it twice changes nothing.

Every record is found again by a key the app never changes (the property's code, usernames,
building and unit numbers, archive numbers, dunning steps, holiday years), never by a name
someone may edit or share. The sample residents, price list, fee items and records go into a
property that has none of them yet; after that they belong to the desk, and whatever it does
with them (renaming, registering another resident of the same name) never trips the next run."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from billing.models import DunningStage, FeeItem, FeeNotice, PriceStandard, Subscription
from billing.notices import first_of_month, notices_generate
from frontdesk import services
from frontdesk.models import Building, Department, Membership, Property, Resident, Role, Unit, User
from frontdesk.services import PhoneInput
from tickets.complaints import services as complaints
from tickets.models import Complaint, PriceItem, RepairOrder
from tickets.repairs import services as repairs
from tickets.repairs.services import LineInput

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

# The sample residents' archive numbers: what a property without residents gives them (the
# move-in day and the order within it). Archive numbers never change, so they find them again.
LIN, LIN_WIFE, ZHENG, WU, HUANG, SUN = (
    "240214001",
    "240214002",
    "230901001",
    "250630001",
    "251103001",
    "260308001",
)
RESIDENTS = [
    # archive number, name, kind, company, unit, phones, best time, move-in
    (LIN, "林晓峰", "owner", "", "1-1203", ["13812345678"], "晚上7点后", date(2024, 2, 14)),
    (LIN_WIFE, "林太太", "occupant", "", "1-1203", ["13912345678"], "白天", date(2024, 2, 14)),
    (
        ZHENG,
        "郑国华",
        "owner",
        "",
        "1-1504",
        ["13600001111", "0755-8888 1234"],
        "周末",
        date(2023, 9, 1),
    ),
    (WU, "吴敏", "tenant", "", "2-0802", ["15000005678"], "中午12点到1点", date(2025, 6, 30)),
    (
        HUANG,
        "黄志强",
        "tenant",
        "星海贸易有限公司",
        "3-2101",
        ["18800002222"],
        "工作日9点到18点",
        date(2025, 11, 3),
    ),
    (SUN, "孙丽", "owner", "", "2-1503", ["13711112222"], "", date(2026, 3, 8)),
]
PORTAL_LOGIN = "13812345678"  # 林晓峰's portal account: a username, so a stable key too


PRICE_LIST = [
    # item, unit, price (yuan): the property's 维修服务项目表及收费标准
    ("更换水龙头", "个", "35.00"),
    ("疏通下水道", "次", "50.00"),
    ("更换灯管", "支", "15.00"),
    ("更换门锁锁芯", "个", "80.00"),
    ("更换插座面板", "个", "20.00"),
    ("空调清洗", "台", "60.00"),
]


FEES = [
    ("物业管理费", "area", "m²", "2.50"),
    ("车位租金", "fixed", "个/月", "300.00"),
    ("水费", "metered", "吨", "4.10"),
    ("电费", "metered", "度", "0.68"),
    ("有偿服务", "service", "次", "0"),
]
DUNNING = [(1, "reminder", 1), (2, "phone", 7), (3, "letter", 30)]


class Command(BaseCommand):
    help = "Seed the demo property (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *_args, **_options):
        prop = self.seed_property()
        departments = {kind: self.department(prop, kind, name) for kind, name in DEPARTMENTS}
        self.seed_buildings(prop)
        self.seed_staff(prop, departments)
        if not PriceItem.objects.filter(property=prop).exists():
            for name, unit, price in PRICE_LIST:
                PriceItem.objects.create(property=prop, name=name, unit=unit, price=Decimal(price))
        clerk = User.objects.get(username="clerk")
        residents = self.seed_residents(prop, clerk)
        if not RepairOrder.objects.filter(property=prop).exists():
            self.seed_repairs(prop, clerk, departments["engineering"], residents)
        if not Complaint.objects.filter(property=prop).exists():
            self.seed_complaints(prop, clerk, departments, residents)
        self.seed_billing(prop)
        self.seed_portal_account(residents.get(LIN))
        self.print_logins()

    def seed_property(self) -> Property:
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
        return prop

    def seed_buildings(self, prop: Property) -> None:
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

    def seed_staff(self, prop: Property, departments: dict) -> None:
        """The demo accounts, each once: its roles are the property's to change afterwards."""
        for username, full_name, role, dept in STAFF:
            if User.objects.filter(username=username).exists():
                continue  # the account and its roles are the property's to change now
            user = User(username=username, first_name=full_name)
            user.set_password(DEMO_PASSWORD)
            user.save()
            Membership.objects.create(
                user=user, property=prop, role=role, department=departments.get(dept)
            )
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()

    def seed_portal_account(self, resident: Resident | None) -> None:
        """One resident with a portal account, so the resident's side can be tried at once."""
        if (
            resident is not None
            and resident.user_id is None
            and not User.objects.filter(username=PORTAL_LOGIN).exists()
        ):
            account = User(username=PORTAL_LOGIN, first_name=resident.name)
            account.set_password(DEMO_PASSWORD)
            account.save()
            Resident.objects.filter(pk=resident.pk).update(user=account)

    def department(self, prop, kind, name):
        """The property's (first) department of that kind, whatever it is called by now."""
        department = Department.objects.filter(property=prop, kind=kind).order_by("pk").first()
        if department is None:
            department, _ = Department.objects.get_or_create(
                property=prop, name=name, defaults={"kind": kind}
            )
        return department

    def seed_residents(self, prop, clerk) -> dict[str, Resident]:
        """The sample residents, into a property that has none yet; by archive number."""
        if Resident.objects.filter(property=prop).exists():
            return {
                r.archive_number: r
                for r in Resident.objects.filter(
                    property=prop, archive_number__in=[row[0] for row in RESIDENTS]
                )
            }
        units = {u.label: u for u in Unit.objects.filter(building__property=prop)}
        return {
            archive_number: services.resident_create(
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
            for archive_number, name, kind, company, unit, phones, best_time, move_in in RESIDENTS
        }

    def seed_billing(self, prop):
        """The fee items with their price standards and a parking space (into a property that
        has no fee items yet), the dunning stages, and last month's notices (generated the way
        beat generates them), once."""
        since = date(2026, 1, 1)
        if not FeeItem.objects.filter(property=prop).exists():
            items = {}
            for name, basis, unit_label, price in FEES:
                items[name] = FeeItem.objects.create(
                    property=prop, name=name, basis=basis, unit_label=unit_label
                )
                PriceStandard.objects.create(
                    fee_item=items[name], effective_from=since, price=Decimal(price)
                )
            unit = Unit.objects.get(building__property=prop, building__number="1", number="1203")
            Subscription.objects.create(
                unit=unit, fee_item=items["车位租金"], note="B-017", starts=since
            )
        for step, kind, days in DUNNING:
            DunningStage.objects.get_or_create(
                property=prop, step=step, defaults={"kind": kind, "days_overdue": days}
            )
        if not FeeNotice.objects.filter(property=prop).exists():
            this_month = first_of_month(timezone.localdate())
            last_month = first_of_month(this_month - timedelta(days=1))
            notices_generate(property=prop, period=last_month)

    def seed_repairs(self, prop, clerk, engineering, residents):
        """A few orders in different states, so every list and the callback queue show rows."""
        if not {LIN, WU, SUN} <= residents.keys():
            return  # the property had residents of its own before the demo's: leave it be
        engineer = User.objects.get(username="engineer")
        now = timezone.now()
        window = {
            "appointment_start": now + timedelta(hours=2),
            "appointment_end": now + timedelta(hours=4),
        }
        lin, wu, sun = residents[LIN], residents[WU], residents[SUN]
        done = repairs.repair_receive(
            property=prop,
            by=clerk,
            resident=lin,
            unit=lin.units.first(),
            channel="phone",
            category="water",
            description="厨房水龙头漏水",
            address_confirmed=True,
            **window,
        )
        done = repairs.repair_dispatch(
            order=done, by=clerk, department=engineering, engineer=engineer
        )
        done = repairs.repair_accept(order=done, by=engineer)
        repairs.repair_complete(
            order=done,
            by=engineer,
            cause="阀芯老化",
            work_done="更换阀芯",
            advice="关水时不要用力过猛",
        )
        waiting = repairs.repair_receive(
            property=prop,
            by=clerk,
            resident=wu,
            unit=wu.units.first(),
            channel="walk_in",
            category="doors",
            description="入户门锁芯卡住",
            chargeable=True,
            address_confirmed=True,
            **window,
        )
        lock = PriceItem.objects.filter(property=prop, name="更换门锁锁芯").first()
        if lock is not None:  # not renamed or taken off the price list meanwhile
            repairs.repair_quote(order=waiting, by=clerk, lines=[LineInput(lock, Decimal("1"))])
        repairs.repair_receive(
            property=prop,
            by=clerk,
            resident=sun,
            unit=sun.units.first(),
            channel="phone",
            category="electricity",
            description="卫生间灯不亮",
            address_confirmed=True,
            **window,
        )
        repairs.repair_receive(
            property=prop,
            by=clerk,
            is_public_area=True,
            location="2号楼电梯厅",
            channel="phone",
            category="lift",
            urgency="urgent",
            description="电梯按钮失灵",
        )

    def seed_complaints(self, prop, clerk, departments, residents):
        """Complaints at several steps: with the department, answered on the spot, resolved
        and waiting for its satisfaction callback, so the complaint pages show rows."""
        if not {LIN, HUANG} <= residents.keys():
            return  # the property had residents of its own before the demo's: leave it be
        assistant = User.objects.get(username="assistant")
        engineer = User.objects.get(username="engineer")
        lin, huang = residents[LIN], residents[HUANG]
        complaints.complaint_receive(
            property=prop,
            by=clerk,
            resident=lin,
            unit=lin.units.first(),
            channel="phone",
            category="lift",
            description="1号楼3号电梯停在8楼不动,已是本周第二次",
            direct_impact=True,
            temperament="angry",
            owner=assistant,
            department=departments["engineering"],
            service_order="立即检修1号楼3号电梯,查明反复停梯原因",
        )
        complaints.complaint_receive(
            property=prop,
            by=clerk,
            complainant_name="周先生",
            contact_phone="13900001111",
            channel="walk_in",
            category="attitude",
            description="保安在大门口态度生硬",
            temperament="disappointed",
            answered_on_spot=True,
            owner=assistant,
        )
        aircon = complaints.complaint_receive(
            property=prop,
            by=clerk,
            resident=huang,
            unit=huang.units.first(),
            channel="letter",
            category="air_conditioning",
            description="办公室空调制冷效果差,来函要求书面答复",
            direct_impact=True,
            temperament="rational",
            owner=assistant,
            department=departments["engineering"],
        )
        complaints.complaint_resolve(
            complaint=aircon, by=engineer, resolution="清洗空调滤网并补充冷媒,温度恢复正常"
        )

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
