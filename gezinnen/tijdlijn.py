"""A family's timeline: what happened in its file, newest first, with who
did it and when.

This app knows its own status changes. The apps below it (DESIGN §6: an app
imports only from those above it) add theirs, the notes, contactmomenten and
signals of matching, through ``bron`` and ``invoer`` in their
``AppConfig.ready``, so that this app never imports them.

Each source is a query ordered newest first: a page of the timeline reads
at most as many rows of each as it shows, one query per source, however long
the file is.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from gezinnen.models import Gezin, Statuswijziging


@dataclass(frozen=True)
class Gebeurtenis:
    """One line of the timeline."""

    op: datetime.datetime
    soort: str
    titel: str
    tekst: str = ""
    door: User | None = None
    url: str = ""
    # A record with a day but no time (a contactmoment) shows its day only.
    alleen_dag: bool = False
    # A mark beside the title, e.g. "alleen professionals".
    kenmerk: str = ""


def begin_van(day: datetime.date) -> datetime.datetime:
    """The moment a day starts in Europe/Amsterdam: where a record that has
    only a day stands among records with a time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# (rows newest first, one row as a Gebeurtenis) for a family, as a user sees it.
Bron = Callable[[Gezin, User], tuple[QuerySet, Callable[[Any], Gebeurtenis]]]


@dataclass(frozen=True)
class Invoer:
    """A form above the timeline (a note) or buttons (a mail to the family):
    the template that shows it, the form, and where it posts to."""

    template: str
    form: forms.Form | None
    action: str


_BRONNEN: list[Bron] = []
_INVOER: list[Callable[[Gezin, User], Invoer | None]] = []


def bron(source: Bron) -> Bron:
    """Add a source of timeline lines (called once, from an AppConfig.ready)."""
    if source not in _BRONNEN:
        _BRONNEN.append(source)
    return source


def invoer(maker: Callable[[Gezin, User], Invoer | None]) -> Callable:
    """Add a form shown above the timeline (called once, from an AppConfig.ready)."""
    if maker not in _INVOER:
        _INVOER.append(maker)
    return maker


def invoer_voor(gezin: Gezin, user: User) -> list[Invoer]:
    return [found for maker in _INVOER if (found := maker(gezin, user)) is not None]


def statuswijzigingen(gezin: Gezin, user: User):
    def regel(stap: Statuswijziging) -> Gebeurtenis:
        naar = _status_label(gezin, stap.naar)
        titel = f"{_status_label(gezin, stap.van)} → {naar}" if stap.van else naar
        return Gebeurtenis(stap.op, "Status", titel, stap.reden, stap.door)

    return Statuswijziging.objects.filter(gezin_id=gezin.pk).select_related("door"), regel


def _status_label(gezin: Gezin, value: str) -> str:
    """A status value stored in the timeline, in words (a value no longer
    in the lifecycle as it was stored)."""
    status = getattr(gezin, "Status", None)
    return status(value).label if status and value in status.values else value


bron(statuswijzigingen)


class Tijdlijn:
    """The family's timeline as a sequence a page slices and counts (the
    first lines on the family's page, a Paginator on the full page)."""

    def __init__(self, gezin: Gezin, user: User):
        self.bronnen = [source(gezin, user) for source in _BRONNEN]

    def _nieuwste(self, aantal: int) -> list[Gebeurtenis]:
        # The newest ``aantal`` of all sources are among the newest
        # ``aantal`` of each. A stable sort keeps ties in source order.
        regels = [maak(rij) for rijen, maak in self.bronnen for rij in rijen[:aantal]]
        regels.sort(key=lambda regel: regel.op, reverse=True)
        return regels[:aantal]

    def eerste(self, tonen: int) -> tuple[list[Gebeurtenis], bool]:
        """The newest ``tonen`` lines, and whether there are more."""
        regels = self._nieuwste(tonen + 1)
        return regels[:tonen], len(regels) > tonen

    def __getitem__(self, rows: slice) -> list[Gebeurtenis]:
        return self._nieuwste(rows.stop)[rows]

    def count(self) -> int:
        return sum(rijen.count() for rijen, _ in self.bronnen)

    def __len__(self) -> int:
        return self.count()
