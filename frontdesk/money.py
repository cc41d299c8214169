"""Money: Decimal yuan, never floats, rounded by one rule everywhere (repairs, fees, payments)."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str) -> Decimal:
    """The one rounding rule for money: to the cent, halves away from zero (四舍五入)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
