"""Read side of the desk's payment pages: the unit to take a payment for, its open notices,
a receipt with everything it shows, the approvals list and the balances on a resident card.
Already scoped by the policy; each a fixed number of queries whatever the rows."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from billing.models import Allocation, FeeNotice, Payment, PaymentAdjustment
from billing.queries import MONEY_FIELD, notices_for
from frontdesk import policy
from frontdesk.models import Resident, Unit, User
from frontdesk.money import ZERO, money

DECIDED_LIMIT = 50


def yuan(value: Decimal | None) -> str:
    """Money as the desk says and prints it: thousands grouped, two decimals ("1,234.50"),
    the same in every interface language and in the pay page's script."""
    if value is None:
        return "—"
    return f"{money(value):,.2f}"


@dataclass(frozen=True)
class Figure:
    """One of the figures said aloud at the desk (唱收唱付)."""

    key: str
    label: str
    value: Decimal | None

    @property
    def text(self) -> str:
        return yuan(self.value)


def sung_figures(*, total_due: Decimal, amount: Decimal, received: Decimal, change: Decimal):
    """ "The total is X, received Y, your change Z". A partial payment (or one beyond what
    the chosen notices owe) says what is paid now as well, so the change adds up."""
    figures = [Figure("total_due", _("Total due"), total_due)]
    if amount != total_due:
        figures.append(Figure("amount", _("Paying now"), amount))
    figures += [
        Figure("received", pgettext_lazy("money", "Received"), received),
        Figure("change", pgettext_lazy("money", "Change"), change),
    ]
    return figures


# --- the pay page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PayFigures:
    """The pay page's figures before submitting: what the ticked notices owe, the amount
    being paid, the cash received and the change (None while not known)."""

    total_due: Decimal
    amount: Decimal
    received: Decimal | None
    change: Decimal | None

    @property
    def texts(self) -> dict[str, str]:
        return {k: yuan(getattr(self, k)) for k in ("total_due", "amount", "received", "change")}

    @property
    def partial(self) -> bool:
        return self.amount != self.total_due


def pay_figures(notices: list[FeeNotice], ticked: set[int], amount, received) -> PayFigures:
    total = money(sum((n.outstanding for n in notices if n.pk in ticked), ZERO))
    amount = total if amount is None else money(amount)
    change = None
    if received is not None:
        received = money(received)
        change = received - amount if received >= amount else None
    return PayFigures(total, amount, received, change)


def unit_for_payment(user: User, unit_id: int) -> Unit:
    """The unit, if the user sees its property; raises Unit.DoesNotExist otherwise."""
    return policy.units_for(user).select_related("building__property").get(pk=unit_id)


def open_notices(user: User, unit: Unit) -> list[FeeNotice]:
    """The unit's notices still owing, oldest first. One query."""
    return list(
        notices_for(user).filter(unit=unit, settled=False).order_by("period", "issued_at", "pk")
    )


def chosen_notices(user: User, ids: list[int]) -> list[FeeNotice]:
    """The notices with these ids that the user may see (any unit: the service refuses a
    notice of another unit with its own message). One query."""
    if not ids:
        return []
    return list(notices_for(user).filter(pk__in=ids).order_by("period", "pk"))


def unit_payers(unit: Unit) -> list[Resident]:
    """Who may be named as the payer: the unit's residents still living there. One query."""
    return list(
        Resident.objects.filter(units=unit, moved_out_on__isnull=True).order_by("name", "pk")
    )


# --- receipts ---------------------------------------------------------------------------------


def receipt(user: User, pk: int) -> Payment:
    """One payment with everything its receipt shows; raises Payment.DoesNotExist outside the
    user's scope (another property's, or a role that does not read payments)."""
    return (
        policy.payments_for(user)
        .select_related("property", "unit__building", "resident", "received_by")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("notice").order_by("at", "id"),
            ),
            Prefetch(
                "adjustments",
                queryset=PaymentAdjustment.objects.select_related(
                    "requested_by", "decided_by"
                ).order_by("requested_at", "id"),
            ),
        )
        .get(pk=pk)
    )


def receipt_figures(payment: Payment) -> list[Figure]:
    """Cash: the figures said aloud. Cashless: what was due and what was paid."""
    if payment.method != Payment.Method.CASH:
        return [
            Figure("total_due", _("Total due"), payment.total_due),
            Figure("amount", _("Amount paid"), payment.amount),
        ]
    return sung_figures(
        total_due=payment.total_due,
        amount=payment.amount,
        received=payment.received,
        change=payment.change,
    )


