"""The project's one way of writing a date: as Dutch writes it, "27 nov. 2026".

Django's Dutch formats abbreviate months without the full stop ("nov") or
capitalise them ("Nov", "Mrt"); Dutch writes "jan.", "mrt.", "nov." and never
abbreviates "mei". Templates use the ``datum`` filter (a built-in, see
``TEMPLATES`` in the settings); Python code that writes a date into a text
calls ``korte_datum``.
"""

import datetime

from django import template
from django.utils import timezone

MAANDEN = (
    "jan.",
    "feb.",
    "mrt.",
    "apr.",
    "mei",
    "jun.",
    "jul.",
    "aug.",
    "sep.",
    "okt.",
    "nov.",
    "dec.",
)
WEEKDAGEN = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def korte_datum(day: datetime.date, *, jaar: bool = True, weekdag: bool = False) -> str:
    """The day as "27 nov. 2026"; without ``jaar`` "27 nov."; with ``weekdag``
    "vrijdag 27 nov.". A moment is written as its day in Europe/Amsterdam."""
    if isinstance(day, datetime.datetime) and timezone.is_aware(day):
        day = timezone.localtime(day)
    text = f"{day.day} {MAANDEN[day.month - 1]}"
    if jaar:
        text = f"{text} {day.year}"
    if weekdag:
        text = f"{WEEKDAGEN[day.weekday()]} {text}"
    return text


register = template.Library()

STIJLEN = {
    "": {},
    "dag": {"jaar": False},
    "weekdag": {"jaar": False, "weekdag": True},
}


# expects_localtime: an aware datetime arrives in Europe/Amsterdam, as with |date.
@register.filter(expects_localtime=True)
def datum(value: datetime.date | None, stijl: str = "") -> str:
    """``{{ d|datum }}`` 27 nov. 2026 · ``{{ d|datum:"dag" }}`` 27 nov. ·
    ``{{ d|datum:"weekdag" }}`` vrijdag 27 nov."""
    if not value:
        return ""
    return korte_datum(value, **STIJLEN[stijl])
