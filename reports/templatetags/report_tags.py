from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """12345.6 → "12,345.60" (no currency sign: the column header says 元)."""
    if value in (None, ""):
        return "—"
    return f"{Decimal(value):,.2f}"


@register.filter
def percent(value) -> str:
    return f"{Decimal(value) * 100:.0f}%"


@register.filter
def dash(value):
    return "—" if value is None or value == "" else value


@register.filter
def percent1(value) -> str:
    """0.125 → "12.5%"."""
    return f"{Decimal(value) * 100:.1f}%"
