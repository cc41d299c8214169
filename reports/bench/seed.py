"""Seed the benchmark database by bulk loading: rows are generated in Python, written as
COPY text into an in-memory buffer a chunk at a time, and streamed to PostgreSQL with
psycopg2's cursor.copy_expert. Nothing is disabled: every constraint, foreign key and index
of the schema is in place while the rows go in.

The estate (properties, staff, buildings, units, residents and their phones) is loaded once,
the owners first and the other residents after them (so the lookup is measured at both
sizes); the history (repair orders, complaints, their callbacks, calls and escalations, and the fee
notices) grows in stages, each stage inserting the difference to its size, so one run can
measure the same pages at 10k, 100k and 1M rows.

What the rows look like (a supervisor's estate, not random noise):

- ten properties; the first is the large estate (40% of the units, residents and tickets)
  that the benchmark's supervisor works at, the other nine share the rest;
- tickets are spread over the last two years and are finished: repairs closed (5%
  cancelled), complaints called back and archived, every callback done with a call that
  reached the resident and a satisfaction score (mostly 4 or 5);
- only the first stage adds the desk's current work: a fifth of its tickets fall in the
  last ten days and stop where "now" cuts their timeline, so a few thousand callbacks are
  open (some overdue), some complaints wait for a fix, a reply or a callback, and some
  escalations are unacknowledged. Later stages add history only, so the desk's open work
  stays the same size while the tables grow a hundredfold;
- fee notices for the last twelve due months, newest month first, three or four lines
  each; 12% of the units have not paid the newest month, 2% owe every month, 1% of the
  rest owe one month now and then.
"""

import io
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection as default_connection
from django.utils import timezone

from billing.models import DunningStage, FeeItem, PriceStandard
from frontdesk.models import (
    Building,
    Department,
    HolidayYear,
    Membership,
    Property,
    Role,
    SweepRun,
    User,
)

NULL = r"\N"
HISTORY_DAYS = 730  # tickets are spread over the last two years
RECENT_DAYS = 10  # the first stage's "current work" falls in the last ten days
RECENT_SHARE = 0.4
PROPERTIES = 10
BIG_SHARE = 0.4  # the benchmark supervisor's property
MONTHS = 12
LOCAL_OFFSET = timedelta(hours=8)  # Asia/Shanghai, no daylight saving time
CHUNK = 50_000  # tickets per COPY round (each brings ~3 callbacks and ~2 calls)

FULL_UNITS = 20_000
FULL_RESIDENTS = 200_000
FULL_TICKETS = (10_000, 100_000, 1_000_000)
FULL_NOTICES = (10_000, 100_000, 240_000)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国晓峰文斌宇浩然欣怡子涵梓萱俊杰雨萱思远"
REPAIR_TEXTS = [
    "厨房水龙头漏水",
    "卫生间下水堵塞",
    "客厅灯不亮",
    "入户门锁打不开",
    "空调不制冷",
    "电梯按钮失灵",
    "阳台地漏返水",
    "插座没电",
    "热水器不出热水",
    "窗户关不严",
]
PUBLIC_PLACES = ["大堂", "地下车库B1", "3号电梯厅", "中心花园", "东门岗亭", "会所"]
COMPLAINT_TEXTS = [
    "夜间装修噪音扰民",
    "电梯经常停运",
    "保安态度差",
    "垃圾清运不及时",
    "车库照明不足",
    "维修人员未按约定时间上门",
    "楼道有异味",
    "供水压力不足",
    "空调系统噪音大",
    "快递堆放堵塞通道",
]
# (value, weight) lists, drawn through a 1000-slot table (faster than random.choices).
REPAIR_CHANNELS = [("phone", 55), ("walk_in", 15), ("online", 30)]
REPAIR_CATEGORIES = [
    ("water", 30),
    ("electricity", 20),
    ("doors", 12),
    ("air_conditioning", 12),
    ("lift", 6),
    ("public_area", 10),
    ("other", 10),
]
COMPLAINT_CHANNELS = [("phone", 50), ("walk_in", 25), ("online", 15), ("letter", 5), ("other", 5)]
COMPLAINT_CATEGORIES = [
    ("air_conditioning", 12),
    ("lighting", 8),
    ("water_power", 15),
    ("lift", 12),
    ("attitude", 15),
    ("quality", 20),
    ("incident", 8),
    ("other", 10),
]
CATEGORY_DEPARTMENT = {
    "air_conditioning": "engineering",
    "lighting": "engineering",
    "water_power": "engineering",
    "lift": "engineering",
    "attitude": "customer_service",
    "quality": "cleaning",
    "incident": "security",
    "other": "customer_service",
}
TEMPERAMENTS = [("rational", 60), ("disappointed", 25), ("angry", 15)]
SATISFACTION = [(5, 68), (4, 27), (3, 3), (2, 1), (1, 1)]
DEPARTMENTS = [
    ("engineering", "工程部"),
    ("customer_service", "客服部"),
    ("security", "秩序维护部"),
    ("cleaning", "环境部"),
    ("finance", "财务部"),
]


def full_sizes(scale: float) -> "Sizes":
    """The issue's sizes times `scale` (1.0 for `make bench`, tiny for the test)."""
    units = max(PROPERTIES * 2, round(FULL_UNITS * scale))
    return Sizes(
        units=units,
        residents=max(units * 2, round(FULL_RESIDENTS * scale)),
        tickets=tuple(max(10, round(n * scale)) for n in FULL_TICKETS),
        notices=tuple(min(units * MONTHS, max(10, round(n * scale))) for n in FULL_NOTICES),
    )


