"""Upcoming check-ins, evaluations and kennismakingen, for the agenda page
and the private iCalendar feed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from icalendar import Calendar, Event

from matching.models import Evaluatie, Koppeling


@dataclass(frozen=True)
class Afspraak:
    datum: datetime.date
    soort: str
    koppeling: Koppeling

    @property
    def initialen(self) -> str:
        """No family names beyond initials outside the application."""
        return f"{self.koppeling.vraaggezin.initialen}–{self.koppeling.steungezin.initialen}"


def afspraken(koppelingen, start: datetime.date, end: datetime.date) -> list[Afspraak]:
    items = []
    for koppeling in (
        koppelingen.lopend()
        .select_related("vraaggezin", "steungezin", "organisatie")
        .prefetch_related("evaluaties")
    ):
        if koppeling.status == Koppeling.Status.ACTIEF and koppeling.volgende_contact_op:
            # An overdue check-in shows today: it still has to happen.
            items.append(
                Afspraak(max(koppeling.volgende_contact_op, start), "contactmoment", koppeling)
            )
        if koppeling.kennismaking_op and not koppeling.kennismaking_uitkomst:
            items.append(Afspraak(koppeling.kennismaking_op, "kennismaking", koppeling))
        due = koppeling.evaluatie_due(list(koppeling.evaluaties.all()))
        if due:
            items.append(Afspraak(max(due[1], start), Evaluatie.Soort(due[0]).label, koppeling))
    return sorted(
        (item for item in items if start <= item.datum <= end),
        key=lambda item: (item.datum, item.soort, item.koppeling.pk),
    )


def ical(items: list[Afspraak], base_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Steungezinnen//agenda//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Steungezinnen")
    for item in items:
        event = Event()
        event.add("uid", f"{item.soort}-{item.koppeling.pk}-{item.datum:%Y%m%d}@steungezinnen")
        event.add("summary", f"{item.soort.capitalize()} {item.initialen}")
        event.add("dtstart", item.datum)
        event.add("dtend", item.datum + datetime.timedelta(days=1))
        event.add("url", f"{base_url}/koppelingen/{item.koppeling.pk}/")
        calendar.add_component(event)
    return calendar.to_ical()
