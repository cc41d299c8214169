"""The bench's stages beyond the history's growth (seed.py): a twin of the large property as it
was at a stage, kept while the history grows (so that stage's dashboard can be measured again
at the end, beside the largest, back to back); the writes a day brings after a stage's
VACUUM; and the estate of many properties that takes the residents to 2M."""

import time
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from billing.models import DunningStage, FeeItem, PriceStandard
from frontdesk.models import Department, HolidayYear, Membership, Property, Role, User
from reports.bench.seed import DEPARTMENTS, RECENT_DAYS, RECENT_SHARE, Estate

# A twin's ids are the original's plus this (times the twin's number): far above any id the
# run makes, so the copies and the rows loaded later never meet (the ids are bigint).
TWIN_OFFSET = 1_000_000_000

# table: (which rows are the large property's, columns that point at other copied rows)
TWIN_TABLES = {
    "frontdesk_building": ("property_id = %(p)s", ()),
    "frontdesk_unit": (
        "building_id IN (SELECT id FROM frontdesk_building WHERE property_id = %(p)s)",
        ("building_id",),
    ),
    "tickets_repairorder": ("property_id = %(p)s", ("unit_id",)),
    "tickets_complaint": ("property_id = %(p)s", ("unit_id",)),
    "tickets_escalation": (
        "complaint_id IN (SELECT id FROM tickets_complaint WHERE property_id = %(p)s)",
        ("complaint_id",),
    ),
    "billing_feenotice": ("property_id = %(p)s", ("unit_id",)),
    "billing_feenoticeline": (
        "notice_id IN (SELECT id FROM billing_feenotice WHERE property_id = %(p)s)",
        ("notice_id", "repair_id"),
    ),
    "visits_callback": (
        "property_id = %(p)s",
        ("repair_id", "complaint_id", "fee_notice_id", "parent_id"),
    ),
    "visits_callattempt": (
        "callback_id IN (SELECT id FROM visits_callback WHERE property_id = %(p)s)",
        ("callback_id",),
    ),
}


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND is_generated = 'NEVER' ORDER BY ordinal_position",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


def twin(seeder, *, number: int, label: str) -> dict:
    """A new property holding a copy of the large property's history as it is now (every
    column copied, so a column added later is copied too), supervised by the twin supervisor
    and by a supervisor of its own (whose lists are the twin's). Its units are copies too (a
    unit has one notice a month); residents, staff and departments stay the original's.
    Returns the property's id, its own supervisor and the rows copied."""
    started = time.perf_counter()
    big = seeder.estates[0]
    original = Property.objects.get(pk=big.id)
    prop = Property.objects.create(
        name=f"{original.name} ({label})", code=f"{original.code}t{number}"
    )
    HolidayYear.objects.bulk_create(
        HolidayYear(property=prop, year=year) for year in (seeder.now.year - 1, seeder.now.year)
    )
    own = User.objects.create(
        username=f"{seeder.staff_username}-twin-{number}", password=make_password(None)
    )
    Membership.objects.bulk_create(
        Membership(user=user, property=prop, role=Role.SUPERVISOR)
        for user in (User.objects.get(username=seeder.twin_username), own)
    )
    offset = TWIN_OFFSET * number
    copied = {}
    with connection.cursor() as cursor:
        for table, (where, shifted) in TWIN_TABLES.items():
            columns = _columns(table)
            values = []
            for column in columns:
                if column == "id" or column in shifted:
                    values.append(f"{column} + {offset}")
                elif column == "property_id":
                    values.append("%(twin)s")
                else:
                    values.append(column)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names from the schema
                f"SELECT {', '.join(values)} FROM {table} WHERE {where}",
                {"p": big.id, "twin": prop.pk},
            )
            copied[table] = cursor.rowcount
            seeder.loaded[table] = seeder.loaded.get(table, 0) + cursor.rowcount
    seeder._timed("twins of the large property", started)
    return {"property": prop.pk, "supervisor": own.username, "label": label, "rows": copied}


def daily_tickets(seeder) -> int:
    """The estate's repair orders (and as many complaints) a day, at the rate of the desk's
    current work that the first stage loads (its last ten days)."""
    return max(2, round(seeder.sizes.tickets[0] * RECENT_SHARE / RECENT_DAYS))


