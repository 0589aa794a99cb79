from django import template

from gezinnen.models import Steungezin, today
from screening.rules import (
    herscreening_redenen,
    overzicht,
    with_screening,
)

register = template.Library()

STATE_LABELS = {
    "done": ("gedaan", "success"),
    "missing": ("ontbreekt", "danger"),
    "expiring": ("verloopt binnenkort", "warning"),
    "attention": ("let op", "warning"),
}


@register.inclusion_tag("screening/includes/sectie.html")
def screening_sectie(gezin: Steungezin) -> dict:
    """The screening overview on the steungezin's page."""
    day = today()
    steungezin = with_screening(Steungezin.objects.filter(pk=gezin.pk)).get()
    return {
        "gezin": steungezin,
        "items": [(item, *STATE_LABELS[item.state]) for item in overzicht(steungezin, day)],
        "herscreening": herscreening_redenen(steungezin, day)
        if steungezin.status == Steungezin.Status.BESCHIKBAAR
        else [],
    }
