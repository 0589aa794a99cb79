from django import template

from gezinnen.models import Steungezin, today
from screening.models import VOG, ScreeningGesprek
from screening.rules import (
    herscreening_redenen,
    latest_vog,
    overzicht,
    vog_members,
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
    vogs = []
    for lid in vog_members(steungezin, day):
        vog = latest_vog(lid)
        vogs.append({"lid": lid, "vog": vog, "renew": vog is not None and vog.status in VOG.FINAL})
    return {
        "gezin": steungezin,
        "items": [(item, *STATE_LABELS[item.state]) for item in overzicht(steungezin, day)],
        "vogs": vogs,
        "herscreening": herscreening_redenen(steungezin, day)
        if steungezin.status == Steungezin.Status.BESCHIKBAAR
        else [],
        "gesprekken": ScreeningGesprek.Soort,
        "in_screening": steungezin.status == Steungezin.Status.IN_SCREENING,
    }