@dataclass(frozen=True)
class Sizes:
    units: int
    residents: int
    tickets: tuple[int, ...]  # complaints (and as many repair orders) after each stage
    notices: tuple[int, ...]  # fee notices after each stage


@dataclass
class Estate:
    """One property as the generator needs it: ids are contiguous, so a unit's residents
    and a resident's unit are arithmetic."""

    index: int
    id: int
    unit_base: int = 0
    units: int = 0
    resident_base: int = 0
    residents: int = 0
    clerks: list[int] = field(default_factory=list)
    supervisor: int = 0
    manager: int = 0
    engineers: list[int] = field(default_factory=list)
    departments: dict[str, int] = field(default_factory=dict)
    department_managers: dict[str, int] = field(default_factory=dict)
    fee_items: dict[str, int] = field(default_factory=dict)

    def resident_of(self, unit_offset: int, rng: random.Random) -> int:
        per_unit = max(1, self.residents // self.units)
        rank = rng.randrange(per_unit)
        offset = unit_offset + self.units * rank
        return self.resident_base + (offset if offset < self.residents else unit_offset)


def _table(pairs) -> list:
    total = sum(weight for _value, weight in pairs)
    slots = []
    for value, weight in pairs:
        slots.extend([value] * round(weight * 1000 / total))
    while len(slots) < 1000:
        slots.append(pairs[0][0])
    return slots[:1000]


def ts(value: datetime | None) -> str:
    return NULL if value is None else value.isoformat()


def cents(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


def _h(value: int) -> int:
    """A fixed pseudo-random number per unit (Knuth's multiplicative hash)."""
    return (value * 2654435761) & 0xFFFFFFFF


class Seeder:
    """Seeds one database in stages. `log` receives progress lines."""

    def __init__(
        self,
        *,
        scale: float = 1.0,
        seed: int = 20261124,
        now: datetime | None = None,
        connection=None,
        log: Callable[[str], None] = print,
    ):
        self.sizes = full_sizes(scale)
        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.now = (now or timezone.now()).replace(microsecond=0)
        self.connection = connection or default_connection
        self.log = log
        self.estates: list[Estate] = []
        self.staff_username = ""
        self.stage = -1
        self.recent_days = RECENT_DAYS  # the window of "current work" (a day for a day's writes)
        self.manager_username = ""
        self.twin_username = ""
        self.loaded: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        self._names = [
            self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, self.rng.choice((1, 2))))
            for _ in range(4000)
        ]
        self._property_slots = [0] * round(1000 * BIG_SHARE)
        rest = 1000 - len(self._property_slots)
        for index in range(1, PROPERTIES):
            self._property_slots.extend([index] * (rest // (PROPERTIES - 1)))
        while len(self._property_slots) < 1000:
            self._property_slots.append(PROPERTIES - 1)
        self.repair_channels = _table(REPAIR_CHANNELS)
        self.repair_categories = _table(REPAIR_CATEGORIES)
        self.complaint_channels = _table(COMPLAINT_CHANNELS)
        self.complaint_categories = _table(COMPLAINT_CATEGORIES)
        self.temperaments = _table(TEMPERAMENTS)
        self.satisfaction = _table(SATISFACTION)
        self.months = self._months()

    # --- plumbing ---------------------------------------------------------------------------

    def copy(self, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
        """COPY the lines (tab-separated, one row each, \\N for NULL) into the table."""
        if not lines:
            return
        buffer = io.StringIO("".join(lines))
        with self.connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer, size=1 << 20
            )
        self.loaded[table] = self.loaded.get(table, 0) + len(lines)

    def next_id(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608
            return cursor.fetchone()[0]

    def count(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            return cursor.fetchone()[0]

    def _timed(self, name: str, started: float) -> None:
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started

    def reset_sequences(self) -> None:
        """COPY gives explicit ids: move every sequence past them."""
        with self.connection.cursor() as cursor:
            for table in self.loaded:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), max(id)) FROM {table}",  # noqa: S608
                    [table],
                )

    def analyze(self) -> None:
        """Fresh statistics (and, outside a transaction, the visibility map and hint bits that
        a freshly loaded table lacks, so no autovacuum starts in the middle of a measurement)."""
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            if self.connection.in_atomic_block:
                cursor.execute("ANALYZE")
            else:
                cursor.execute("VACUUM (ANALYZE)")
        self._timed("vacuum analyze", started)

    # --- the estate -------------------------------------------------------------------------

    def _months(self) -> list[date]:
        """The last twelve billed months whose notices are due before today, newest first."""
        today = timezone.localdate(self.now)
        month = today.replace(day=1)
        if month + timedelta(days=15) >= today:
            month = (month - timedelta(days=1)).replace(day=1)
        months = []
        for _ in range(MONTHS):
            months.append(month)
            month = (month - timedelta(days=1)).replace(day=1)
        return months

    def setup(self) -> None:
        """Properties, staff, departments, fee items (ORM: a few hundred rows), then the
        buildings, units, the owners (one resident a unit) and their phones (COPY); the other
        residents come with `residents_rest()`, so the lookup is measured at both sizes."""
        started = time.perf_counter()
        sizes = self.sizes
        tag = f"{self.rng.randrange(16**6):06x}"
        password = make_password(None)
        unit_counts = [round(sizes.units * BIG_SHARE)]
        unit_counts += [(sizes.units - unit_counts[0]) // (PROPERTIES - 1)] * (PROPERTIES - 1)
        unit_counts[-1] += sizes.units - sum(unit_counts)
        resident_counts = [round(sizes.residents * n / sizes.units) for n in unit_counts]
        resident_counts[-1] += sizes.residents - sum(resident_counts)
        this_year = self.now.year
        for index in range(PROPERTIES):
            prop = Property.objects.create(
                name=f"基准{index + 1}号物业 {tag}",
                code=f"b{tag}{index}",
                address=f"基准路{index + 1}号",
            )
            estate = Estate(index=index, id=prop.pk)
            HolidayYear.objects.bulk_create(
                HolidayYear(property=prop, year=year) for year in (this_year - 1, this_year)
            )
            for kind, name in DEPARTMENTS:
                estate.departments[kind] = Department.objects.create(
                    property=prop, kind=kind, name=name
                ).pk
            DunningStage.objects.bulk_create(
                [
                    DunningStage(property=prop, step=1, kind="reminder", days_overdue=7),
                    DunningStage(property=prop, step=2, kind="phone", days_overdue=30),
                    DunningStage(property=prop, step=3, kind="letter", days_overdue=60),
                ]
            )
            people = [("clerk", Role.CLERK, None)] * 3 + [("assistant", Role.ASSISTANT, None)]
            people += [
                ("supervisor", Role.SUPERVISOR, None),
                ("manager", Role.PROJECT_MANAGER, None),
            ]
            people += [("engineer", Role.ENGINEER, "engineering")] * 6
            people += [
                (f"{kind}-manager", Role.DEPARTMENT_MANAGER, kind)
                for kind in ("engineering", "customer_service", "security", "cleaning")
            ]
            for number, (label, role, department) in enumerate(people):
                username = f"bench-{tag}-{index + 1}-{label}-{number}"
                if index == 0 and role == Role.SUPERVISOR:
                    username = f"bench-{tag}-supervisor"
                    self.staff_username = username
                user = User.objects.create(
                    username=username,
                    password=password,
                    first_name=self._names[number + 20 * index],
                    email=f"{label}{number}@p{index + 1}.example.com"
                    if role in {Role.SUPERVISOR, Role.PROJECT_MANAGER}
                    else "",
                )
                Membership.objects.create(
                    user=user,
                    property=prop,
                    role=role,
                    department_id=estate.departments[department] if department else None,
                )
                if role in {Role.CLERK, Role.ASSISTANT}:
                    estate.clerks.append(user.pk)
                elif role == Role.SUPERVISOR:
                    estate.supervisor = user.pk
                elif role == Role.PROJECT_MANAGER:
                    estate.manager = user.pk
                elif role == Role.ENGINEER:
                    estate.engineers.append(user.pk)
                else:
                    estate.department_managers[department] = user.pk
            for name, basis, unit_label, price in (
                ("物业服务费", "area", "元/㎡·月", "2.8000"),
                ("水费", "metered", "吨", "4.5000"),
                ("电费", "metered", "度", "0.6800"),
                ("车位管理费", "fixed", "个·月", "150.0000"),
            ):
                item = FeeItem.objects.create(
                    property=prop, name=name, basis=basis, unit_label=unit_label
                )
                PriceStandard.objects.create(
                    fee_item=item, price=price, effective_from=date(2020, 1, 1)
                )
                estate.fee_items[basis if basis != "metered" else name] = item.pk
            estate.units = unit_counts[index]
            estate.residents = resident_counts[index]
            self.estates.append(estate)
        self._reporting_staff(tag, password)
        SweepRun.objects.update_or_create(
            name="sweep", defaults={"last_started_at": self.now, "last_finished_at": self.now}
        )
        self._timed("estate: staff and settings", started)
        resident_id = self.next_id("frontdesk_resident")
        for estate in self.estates:
            estate.resident_base = resident_id
            resident_id += estate.residents
        self._load_units(self.estates)
        self._load_residents(self.estates, owners=True)

    def residents_rest(self) -> None:
        """The residents beyond each unit's owner (tenants, occupants, family)."""
        self._load_residents(self.estates, owners=False)
        self.reset_sequences()
        self.analyze()

    def _reporting_staff(self, tag: str, password: str) -> None:
        """A project manager over all the properties (the dashboard of several properties),
        and a supervisor of the large property who will also supervise its twins (the
        dashboard of each stage re-measured at the end beside the largest)."""
        manager = User.objects.create(username=f"bench-{tag}-area-manager", password=password)
        twin = User.objects.create(username=f"bench-{tag}-twin-supervisor", password=password)
        Membership.objects.bulk_create(
            [
                Membership(user=manager, property_id=estate.id, role=Role.PROJECT_MANAGER)
                for estate in self.estates
            ]
            + [Membership(user=twin, property_id=self.estates[0].id, role=Role.SUPERVISOR)]
        )
        self.manager_username, self.twin_username = manager.username, twin.username

    def _load_units(self, estates: list[Estate]) -> None:
        started = time.perf_counter()
        unit_id = self.next_id("frontdesk_unit")
        lines = []
        for estate in estates:
            per_building = 200 if estate.index == 0 else 134
            count = max(1, -(-estate.units // per_building))
            buildings = Building.objects.bulk_create(
                Building(property_id=estate.id, number=str(n + 1), name=f"{n + 1}号楼")
                for n in range(count)
            )
            estate.unit_base = unit_id
            for offset in range(estate.units):
                building = buildings[offset // per_building].pk
                room = offset % per_building
                floor, door = room // 8 + 1, room % 8 + 1
                area = 5500 + _h(unit_id) % 12500
                lines.append(f"{unit_id}\t{building}\t{floor}\t{floor}{door:02d}\t{cents(area)}\n")
                unit_id += 1
        self.copy("frontdesk_unit", ("id", "building_id", "floor", "number", "area_m2"), lines)
        self._timed("units", started)

    def _load_residents(self, estates: list[Estate], *, owners: bool | None = None) -> None:
        """The estates' residents (ids resident_base + offset): the owners (the first offset of
        each unit) if `owners`, the others if False, all if None."""
        started = time.perf_counter()
        rng, names, now = self.rng, self._names, self.now
        first_day = timezone.localdate(now) - timedelta(days=3650)
        link_id = self.next_id("frontdesk_resident_units")
        phone_id = self.next_id("frontdesk_residentphone")
        columns = (
            "id",
            "property_id",
            "name",
            "kind",
            "company",
            "best_time_to_call",
            "preferred_language",
            "email",
            "move_in_date",
            "moved_out_on",
            "archive_number",
            "notes",
            "user_id",
            "created_at",
        )
        people, links, phones = [], [], []

        def flush():
            self.copy("frontdesk_resident", columns, people)
            self.copy("frontdesk_resident_units", ("id", "resident_id", "unit_id"), links)
            self.copy(
                "frontdesk_residentphone",
                ("id", "resident_id", "number", "digits", "label", "answered_by", "relation"),
                phones,
            )
            people.clear(), links.clear(), phones.clear()

        for estate in estates:
            first, last = 0, estate.residents
            if owners is not None:
                first, last = (0, estate.units) if owners else (estate.units, estate.residents)
            for offset in range(first, last):
                resident_id = estate.resident_base + offset
                # Archive numbers are YYMMDD + a 3-digit sequence per property and day: the
                # move-in day cycles through ten years, the sequence counts the laps.
                moved_in = first_day + timedelta(days=offset % 3650)
                archive = f"{moved_in:%y%m%d}{offset // 3650 + 1:03d}"
                kind = "owner" if offset < estate.units else ("tenant", "occupant")[offset % 2]
                moved_out = NULL
                if offset >= estate.units and rng.random() < 0.25:
                    moved_out = (moved_in + timedelta(days=rng.randrange(30, 1500))).isoformat()
                    if moved_out > str(timezone.localdate(now)):
                        moved_out = NULL
                company = "" if rng.random() < 0.9 else "星河科技有限公司"
                people.append(
                    f"{resident_id}\t{estate.id}\t{names[rng.randrange(4000)]}\t{kind}\t{company}"
                    f"\t\tzh-hans\t\t{moved_in.isoformat()}\t{moved_out}\t{archive}\t\t{NULL}"
                    f"\t{moved_in.isoformat()} 09:00:00+08\n"
                )
                links.append(
                    f"{link_id}\t{resident_id}\t{estate.unit_base + offset % estate.units}\n"
                )
                link_id += 1
                for label in ("手机", "家庭") if rng.random() < 0.3 else ("手机",):
                    digits = f"1{'35789'[rng.randrange(5)]}{rng.randrange(10**9):09d}"
                    number = f"{digits[:3]} {digits[3:7]} {digits[7:]}"
                    phones.append(f"{phone_id}\t{resident_id}\t{number}\t{digits}\t{label}\t\t\n")
                    phone_id += 1
                if len(people) >= 100_000:
                    flush()
        flush()
        self._timed("residents and phones", started)

    # --- the history, in stages -------------------------------------------------------------

    def grow(self, stage: int) -> dict[str, int]:
        """Insert what stage `stage` adds (0, 1, 2 for 10k, 100k, 1M). Returns the counts of
        the main tables afterwards."""
        if stage != self.stage + 1:
            raise ValueError(f"stages run in order: {self.stage + 1} is next, not {stage}")
        self.stage = stage
        recent = RECENT_SHARE if stage == 0 else 0.0
        target = self.sizes.tickets[stage]
        have = self.sizes.tickets[stage - 1] if stage else 0
        remaining = target - have
        while remaining > 0:
            n = min(CHUNK, remaining)
            self._repairs(n, recent)
            self._complaints(n, recent)
            remaining -= n
            self.log(f"  ... {target - remaining:,} of {target:,} repair orders and complaints")
        self._notices(self.sizes.notices[stage - 1] if stage else 0, self.sizes.notices[stage])
        self.reset_sequences()
        SweepRun.objects.filter(name="sweep").update(last_finished_at=timezone.now())
        self.analyze()
        return self.counts()

    def counts(self) -> dict[str, int]:
        tables = {
            "residents": "frontdesk_resident",
            "resident_phones": "frontdesk_residentphone",
            "repair_orders": "tickets_repairorder",
            "complaints": "tickets_complaint",
            "escalations": "tickets_escalation",
            "callbacks": "visits_callback",
            "call_attempts": "visits_callattempt",
            "fee_notices": "billing_feenotice",
            "fee_notice_lines": "billing_feenoticeline",
        }
        return {name: self.count(table) for name, table in tables.items()}

    def _when(self, recent: float) -> datetime:
        rng = self.rng
        if rng.random() < recent:
            seconds = rng.uniform(0, self.recent_days * 86400)
        else:
            seconds = rng.uniform(RECENT_DAYS * 86400, HISTORY_DAYS * 86400)
        return self.now - timedelta(seconds=int(seconds))

    CALLBACK_COLUMNS = (
        "id",
        "property_id",
        "kind",
        "repair_id",
        "complaint_id",
        "fee_notice_id",
        "parent_id",
        "question",
        "status",
        "created_at",
        "due_at",
        "next_try_at",
        "attempts",
        "reminded_at",
        "overdue_at",
        "flagged_at",
        "done_at",
        "done_by_id",
        "timing",
        "close_reason",
    )
    CALL_COLUMNS = (
        "id",
        "callback_id",
        "property_id",
        "at",
        "by_id",
        "reached",
        "answered_by",
        "relation",
        "best_time",
        "retry_at",
        "solved",
        "satisfaction",
        "attitude",
        "waiting",
        "price",
        "comments",
        "data_confirmed",
        "data_corrections",
        "question",
        "reply_due_at",
    )

    def _callback(
        self,
        callbacks: list[str],
        calls: list[str],
        *,
        estate: Estate,
        kind: str,
        repair: int | str = NULL,
        complaint: int | str = NULL,
        created: datetime,
        due: datetime,
        done: datetime | None,
        question: str = "",
        with_call: bool = True,
    ) -> None:
        """One callback: done at `done` (with the call that reached the resident and their
        scores), or still open if `done` is None or later than now."""
        rng, now = self.rng, self.now
        callback_id = self._ids["visits_callback"]
        self._ids["visits_callback"] += 1
        clerk = estate.clerks[rng.randrange(len(estate.clerks))]
        if done is not None and done <= now:
            attempts = 1
            if with_call and rng.random() < 0.15:  # not reached at the first try
                first = max(created, done - timedelta(hours=rng.uniform(2, 20)))
                self._call(calls, callback_id, estate.id, first, clerk, reached=False, retry=done)
                attempts = 2
            if with_call:
                self._call(calls, callback_id, estate.id, done, clerk, reached=True)
            timing = "on_time" if done <= due else "late"
            callbacks.append(
                f"{callback_id}\t{estate.id}\t{kind}\t{repair}\t{complaint}\t{NULL}\t{NULL}"
                f"\t{question}\tdone\t{ts(created)}\t{ts(due)}\t{ts(created)}"
                f"\t{attempts if with_call else 0}\t{NULL}\t{NULL}\t{NULL}\t{ts(done)}\t{clerk}"
                f"\t{timing}\t\n"
            )
            return
        attempts, next_try = 0, created
        if with_call and rng.random() < 0.3 and created + timedelta(hours=1) < now:
            at = created + timedelta(seconds=rng.uniform(3600, (now - created).total_seconds()))
            next_try = at + timedelta(hours=2)
            self._call(calls, callback_id, estate.id, at, clerk, reached=False, retry=next_try)
            attempts = 1
        overdue = ts(due + timedelta(minutes=1)) if due + timedelta(minutes=1) <= now else NULL
        callbacks.append(
            f"{callback_id}\t{estate.id}\t{kind}\t{repair}\t{complaint}\t{NULL}\t{NULL}"
            f"\t{question}\topen\t{ts(created)}\t{ts(due)}\t{ts(next_try)}\t{attempts}"
            f"\t{NULL}\t{overdue}\t{NULL}\t{NULL}\t{NULL}\t\t\n"
        )

    def _call(self, calls, callback_id, prop, at, clerk, *, reached: bool, retry=None) -> None:
        call_id = self._ids["visits_callattempt"]
        self._ids["visits_callattempt"] += 1
        if reached:
            score = self.satisfaction[self.rng.randrange(1000)]
            calls.append(
                f"{call_id}\t{callback_id}\t{prop}\t{ts(at)}\t{clerk}\tt\t本人\t\t\t{NULL}\tt"
                f"\t{score}\t{score}\t{max(1, score - 1)}\t{NULL}\t\tt\t\t\t{NULL}\n"
            )
        else:
            calls.append(
                f"{call_id}\t{callback_id}\t{prop}\t{ts(at)}\t{clerk}\tf\t\t\t晚上\t{ts(retry)}"
                f"\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t\tf\t\t\t{NULL}\n"
            )

    def _load_ids(self, *tables: str) -> None:
        self._ids = getattr(self, "_ids", {})
        for table in tables:
            self._ids[table] = self.next_id(table)

    REPAIR_COLUMNS = (
        "id",
        "property_id",
        "number",
        "resident_id",
        "unit_id",
        "is_public_area",
        "location",
        "contact_phone",
        "channel",
        "category",
        "urgency",
        "description",
        "preferred_times",
        "address_confirmed",
        "appointment_start",
        "appointment_end",
        "chargeable",
        "agreed_at",
        "agreed_via",
        "agreed_total",
        "state",
        "department_id",
        "engineer_id",
        "received_at",
        "dispatched_at",
        "accepted_at",
        "completed_at",
        "closed_at",
        "resident_materials",
        "materials_inspection",
        "cause",
        "work_done",
        "advice",
        "signed_name",
        "signature",
        "signed_at",
        "signed_via",
        "cancel_reason",
        "created_by_id",
    )

    def _repairs(self, n: int, recent: float) -> None:
        started = time.perf_counter()
        self._load_ids("tickets_repairorder", "visits_callback", "visits_callattempt")
        rng, now, estates = self.rng, self.now, self.estates
        slots, channels, categories = (
            self._property_slots,
            self.repair_channels,
            self.repair_categories,
        )
        rows, callbacks, calls = [], [], []
        repair_id = self._ids["tickets_repairorder"]
        for _ in range(n):
            estate = estates[slots[rng.randrange(1000)]]
            received = self._when(recent)
            category = categories[rng.randrange(1000)]
            public = category == "public_area"
            if public:
                unit = resident = NULL
                location = PUBLIC_PLACES[rng.randrange(len(PUBLIC_PLACES))]
            else:
                offset = rng.randrange(estate.units)
                unit = estate.unit_base + offset
                resident = estate.resident_of(offset, rng)
                location = ""
            cancelled = rng.random() < 0.05
            dispatched = received + timedelta(minutes=rng.uniform(10, 90))
            accepted = dispatched + timedelta(minutes=rng.uniform(5, 60))
            completed = accepted + timedelta(minutes=rng.uniform(30, 1440))
            late = rng.random() < 0.04
            called = completed + timedelta(
                hours=rng.uniform(73, 110) if late else rng.uniform(2, 70)
            )
            if cancelled:
                state = "cancelled"
            elif dispatched > now:
                state = "received"
            elif accepted > now:
                state = "dispatched"
            elif completed > now:
                state = "accepted"
            elif called > now:
                state = "completed"
            else:
                state = "closed"
            moved = state not in {"received", "cancelled"}
            done = state in {"completed", "closed"}
            chargeable = not public and rng.random() < 0.15
            engineer = estate.engineers[rng.randrange(len(estate.engineers))] if moved else NULL
            total = f"{rng.randrange(30, 500)}.00" if chargeable else NULL
            agreed = ts(received + timedelta(minutes=5)) if chargeable else NULL
            rows.append(
                f"{repair_id}\t{estate.id}\tWX{received:%y%m%d}{repair_id:08d}\t{resident}\t{unit}"
                f"\t{'t' if public else 'f'}\t{location}\t138{rng.randrange(10**8):08d}"
                f"\t{channels[rng.randrange(1000)]}\t{category}"
                f"\t{'urgent' if rng.random() < 0.1 else 'normal'}"
                f"\t{REPAIR_TEXTS[rng.randrange(len(REPAIR_TEXTS))]}\t\tt\t{NULL}\t{NULL}"
                f"\t{'t' if chargeable else 'f'}\t{agreed}\t{'desk' if chargeable else ''}"
                f"\t{total}\t{state}\t{estate.departments['engineering']}\t{engineer}"
                f"\t{ts(received)}\t{ts(dispatched) if moved else NULL}"
                f"\t{ts(accepted) if state in {'accepted', 'completed', 'closed'} else NULL}"
                f"\t{ts(completed) if done else NULL}\t{ts(called) if state == 'closed' else NULL}"
                f"\t\t\t{'老化' if done else ''}\t{'已修复' if done else ''}\t"
                f"\t{'业主' if done else ''}\t\t{ts(completed) if done else NULL}"
                f"\t{'on_site' if done else ''}\t{'重复报修' if cancelled else ''}"
                f"\t{estate.clerks[rng.randrange(len(estate.clerks))]}\n"
            )
            if done:
                self._callback(
                    callbacks,
                    calls,
                    estate=estate,
                    kind="repair",
                    repair=repair_id,
                    created=completed,
                    due=completed + timedelta(hours=72),
                    done=called,
                )
            repair_id += 1
        self._ids["tickets_repairorder"] = repair_id
        self.copy("tickets_repairorder", self.REPAIR_COLUMNS, rows)
        self.copy("visits_callback", self.CALLBACK_COLUMNS, callbacks)
        self.copy("visits_callattempt", self.CALL_COLUMNS, calls)
        self._timed("repair orders, callbacks, calls", started)

    COMPLAINT_COLUMNS = (
        "id",
        "property_id",
        "number",
        "kind",
        "channel",
        "resident_id",
        "unit_id",
        "complainant_name",
        "complainant_company",
        "contact_phone",
        "happened_at",
        "description",
        "category",
        "direct_impact",
        "temperament",
        "answered_on_spot",
        "state",
        "owner_id",
        "department_id",
        "service_order",
        "received_at",
        "received_by_id",
        "dispatched_at",
        "fix_due_at",
        "day_ends_at",
        "expected_fix_at",
        "cannot_solve_at",
        "resolved_at",
        "first_resolved_at",
        "fixed_in_window",
        "resolution",
        "reply_due_at",
        "replied_at",
        "replied_by_id",
        "reply_via",
        "reply_text",
        "confirmed_at",
        "archived_at",
        "summary_cause",
        "summary_lessons",
        "summary_changes",
    )

    def _complaints(self, n: int, recent: float) -> None:
        started = time.perf_counter()
        self._load_ids(
            "tickets_complaint", "tickets_escalation", "visits_callback", "visits_callattempt"
        )
        rng, now, estates, names = self.rng, self.now, self.estates, self._names
        slots, channels, categories = (
            self._property_slots,
            self.complaint_channels,
            self.complaint_categories,
        )
        rows, escalations, callbacks, calls = [], [], [], []
        complaint_id = self._ids["tickets_complaint"]
        escalation_id = self._ids["tickets_escalation"]
        for _ in range(n):
            estate = estates[slots[rng.randrange(1000)]]
            received = self._when(recent)
            category = categories[rng.randrange(1000)]
            if rng.random() < 0.9:
                offset = rng.randrange(estate.units)
                unit, resident = estate.unit_base + offset, estate.resident_of(offset, rng)
            else:
                unit = resident = NULL
            direct = rng.random() < 0.25
            on_spot = not direct and rng.random() < 0.1
            clerk = estate.clerks[rng.randrange(len(estate.clerks))]
            department = NULL if on_spot else estate.departments[CATEGORY_DEPARTMENT[category]]
            dispatched = None if on_spot else received + timedelta(minutes=rng.uniform(5, 40))
            if on_spot:
                resolved = received + timedelta(minutes=rng.uniform(3, 20))
            elif direct:
                minutes = rng.uniform(15, 115) if rng.random() < 0.88 else rng.uniform(125, 900)
                resolved = received + timedelta(minutes=minutes)
            else:
                resolved = received + timedelta(hours=rng.uniform(2, 70))
            reply_due = received + timedelta(days=3)
            replied = resolved + timedelta(
                hours=rng.uniform(0.2, 20) if rng.random() < 0.97 else rng.uniform(75, 100)
            )
            confirmed = max(resolved, replied) + timedelta(hours=rng.uniform(1, 60))
            archived = confirmed + timedelta(days=rng.uniform(1, 5))
            fix_due = day_ends = None
            if direct:
                fix_due = received + timedelta(minutes=120)
                local = received + LOCAL_OFFSET
                day_ends = (
                    datetime(local.year, local.month, local.day, tzinfo=UTC)
                    + timedelta(days=1)
                    - LOCAL_OFFSET
                )
            if dispatched is not None and dispatched > now:
                state = "received"
            elif resolved > now:
                state = "dispatched"
            elif confirmed > now:
                state = "resolved"
            elif archived > now:
                state = "confirmed"
            else:
                state = "archived"
            is_resolved = resolved <= now
            is_replied = replied <= now
            fixed = NULL
            if direct and is_resolved:
                fixed = "t" if resolved <= fix_due else "f"
            rows.append(
                f"{complaint_id}\t{estate.id}\tTS{received:%y%m%d}{complaint_id:08d}"
                f"\t{'suggestion' if rng.random() < 0.12 else 'complaint'}"
                f"\t{channels[rng.randrange(1000)]}\t{resident}\t{unit}"
                f"\t{names[rng.randrange(4000)]}\t\t139{rng.randrange(10**8):08d}\t{NULL}"
                f"\t{COMPLAINT_TEXTS[rng.randrange(len(COMPLAINT_TEXTS))]}\t{category}"
                f"\t{'t' if direct else 'f'}\t{self.temperaments[rng.randrange(1000)]}"
                f"\t{'t' if on_spot else 'f'}\t{state}\t{clerk}\t{department}"
                f"\t{'' if on_spot else '请尽快处理并反馈'}\t{ts(received)}\t{clerk}"
                f"\t{ts(dispatched) if dispatched and dispatched <= now else NULL}"
                f"\t{ts(fix_due)}\t{ts(day_ends)}\t{NULL}\t{NULL}"
                f"\t{ts(resolved) if is_resolved else NULL}\t{ts(resolved) if is_resolved else NULL}"
                f"\t{fixed}\t{'已处理' if is_resolved else ''}\t{ts(reply_due)}"
                f"\t{ts(replied) if is_replied else NULL}\t{clerk if is_replied else NULL}"
                f"\t{'phone' if is_replied else ''}\t{'已电话答复' if is_replied else ''}"
                f"\t{ts(confirmed) if confirmed <= now else NULL}"
                f"\t{ts(archived) if archived <= now else NULL}"
                f"\t{'管理疏漏' if state == 'archived' else ''}"
                f"\t{'加强巡查' if state == 'archived' else ''}"
                f"\t{'调整排班' if state == 'archived' else ''}\n"
            )
            # The ladder: the department manager when the fix window passed, the project
            # manager when the local day ended unsolved.
            if direct:
                for level, reason, at, who in (
                    (
                        "department_manager",
                        "fix_window",
                        fix_due,
                        estate.department_managers.get(CATEGORY_DEPARTMENT[category]),
                    ),
                    ("project_manager", "end_of_day", day_ends, estate.manager),
                ):
                    if at <= now and resolved > at:
                        acked = at + timedelta(minutes=rng.uniform(5, 90))
                        if acked > now or (recent and rng.random() < 0.2):
                            acked = None
                        escalations.append(
                            f"{escalation_id}\t{complaint_id}\t{level}\t{reason}\t{ts(at)}"
                            f"\t{ts(acked)}\t{(who or estate.manager) if acked else NULL}\n"
                        )
                        escalation_id += 1
            # The reply (a callback row while it is owed), then the satisfaction callback.
            self._callback(
                callbacks,
                calls,
                estate=estate,
                kind="complaint_reply",
                complaint=complaint_id,
                created=received,
                due=reply_due,
                done=replied,
                question="请答复投诉人",
                with_call=False,
            )
            if is_resolved:
                self._callback(
                    callbacks,
                    calls,
                    estate=estate,
                    kind="complaint",
                    complaint=complaint_id,
                    created=resolved,
                    due=resolved + timedelta(days=3),
                    done=confirmed,
                )
            complaint_id += 1
        self._ids["tickets_complaint"] = complaint_id
        self.copy("tickets_complaint", self.COMPLAINT_COLUMNS, rows)
        self.copy(
            "tickets_escalation",
            (
                "id",
                "complaint_id",
                "level",
                "reason",
                "at",
                "acknowledged_at",
                "acknowledged_by_id",
            ),
            escalations,
        )
        self.copy("visits_callback", self.CALLBACK_COLUMNS, callbacks)
        self.copy("visits_callattempt", self.CALL_COLUMNS, calls)
        self._timed("complaints, escalations, callbacks, calls", started)

    NOTICE_COLUMNS = (
        "id",
        "property_id",
        "unit_id",
        "kind",
        "period",
        "number",
        "issued_at",
        "due_date",
        "total",
        "paid",
        "settled",
        "arrears_before",
        "dunning_step",
        "note",
    )
    LINE_COLUMNS = (
        "id",
        "notice_id",
        "fee_item_id",
        "description",
        "quantity",
        "unit_price",
        "amount",
        "repair_id",
        "charge_id",
    )

    def _notices(self, start: int, end: int) -> None:
        """Notices number start..end in the order newest month first, then unit by unit."""
        started = time.perf_counter()
        self._load_ids("billing_feenotice", "billing_feenoticeline")
        rng = self.rng
        today = timezone.localdate(self.now)
        units = [
            (estate, estate.unit_base + offset)
            for estate in self.estates
            for offset in range(estate.units)
        ]
        notices, lines = [], []
        notice_id = self._ids["billing_feenotice"]
        line_id = self._ids["billing_feenoticeline"]
        for n in range(start, end):
            month_index, unit_index = divmod(n, len(units))
            estate, unit = units[unit_index]
            period = self.months[month_index]
            due = period + timedelta(days=15)
            area = 5500 + _h(unit) % 12500  # the unit's m² in hundredths, as loaded
            water = rng.randrange(3, 25)
            power = rng.randrange(80, 450)
            items = [
                (estate.fee_items["area"], "物业服务费", cents(area), "2.8000", area * 28 // 10),
                (estate.fee_items["水费"], "水费", f"{water}.00", "4.5000", water * 450),
                (estate.fee_items["电费"], "电费", f"{power}.00", "0.6800", power * 68),
            ]
            if _h(unit + 7) % 3 == 0:
                items.append((estate.fee_items["fixed"], "车位管理费", "1.00", "150.0000", 15000))
            total = sum(item[4] for item in items)
            owes = (
                _h(unit) % 100 < 12
                if month_index == 0
                else _h(unit + 1) % 100 < 2 or rng.random() < 0.01
            )
            paid = (total // 2 if rng.random() < 0.2 else 0) if owes else total
            days_overdue = (today - due).days
            step = 0
            if owes:
                step = 3 if days_overdue >= 60 else 2 if days_overdue >= 30 else 1
            notices.append(
                f"{notice_id}\t{estate.id}\t{unit}\tmonthly\t{period.isoformat()}"
                f"\t{period:%Y%m}-{unit:07d}\t{period.isoformat()} 08:00:00+08\t{due.isoformat()}"
                f"\t{cents(total)}\t{cents(paid)}\t{'f' if owes else 't'}\t0.00\t{step}\t\n"
            )
            for item, name, quantity, price, amount in items:
                lines.append(
                    f"{line_id}\t{notice_id}\t{item}\t{name}\t{quantity}\t{price}\t{cents(amount)}"
                    f"\t{NULL}\t{NULL}\n"
                )
                line_id += 1
            notice_id += 1
            if len(lines) >= 200_000:
                self.copy("billing_feenotice", self.NOTICE_COLUMNS, notices)
                self.copy("billing_feenoticeline", self.LINE_COLUMNS, lines)
                notices.clear(), lines.clear()
        self.copy("billing_feenotice", self.NOTICE_COLUMNS, notices)
        self.copy("billing_feenoticeline", self.LINE_COLUMNS, lines)
        self._timed("fee notices and lines", started)

    # --- the sweep's work -------------------------------------------------------------------

    def due_callbacks(self, count: int) -> int:
        """`count` open repair callbacks whose window has passed and that the sweep has not
        seen: one each for closed orders (whose own callbacks are done). Returns how many."""
        started = time.perf_counter()
        self._load_ids("visits_callback")
        callback_id = self._ids["visits_callback"]
        rows = []
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.id, r.property_id FROM tickets_repairorder r WHERE r.state = 'closed' "
                "AND NOT EXISTS (SELECT 1 FROM visits_callback c WHERE c.repair_id = r.id "
                "AND c.status = 'open' AND c.kind = 'repair') ORDER BY r.id LIMIT %s",
                [count],
            )
            orders = cursor.fetchall()
        now = timezone.now()
        for repair, prop in orders:
            due = now - timedelta(seconds=self.rng.randrange(60, 86400))
            created = due - timedelta(hours=72)
            rows.append(
                f"{callback_id}\t{prop}\trepair\t{repair}\t{NULL}\t{NULL}\t{NULL}\t\topen"
                f"\t{ts(created)}\t{ts(due)}\t{ts(created)}\t0\t{ts(created)}\t{NULL}\t{NULL}"
                f"\t{NULL}\t{NULL}\t\t\n"
            )
            callback_id += 1
        self.copy("visits_callback", self.CALLBACK_COLUMNS, rows)
        self.reset_sequences()
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE visits_callback")
        self._timed("sweep: due callbacks", started)
        return len(rows)