def day_of_writes(seeder) -> dict:
    """What a day brings after the stage's VACUUM, left without VACUUM or ANALYZE: a day's
    repair orders and complaints (their callbacks and calls, cut where "now" falls), and a
    call that did not reach the resident on every other open callback (a new try later)."""
    started = time.perf_counter()
    n = daily_tickets(seeder)
    seeder.day_first_callback = seeder.next_id("visits_callback")
    seeder.recent_days = 1
    try:
        seeder._repairs(n, 1.0)
        seeder._complaints(n, 1.0)
    finally:
        seeder.recent_days = RECENT_DAYS
    seeder.reset_sequences()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE visits_callback SET attempts = attempts + 1, next_try_at = %s "
            "WHERE status = 'open' AND id < %s AND id %% 2 = 0",
            [now + timedelta(hours=2), seeder.day_first_callback],
        )
        retried = cursor.rowcount
    seeder._timed("a day's writes", started)
    return {"repair_orders": n, "complaints": n, "callbacks_retried": retried}


def close_day(seeder) -> int:
    """Before the next stage: the day's callbacks still open are done (the desk worked
    through them), so each stage starts with the same open work."""
    first = getattr(seeder, "day_first_callback", None)
    if first is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE visits_callback SET status = 'done', done_at = %s, done_by_id = %s, "
            "timing = 'on_time' WHERE status = 'open' AND id >= %s",
            [timezone.now(), seeder.estates[0].clerks[0], first],
        )
        seeder.day_first_callback = None
        return cursor.rowcount


# --- many properties ---------------------------------------------------------------------------


def many_properties(seeder, *, total: int, units_each: int, residents_total: int) -> dict:
    """Properties up to `total`, `units_each` units each, with residents to `residents_total`
    in all; each new property has its departments, fee items, dunning stages, holidays and
    a supervisor, as the steps of the sweep read them. Two supervisors of several of the new
    properties (10 and 50 of them) compare dashboards. Bulk inserts throughout."""
    started = time.perf_counter()
    have = Property.objects.count()
    count = max(0, total - have)
    tag = seeder.staff_username.split("-")[1]
    props = Property.objects.bulk_create(
        Property(name=f"基准区域{n + 1}号 {tag}", code=f"m{tag}{n}", address=f"区域路{n + 1}号")
        for n in range(count)
    )
    year = seeder.now.year
    HolidayYear.objects.bulk_create(
        HolidayYear(property=p, year=y) for p in props for y in (year - 1, year)
    )
    Department.objects.bulk_create(
        Department(property=p, kind=kind, name=name) for p in props for kind, name in DEPARTMENTS
    )
    DunningStage.objects.bulk_create(
        DunningStage(property=p, step=step, kind=kind, days_overdue=days)
        for p in props
        for step, kind, days in ((1, "reminder", 7), (2, "phone", 30), (3, "letter", 60))
    )
    items = FeeItem.objects.bulk_create(
        FeeItem(property=p, name=name, basis=basis, unit_label=label)
        for p in props
        for name, basis, label in (
            ("物业服务费", "area", "元/㎡·月"),
            ("车位管理费", "fixed", "个·月"),
        )
    )
    PriceStandard.objects.bulk_create(
        PriceStandard(
            fee_item=item,
            price="2.8000" if item.basis == "area" else "150.0000",
            effective_from=date(2020, 1, 1),
        )
        for item in items
    )
    password = make_password(None)
    supervisors = User.objects.bulk_create(
        User(
            username=f"bench-{tag}-m{n}-supervisor", password=password, email=f"s{n}@m.example.com"
        )
        for n in range(count)
    )
    regional = {
        size: User.objects.create(username=f"bench-{tag}-supervisor-of-{size}", password=password)
        for size in (10, 50)
    }
    Membership.objects.bulk_create(
        [
            Membership(user=user, property=p, role=Role.SUPERVISOR)
            for user, p in zip(supervisors, props, strict=True)
        ]
        + [
            Membership(user=user, property=p, role=Role.SUPERVISOR)
            for size, user in regional.items()
            for p in props[:size]
        ]
    )
    seeder._timed("many properties: settings and staff", started)
    have_residents = seeder.count("frontdesk_resident")
    extra = max(count * units_each, residents_total - have_residents)
    estates = []
    resident_id = seeder.next_id("frontdesk_resident")
    for n, p in enumerate(props):
        share = extra // count + (1 if n < extra % count else 0)
        estate = Estate(index=len(seeder.estates) + n, id=p.pk, units=units_each, residents=share)
        estate.resident_base = resident_id
        resident_id += share
        estates.append(estate)
    if estates:
        seeder._load_units(estates)
        seeder._load_residents(estates)
    seeder.reset_sequences()
    seeder.analyze()
    return {
        "properties": Property.objects.count(),
        "units_each": units_each,
        "residents": seeder.count("frontdesk_resident"),
        "supervisors": {size: user.username for size, user in regional.items()},
    }


def full_many(scale: float) -> tuple[int, int]:
    """Units each of the 1,000 properties, and the residents in all, at `scale`."""
    return max(2, round(200 * scale)), round(2_000_000 * scale)
