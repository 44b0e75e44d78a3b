"""Template filters of the ledger: money is kept in fen and shown in yuan."""

from django import template

from carepair.lib.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """12345 fen -> '123.45'; thousands grouped as on a Chinese receipt: '1,234.50'."""
    return f"{fen_to_yuan(fen):,.2f}"