def receipt_lines(payment: Payment) -> list[Allocation]:
    """What the payment paid, notice by notice, then any reversals (negative rows)."""
    rows = list(payment.allocations.all())
    return [r for r in rows if r.amount > 0] + [r for r in rows if r.amount < 0]


# --- approvals --------------------------------------------------------------------------------


def _adjustments_for(user: User) -> QuerySet[PaymentAdjustment]:
    return PaymentAdjustment.objects.filter(
        payment__property__in=policy.properties_with(user, "payment.approve")
    ).select_related("payment__property", "payment__unit__building", "requested_by", "decided_by")


def approver(user: User) -> bool:
    return policy.properties_with(user, "payment.approve").exists()


def pending_adjustments(user: User) -> list[PaymentAdjustment]:
    """Voids and refunds waiting for this approver, oldest first. One query."""
    return list(
        _adjustments_for(user)
        .filter(status=PaymentAdjustment.Status.PENDING)
        .order_by("requested_at", "id")
    )


def decided_adjustments(user: User, limit: int = DECIDED_LIMIT) -> list[PaymentAdjustment]:
    """The latest decisions, newest first. One query."""
    return list(
        _adjustments_for(user)
        .exclude(status=PaymentAdjustment.Status.PENDING)
        .order_by("-decided_at", "-id")[:limit]
    )


def adjustment_to_decide(user: User, pk: int) -> PaymentAdjustment:
    """Raises DoesNotExist unless the user approves at the payment's property."""
    return _adjustments_for(user).get(pk=pk)


# --- the resident card --------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitBalance:
    unit: Unit
    owed: Decimal
    credit: Decimal


def unit_balances(units: list[Unit]) -> list[UnitBalance]:
    """What each unit owes on its open notices and the credit it holds (paid, not applied,
    not refunded; voided payments left out), as billing.payments.units_owed and unit_credit
    count them. One query whatever the number of units."""
    if not units:
        return []
    owed = (
        FeeNotice.objects.filter(unit=OuterRef("pk"), settled=False)
        .values("unit")
        .annotate(s=Sum(F("total") - F("paid"), output_field=MONEY_FIELD))
        .values("s")
    )
    paid = (
        Payment.objects.filter(unit=OuterRef("pk"), voided=False)
        .values("unit")
        .annotate(s=Sum(F("amount") - F("refunded"), output_field=MONEY_FIELD))
        .values("s")
    )
    applied = (
        Allocation.objects.filter(payment__unit=OuterRef("pk"), payment__voided=False)
        .values("payment__unit")
        .annotate(s=Sum("amount", output_field=MONEY_FIELD))
        .values("s")
    )
    zero = Value(ZERO, output_field=MONEY_FIELD)
    rows = dict(
        (row[0], row[1:])
        for row in Unit.objects.filter(pk__in=[u.pk for u in units])
        .annotate(
            owed=Coalesce(Subquery(owed, output_field=MONEY_FIELD), zero),
            paid=Coalesce(Subquery(paid, output_field=MONEY_FIELD), zero),
            applied=Coalesce(Subquery(applied, output_field=MONEY_FIELD), zero),
        )
        .values_list("pk", "owed", "paid", "applied")
    )
    balances = []
    for unit in units:
        owed_sum, paid_sum, applied_sum = rows.get(unit.pk, (ZERO, ZERO, ZERO))
        balances.append(UnitBalance(unit, money(owed_sum), money(paid_sum - applied_sum)))
    return balances


class ResidentBalance:
    """The fees part of a resident card, worked out only when a page shows it (the card's
    query is shared with pages that do not): two queries, whatever the units."""

    def __init__(self, resident: Resident, user: User):
        self.resident = resident
        self.user = user
        self._units = None
        self._may_pay = None

    @property
    def units(self) -> list[UnitBalance]:
        if self._units is None:
            self._units = unit_balances(list(self.resident.units.all()))
        return self._units

    @property
    def owed(self) -> Decimal:
        return money(sum((b.owed for b in self.units), ZERO))

    @property
    def credit(self) -> Decimal:
        return money(sum((b.credit for b in self.units), ZERO))

    @property
    def may_pay(self) -> bool:
        if self._may_pay is None:
            self._may_pay = policy.allows(self.user, "payment.take", self.resident)
        return self._may_pay
