"""Upcoming check-ins, evaluations and kennismakingen, for the agenda page
and the private iCalendar feed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, F, Q, Value, When
from django.utils.text import slugify
from icalendar import Calendar, Event

from matching.models import Evaluatie, Koppeling


@dataclass(frozen=True)
class Afspraak:
    datum: datetime.date  # the day it is due, also when that has passed
    soort: str
    koppeling: Koppeling
    achterstallig: bool = False  # due before the first day asked for, not done yet

    @property
    def uid(self) -> str:
        """Unique per item and stable between fetches, without spaces."""
        return f"{slugify(self.soort)}-{self.koppeling.pk}-{self.datum:%Y%m%d}@steungezinnen"

    @property
    def initialen(self) -> str:
        """No family names beyond initials outside the application."""
        return f"{self.koppeling.vraaggezin.initialen}–{self.koppeling.steungezin.initialen}"


# The label of the stored next evaluation, in SQL: items of one day sort by
# the text they show.
EVALUATIE_SOORT = Case(
    *(
        When(volgende_evaluatie_soort=code, then=Value(label))
        for code, label in Evaluatie.Soort.choices
    ),
    default=Value(""),
)


# What a koppeling can have due, from the dates it keeps: its next check-in,
# a kennismaking without an outcome yet and its next evaluation, as (which
# koppelingen, the date, the text shown).
SOORTEN = [
    (Q(status=Koppeling.Status.ACTIEF), "volgende_contact_op", Value("contactmoment")),
    (Q(kennismaking_uitkomst=""), "kennismaking_op", Value("kennismaking")),
    (Q(status=Koppeling.Status.ACTIEF), "volgende_evaluatie_op", EVALUATIE_SOORT),
]


def _tussen(datum: str, van: datetime.date | None, tot: datetime.date) -> Q:
    return Q(**{f"{datum}__lte": tot}) & (Q(**{f"{datum}__gte": van}) if van else Q())


def geplande(koppelingen, *, tot: datetime.date, van: datetime.date | None = None):
    """What the koppelingen have due up to ``tot`` (and from ``van``, if
    given), as rows (datum, soort, koppeling id) in agenda order: one query,
    so that a page can take its first rows without loading every koppeling."""
    lopend = koppelingen.lopend().order_by()
    rows = [
        lopend.filter(wie, _tussen(datum, van, tot))
        .annotate(datum=F(datum), soort=soort, koppeling=F("pk"))
        .values_list("datum", "soort", "koppeling")
        for wie, datum, soort in SOORTEN
    ]
    return rows[0].union(*rows[1:], all=True).order_by("datum", "soort", "koppeling")


def aantallen(koppelingen, *, start: datetime.date, tot: datetime.date) -> tuple[int, int]:
    """How many items are overdue (due before ``start``) and how many are due
    from ``start`` up to ``tot``: what ``geplande`` gives, counted in one
    query."""

    def aantal(van: datetime.date | None, tot: datetime.date):
        first, *rest = (
            Count("pk", filter=wie & _tussen(datum, van, tot)) for wie, datum, _ in SOORTEN
        )
        return sum(rest, first)

    counts = koppelingen.lopend().aggregate(
        achterstallig=aantal(None, start - datetime.timedelta(days=1)), komend=aantal(start, tot)
    )
    return counts["achterstallig"], counts["komend"]


def afspraken(rows, start: datetime.date) -> list[Afspraak]:
    """The rows of ``geplande`` as items, overdue when due before ``start``.
    Their koppelingen and families come by id, each in a query of its own
    (joined, PostgreSQL read every family of the installation to find them),
    with only what an item shows: the names, or initials once anonymised."""
    rows = list(rows)
    koppelingen = (
        Koppeling.objects.only("vraaggezin", "steungezin")
        .met_namen()
        .in_bulk({koppeling for _, _, koppeling in rows})
    )
    return [
        Afspraak(datum, soort, koppelingen[koppeling], achterstallig=datum < start)
        for datum, soort, koppeling in rows
    ]


def ical(items: list[Afspraak], base_url: str, now: datetime.datetime) -> bytes:
    """The feed: each item on its own day, an overdue one marked in its title."""
    calendar = Calendar()
    calendar.add("prodid", "-//Steungezinnen//agenda//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Steungezinnen")
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now)
        title = f"{item.soort.capitalize()} {item.initialen}"
        event.add("summary", f"Achterstallig: {title}" if item.achterstallig else title)
        event.add("dtstart", item.datum)
        event.add("dtend", item.datum + datetime.timedelta(days=1))
        event.add("url", f"{base_url}/koppelingen/{item.koppeling.pk}/")
        calendar.add_component(event)
    return calendar.to_ical()
