"""Ranked, explained suggestions: which steungezin fits a waiting vraaggezin."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Prefetch, Q, QuerySet

from gezinnen.models import Gezinslid, Steungezin, Vraaggezin, age_on
from screening import stand
from screening.rules import herscreening_redenen, reloaded
from screening.stand import PER_PAGINA


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


@dataclass(frozen=True)
class Vraagkant:
    """What ``score`` reads of the vraaggezin, worked out once for a page
    that scores one vraaggezin against many steungezinnen."""

    buurwijken: frozenset[int]
    dagdelen: frozenset[str]
    leeftijden: tuple[int, ...]  # of the children the support is for, on the day
    ondersteuning: frozenset[str]
    talen: frozenset[str]

    @classmethod
    def van(cls, vraaggezin: Vraaggezin, day: datetime.date) -> Vraagkant:
        return cls(
            frozenset(w.pk for w in vraaggezin.wijk.aangrenzend.all())
            if vraaggezin.wijk_id
            else frozenset(),
            frozenset(vraaggezin.dagdelen),
            tuple(age_on(kind.geboortedatum, day) for kind in _kinderen(vraaggezin)),
            frozenset(vraaggezin.ondersteuning),
            frozenset(_talen(vraaggezin)),
        )


def score(
    vraaggezin: Vraaggezin,
    steungezin: Steungezin,
    day: datetime.date,
    *,
    voor: Literal["vraaggezin", "steungezin"] = "vraaggezin",
    vraag: Vraagkant | None = None,
) -> Suggestie:
    """Points per criterion, weighted by the organisation's settings. ``voor``
    is the family whose page lists the suggestions: the explanation names the
    wijk of the other one, the candidate. ``vraag``: the vraaggezin's side,
    when it was worked out before (``Vraagkant.van`` on the same day)."""
    vraag = vraag or Vraagkant.van(vraaggezin, day)
    org = vraaggezin.organisatie
    kandidaat = steungezin if voor == "vraaggezin" else vraaggezin
    suggestie = Suggestie(steungezin, vraaggezin)
    add = suggestie.criteria.append

    if vraaggezin.wijk_id and vraaggezin.wijk_id == steungezin.wijk_id:
        add(
            Criterium("wijk", org.gewicht_wijk, org.gewicht_wijk, f"zelfde wijk ({kandidaat.wijk})")
        )
    elif steungezin.wijk_id in vraag.buurwijken:
        add(
            Criterium(
                "wijk", org.gewicht_wijk // 2, org.gewicht_wijk, f"buurwijk ({kandidaat.wijk})"
            )
        )
    else:
        add(Criterium("wijk", 0, org.gewicht_wijk, f"andere wijk ({kandidaat.wijk or 'onbekend'})"))

    wanted = vraag.dagdelen
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

    kinderen = vraag.leeftijden
    in_range = [
        leeftijd
        for leeftijd in kinderen
        if steungezin.leeftijd_van <= leeftijd <= steungezin.leeftijd_tot
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

    gevraagd = vraag.ondersteuning
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

    gedeeld = vraag.talen & _talen(steungezin)
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


# The steungezinnen a suggestion page can name: the available ones (ranked or
# left out) and those in screening (left out, with why); stopped, rejected or
# not yet screened families never appear.
GETOOND = (Steungezin.Status.BESCHIKBAAR, Steungezin.Status.IN_SCREENING)
# What ``score`` and a suggestion's card read of a steungezin.
GESCOORD = (
    "naam",
    "organisatie_id",
    "status",
    "geanonimiseerd_op",
    "wijk",
    "beschikbaarheid",
    "leeftijd_van",
    "leeftijd_tot",
    "max_kinderen",
    "aanbod",
    "talen",
    "capaciteit",
)
TONEN = 10  # suggestions shown at first; "meer tonen" adds as many again
MEESTE = 500  # and stops there


def _kandidaten(organisatie_id: int, day: datetime.date) -> QuerySet:
    """The organisation's steungezinnen that can take a new koppeling on that
    day, in SQL: available, eligible by the stored screening verdict, with a
    place left. ``bezet`` counts their active koppelingen."""
    return (
        Steungezin.objects.filter(organisatie_id=organisatie_id, status__in=GETOOND)
        .only(*GESCOORD)
        .annotate(bezet=Count("koppelingen", filter=Q(koppelingen__status="actief")))
        .select_related("wijk")
    )


def _past(kandidaten: QuerySet, day: datetime.date) -> QuerySet:
    return kandidaten.filter(
        stand.kan_koppelen(day),
        status=Steungezin.Status.BESCHIKBAAR,
        bezet__lt=F("capaciteit"),
    )


def _past_niet(kandidaten: QuerySet, day: datetime.date) -> QuerySet:
    return kandidaten.exclude(pk__in=_past(kandidaten, day).values("pk")).order_by("naam", "pk")


def uitgesloten_reden(steungezin: Steungezin, day: datetime.date) -> list[str]:
    """Why a steungezin cannot take a (new) koppeling now; empty when it can.
    Reads the rules themselves (``with_screening``, or at least its members
    and VOGs); the services check with it before every koppeling."""
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


@dataclass
class Suggesties:
    """The best suggestions first (``getoond`` of ``aantal``), and those left
    out: how many, and one page of them with their reasons when asked."""

    beste: list[Suggestie]
    aantal: int
    aantal_uitgesloten: int
    uitgesloten: list[tuple[Steungezin, list[str]]] = field(default_factory=list)
    uitgesloten_pagina: Page | None = None

    @property
    def meer(self) -> int:
        return self.aantal - len(self.beste)


def suggesties(
    vraaggezin: Vraaggezin,
    day: datetime.date,
    *,
    tonen: int = TONEN,
    uitgesloten: bool = False,
    pagina=None,
) -> Suggesties:
    """The steungezinnen that can take this vraaggezin, best first: filtered in
    SQL, scored in Python (their own columns only), the first ``tonen``
    shown. With ``uitgesloten``, one page of those left out with why, by the
    rules themselves for those rows only."""
    vraaggezin = (
        Vraaggezin.objects.select_related("organisatie", "wijk")
        .prefetch_related("leden", "wijk__aangrenzend")
        .get(pk=vraaggezin.pk)
    )
    stand.verouderde_bijwerken(day, organisatie_id=vraaggezin.organisatie_id)
    kandidaten = _kandidaten(vraaggezin.organisatie_id, day)
    vraag = Vraagkant.van(vraaggezin, day)
    ranked = [score(vraaggezin, gezin, day, vraag=vraag) for gezin in _past(kandidaten, day)]
    ranked.sort(key=lambda s: (-s.totaal, s.steungezin.naam, s.steungezin.pk))
    # Those left out are the others that a suggestion page can name.
    getoond = Steungezin.objects.filter(
        organisatie_id=vraaggezin.organisatie_id, status__in=GETOOND
    ).count()
    result = Suggesties(ranked[:tonen], len(ranked), getoond - len(ranked))
    if uitgesloten:
        page = Paginator(_past_niet(kandidaten, day), PER_PAGINA).get_page(pagina)
        for gezin, volledig in zip(page, reloaded(list(page)), strict=True):
            volledig.bezet = gezin.bezet
            result.uitgesloten.append((volledig, uitgesloten_reden(volledig, day)))
        result.uitgesloten_pagina = page
    return result


def passende_vraaggezinnen(
    steungezin: Steungezin, day: datetime.date, *, tonen: int = TONEN
) -> tuple[list[Suggestie], int]:
    """From a steungezin: the waiting vraaggezinnen that fit it, best first
    (the first ``tonen``), and how many wait."""
    waiting = (
        Vraaggezin.objects.filter(
            organisatie_id=steungezin.organisatie_id, status=Vraaggezin.Status.WACHTEND
        )
        .exclude(koppelingen__status__in=["voorgesteld", "kennismaking", "actief"])
        .select_related("organisatie", "wijk")
        .prefetch_related(
            Prefetch(
                "leden",
                queryset=Gezinslid.objects.only(
                    "gezin_id", "soort", "krijgt_steun", "geboortedatum"
                ),
            ),
            "wijk__aangrenzend",
        )
    )
    ranked = [score(vraaggezin, steungezin, day, voor="steungezin") for vraaggezin in waiting]
    ranked.sort(key=lambda s: (-s.totaal, s.vraaggezin.wacht_sinds or day, s.vraaggezin.pk))
    return ranked[:tonen], len(ranked)
