"""Money (金额): stored as integer fen, shown as yuan with two places, never a float."""

from decimal import Decimal


def fen_to_yuan(fen: int | None) -> Decimal:
    """Integer fen to an exact yuan amount with two places: 1250 -> Decimal("12.50")."""
    return (Decimal(fen or 0) / 100).quantize(Decimal("0.01"))
