"""Numbers as the programme's reports write them: 30,123,456.78 and 8,600.

Django's intcomma follows the locale, and zh-hans groups no digits; official figures do."""

from decimal import Decimal

from django import template

register = template.Library()


def thousands_text(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


register.filter("thousands", thousands_text)
