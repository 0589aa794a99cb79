"""Upcoming check-ins, evaluations and kennismakingen, for the agenda page
and the private iCalendar feed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

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


def afspraken(koppelingen, start: datetime.date, end: datetime.date) -> list[Afspraak]:
    """What is due from ``start`` to ``end``, each on its own day, and what
    was due before ``start`` and is still open, marked overdue."""
    items = []
    for koppeling in (
        koppelingen.lopend()
        .select_related("vraaggezin", "steungezin", "organisatie")
        .prefetch_related("evaluaties")
    ):
        due_on = []
        if koppeling.status == Koppeling.Status.ACTIEF and koppeling.volgende_contact_op:
            due_on.append((koppeling.volgende_contact_op, "contactmoment"))
        if koppeling.kennismaking_op and not koppeling.kennismaking_uitkomst:
            due_on.append((koppeling.kennismaking_op, "kennismaking"))
        due = koppeling.evaluatie_due(list(koppeling.evaluaties.all()))
        if due:
            due_on.append((due[1], Evaluatie.Soort(due[0]).label))
        items += [
            Afspraak(datum, soort, koppeling, achterstallig=datum < start)
            for datum, soort in due_on
            if datum <= end
        ]
    return sorted(items, key=lambda item: (item.datum, item.soort, item.koppeling.pk))


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
