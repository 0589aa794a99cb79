"""Ranked, explained suggestions: which steungezin fits a waiting vraaggezin."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from gezinnen.models import Gezinslid, Steungezin, Vraaggezin, age_on
from screening.rules import herscreening_redenen, with_screening


@dataclass(frozen=True)
class Criterium:
    naam: str
    punten: int
    max: int
    uitleg: str


@dataclass
class Suggestie:
    steungezin: Steungezin
    vraaggezin: Vraaggezin
    criteria: list[Criterium] = field(default_factory=list)

    @property
    def totaal(self) -> int:
        return sum(c.punten for c in self.criteria)

    @property
    def maximum(self) -> int:
        return sum(c.max for c in self.criteria)


def _talen(gezin) -> set[str]:
    return {t.strip().lower() for t in gezin.talen.split(",") if t.strip()}


def _kinderen(vraaggezin: Vraaggezin) -> list[Gezinslid]:
    children = [lid for lid in vraaggezin.leden.all() if lid.soort == Gezinslid.Soort.KIND]
    chosen = [lid for lid in children if lid.krijgt_steun]
    return chosen or children


def score(vraaggezin: Vraaggezin, steungezin: Steungezin, day: datetime.date) -> Suggestie:
    """Points per criterion, weighted by the organisation's settings."""
    org = vraaggezin.organisatie
    suggestie = Suggestie(steungezin, vraaggezin)
    add = suggestie.criteria.append

    if vraaggezin.wijk_id and vraaggezin.wijk_id == steungezin.wijk_id:
        add(
            Criterium(
                "wijk", org.gewicht_wijk, org.gewicht_wijk, f"zelfde wijk ({steungezin.wijk})"
            )
        )
    elif vraaggezin.wijk_id and steungezin.wijk_id in {
        w.pk for w in vraaggezin.wijk.aangrenzend.all()
    }:
        add(
            Criterium(
                "wijk", org.gewicht_wijk // 2, org.gewicht_wijk, f"buurwijk ({steungezin.wijk})"
            )
        )
    else:
        add(
            Criterium("wijk", 0, org.gewicht_wijk, f"andere wijk ({steungezin.wijk or 'onbekend'})")
        )

    wanted = set(vraaggezin.dagdelen)
    shared = wanted & set(steungezin.beschikbaarheid)
    if not wanted:
        add(Criterium("dagen", org.gewicht_dagdelen, org.gewicht_dagdelen, "geen voorkeur"))
    else:
        add(
            Criterium(
                "dagen",
                round(org.gewicht_dagdelen * len(shared) / len(wanted)),
                org.gewicht_dagdelen,
                f"{len(shared)} van {len(wanted)} gewenste dagdelen",
            )
        )

    kinderen = _kinderen(vraaggezin)
    in_range = [
        k
        for k in kinderen
        if steungezin.leeftijd_van <= age_on(k.geboortedatum, day) <= steungezin.leeftijd_tot
    ]
    if not kinderen:
        add(Criterium("kinderen", 0, org.gewicht_kinderen, "geen kinderen ingevuld"))
    else:
        fraction = len(in_range) / len(kinderen)
        too_many = len(kinderen) > steungezin.max_kinderen
        uitleg = (
            f"{len(in_range)} van {len(kinderen)} kinderen tussen {steungezin.leeftijd_van} "
            f"en {steungezin.leeftijd_tot} jaar"
        )
        if too_many:
            fraction /= 2
            uitleg += f"; {len(kinderen)} kinderen, zij nemen er {steungezin.max_kinderen}"
        add(
            Criterium(
                "kinderen", round(org.gewicht_kinderen * fraction), org.gewicht_kinderen, uitleg
            )
        )

    gevraagd = set(vraaggezin.ondersteuning)
    geboden = gevraagd & set(steungezin.aanbod)
    if not gevraagd:
        add(
            Criterium(
                "steun", org.gewicht_ondersteuning, org.gewicht_ondersteuning, "geen voorkeur"
            )
        )
    else:
        add(
            Criterium(
                "steun",
                round(org.gewicht_ondersteuning * len(geboden) / len(gevraagd)),
                org.gewicht_ondersteuning,
                f"{len(geboden)} van {len(gevraagd)} gevraagde vormen van steun",
            )
        )

    gedeeld = _talen(vraaggezin) & _talen(steungezin)
    add(
        Criterium(
            "taal",
            org.gewicht_taal if gedeeld else 0,
            org.gewicht_taal,
            ("spreken " + ", ".join(sorted(t.capitalize() for t in gedeeld)))
            if gedeeld
            else "geen gedeelde taal ingevuld",
        )
    )
    return suggestie


# The steungezinnen a suggestion page shows: the available ones (ranked or
# left out) and those in screening (left out, with why); stopped, rejected or
# not yet screened families never appear, so they are not loaded.
GETOOND = (Steungezin.Status.BESCHIKBAAR, Steungezin.Status.IN_SCREENING)


def _steungezinnen(organisatie_id: int):
    return with_screening(
        Steungezin.objects.filter(organisatie_id=organisatie_id, status__in=GETOOND).select_related(
            "wijk"
        )
    ).annotate(bezet=Count("koppelingen", filter=Q(koppelingen__status="actief")))


def uitgesloten_reden(steungezin: Steungezin, day: datetime.date) -> list[str]:
    """Why a steungezin cannot take a (new) koppeling now; empty when it can."""
    redenen = []
    if steungezin.status != Steungezin.Status.BESCHIKBAAR:
        redenen.append(f"status is {steungezin.get_status_display()}")
    redenen += herscreening_redenen(steungezin, day)
    bezet = getattr(steungezin, "bezet", None)
    if bezet is None:
        bezet = steungezin.koppelingen.filter(status="actief").count()
    if bezet >= steungezin.capaciteit:
        redenen.append(f"geen plek: {bezet} van {steungezin.capaciteit} koppelingen lopen al")
    return redenen


def suggesties(
    vraaggezin: Vraaggezin, day: datetime.date
) -> tuple[list[Suggestie], list[tuple[Steungezin, list[str]]]]:
    """The steungezinnen that can take this vraaggezin, best first, and those
    left out with their reasons."""
    vraaggezin = (
        Vraaggezin.objects.select_related("organisatie", "wijk")
        .prefetch_related("leden", "wijk__aangrenzend")
        .get(pk=vraaggezin.pk)
    )
    ranked, left_out = [], []
    for steungezin in _steungezinnen(vraaggezin.organisatie_id):
        if redenen := uitgesloten_reden(steungezin, day):
            left_out.append((steungezin, redenen))
            continue
        ranked.append(score(vraaggezin, steungezin, day))
    ranked.sort(key=lambda s: (-s.totaal, s.steungezin.naam))
    return ranked, left_out


def passende_vraaggezinnen(steungezin: Steungezin, day: datetime.date) -> list[Suggestie]:
    """From a steungezin: the waiting vraaggezinnen that fit it, best first."""
    waiting = (
        Vraaggezin.objects.filter(
            organisatie_id=steungezin.organisatie_id, status=Vraaggezin.Status.WACHTEND
        )
        .exclude(koppelingen__status__in=["voorgesteld", "kennismaking", "actief"])
        .select_related("organisatie", "wijk")
        .prefetch_related(Prefetch("leden"), "wijk__aangrenzend")
    )
    ranked = [score(vraaggezin, steungezin, day) for vraaggezin in waiting]
    ranked.sort(key=lambda s: (-s.totaal, s.vraaggezin.wacht_sinds or day))
    return ranked
