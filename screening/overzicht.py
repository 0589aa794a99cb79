"""The screening lists of the overview page and the dashboard: each selects
its steungezinnen in SQL from the stored verdicts (screening.stand) and
applies the rules only to the families it shows."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from gezinnen.models import Steungezin
from screening.models import Screeningstand
from screening.rules import (
    JUSTIS_WACHT_DAGEN,
    VERLOOPT_BINNEN_DAGEN,
    herscreening_redenen,
    screening_ophalen,
    tekorten_voor_goedkeuring,
    vog_werk,
    vogs_ophalen,
)
from screening.stand import IN_WERK, Lijst

STIL_DAGEN = 21  # a screening without progress for three weeks


def _in_screening(steungezinnen: QuerySet, day: datetime.date) -> QuerySet:
    return steungezinnen.filter(status=Steungezin.Status.IN_SCREENING).order_by("naam", "pk")


def _tekorten(gezinnen: list, day: datetime.date) -> list:
    return [(gezin, tekorten_voor_goedkeuring(gezin, day)) for gezin in gezinnen]


def _herscreening(steungezinnen: QuerySet, day: datetime.date) -> QuerySet:
    return steungezinnen.filter(
        status=Steungezin.Status.BESCHIKBAAR,
        screeningstand__reden=Screeningstand.Reden.HERSCREENING,
    ).order_by("naam", "pk")


def _redenen(gezinnen: list, day: datetime.date) -> list:
    return [(gezin, herscreening_redenen(gezin, day)) for gezin in gezinnen]


def _stil(steungezinnen: QuerySet, day: datetime.date) -> QuerySet:
    return (
        steungezinnen.filter(
            status=Steungezin.Status.IN_SCREENING,
            screeningstand__laatste_activiteit__lte=day - datetime.timedelta(days=STIL_DAGEN),
        )
        .select_related("screeningstand")
        .order_by("screeningstand__laatste_activiteit", "pk")
    )


def _laatst(gezinnen: list, day: datetime.date) -> list:
    return [(gezin, gezin.screeningstand.laatste_activiteit) for gezin in gezinnen]


def _vog_lijst(titel: str, soort: str, veld: str) -> Lijst:
    """A list of one kind of VOG work (screening.rules.VogWerk): the families
    with a stored count of it, counted in members; rows per member."""

    def bron(steungezinnen: QuerySet, day: datetime.date) -> QuerySet:
        return steungezinnen.filter(
            status__in=IN_WERK, **{f"screeningstand__{veld}__gt": 0}
        ).order_by("naam", "pk")

    def rijen(gezinnen: list, day: datetime.date) -> list:
        return getattr(vog_werk(gezinnen, day), soort)

    return Lijst(titel, bron, rijen, som=f"screeningstand__{veld}", ophalen=vogs_ophalen)


LIJSTEN = {
    "in_screening": Lijst("In screening", _in_screening, _tekorten, ophalen=screening_ophalen),
    "herscreening": Lijst(
        "Opnieuw screenen voor een nieuwe koppeling", _herscreening, _redenen, ophalen=vogs_ophalen
    ),
    "stil": Lijst("Drie weken zonder voortgang", _stil, _laatst),
    "aan_te_vragen": _vog_lijst("VOG's aan te vragen", "aan_te_vragen", "vog_aan_te_vragen"),
    "bij_justis": _vog_lijst(
        f"Langer dan {JUSTIS_WACHT_DAGEN // 7} weken bij Justis", "bij_justis", "vog_bij_justis"
    ),
    "verlopend": _vog_lijst(
        f"VOG's die binnen {VERLOOPT_BINNEN_DAGEN} dagen verlopen", "verlopend", "vog_verlopend"
    ),
    "wordt_18": _vog_lijst("Wordt binnenkort 18", "wordt_18", "wordt_18"),
}
