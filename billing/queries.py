"""Read side of billing: balances, the dunning list and the collection rate (收缴率), scoped by
the policy, each a fixed number of queries."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Min, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from billing.models import FeeNotice, FeeNoticeLine
from frontdesk import policy
from frontdesk.models import User
from frontdesk.money import ZERO, money
from tickets.models import RepairOrder

COLLECTION_TARGET = Decimal("0.95")  # 收缴率 at least 95% (seed 004)
# Sums of money columns: wide enough for a year of an estate's billing.
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def repair_billed(order: RepairOrder) -> Decimal:
    """What fee notices have billed of a repair order's charges (registered with repairs:
    the desk does not take again what a notice bills)."""
    billed = FeeNoticeLine.objects.filter(repair=order).aggregate(total=Sum("amount"))["total"]
    return billed or ZERO


def notices_for(user: User) -> QuerySet[FeeNotice]:
    """The notices the user may read (the policy's scope: staff their properties', a resident
    their current homes' and the ones issued while they lived there)."""
    return policy.fee_notices_for(user)


@dataclass(frozen=True)
class Rate:
    """Collected for the notices of some periods, over what they billed."""

    billed: Decimal
    collected: Decimal
    notices: int

    @property
    def rate(self) -> Decimal | None:
        if not self.billed:
            return None
        return (self.collected / self.billed).quantize(Decimal("0.0001"))

    @property
    def target(self) -> Decimal:
        return COLLECTION_TARGET

    @property
    def meets_target(self) -> bool:
        return self.rate is not None and self.rate >= COLLECTION_TARGET


def _sums():
    return {
        "billed": Coalesce(Sum("total"), Value(ZERO), output_field=MONEY_FIELD),
        "collected": Coalesce(Sum("paid"), Value(ZERO), output_field=MONEY_FIELD),
        "notices": Count("pk"),
    }


def monthly_notices(qs: QuerySet[FeeNotice], first: date, last: date) -> QuerySet[FeeNotice]:
    """The monthly notices of the periods from ``first`` to ``last`` (first days of months).
    Opening balances are arrears from before, not billing of a period: they are left out."""
    return qs.filter(kind=FeeNotice.Kind.MONTHLY, period__gte=first, period__lte=last)


def collection_rate(qs: QuerySet[FeeNotice], first: date, last: date) -> Rate:
    """收缴率 = collected for the period's notices / billed for them. One query."""
    row = monthly_notices(qs, first, last).aggregate(**_sums())
    return Rate(money(row["billed"]), money(row["collected"]), row["notices"])


def collection_rate_by(qs: QuerySet[FeeNotice], first: date, last: date, key: str) -> list[dict]:
    """The same, broken down by ``key`` ("period", "unit__building", "property"). One query."""
    rows = monthly_notices(qs, first, last).values(key).annotate(**_sums()).order_by(key)
    return [
        {
            "key": row[key],
            "rate": Rate(money(row["billed"]), money(row["collected"]), row["notices"]),
        }
        for row in rows
    ]


def dunning_list(qs: QuerySet[FeeNotice], *, today: date, order: str = "amount"):
    """What each unit owes on overdue notices, for the clerk's dunning calls: one row per
    unit with the amount, the oldest due date and the number of notices. One query."""
    rows = (
        qs.filter(settled=False, due_date__lt=today)
        .values("unit_id", "unit__number", "unit__building__number", "unit__building_id")
        .annotate(
            owed=Sum(F("total") - F("paid"), output_field=MONEY_FIELD),
            oldest_due=Min("due_date"),
            notices=Count("pk"),
        )
    )
    ordering = {
        "amount": ["-owed", "oldest_due"],
        "age": ["oldest_due", "-owed"],
    }[order]
    return rows.order_by(*ordering, "unit_id")
