"""The municipality report against its own definitions, worked out here.

One programme in Hengelo (wijken Noord and Zuid), Enschede (Centrum) and
families without a wijk, next to another organisation whose data must never
count. The groups of families carry the cases the definitions are about:
moves during and after a period, status changes just before and after
midnight in Amsterdam, koppelingen that end on either side of the turn of a
quarter or a year, second koppelingen of one family, an end reason taken out
of use, hours for each gemeente and for none, and a tarief.

The expected figures come from the data through the definitions, in this file;
of reports.figures only the report itself is used. Hiding is the subject of
test_rapport_aanvallen.py: the groups here are made so that the figures
checked exactly are 0 or at least 5 (10 for an average), and where
complementary suppression could hide a figure the test accepts that too.
"""

import csv
import datetime
import io
import math
import re
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Organisatie
from gezinnen.models import (
    Gezin,
    Statuswijziging,
    Steungezin,
    Vraaggezin,
    Wijk,
    WijkPeriode,
    today,
)
from gezinnen.services import gezin_wijzigen
from matching.models import (
    EVALUATIEVRAGEN,
    Contactmoment,
    CoordinatieUren,
    EindReden,
    Evaluatie,
    Koppeling,
)
from reports import views
from reports.figures import Periode, gemeenterapportage
from tests.factories import (
    KoppelingFactory,
    SteungezinFactory,
    UserFactory,
    VraaggezinFactory,
    WijkFactory,
)

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ALLE = "*"  # the page's value for the report over all gemeenten
ZONDER = "zonder wijk"  # the families without a wijk: a part of the organisation's figures
HIDDEN = "×"
TOO_FEW = "te weinig gegevens"
WAITING = {"aangemeld", "intake", "wachtend"}
UURTARIEF = Decimal("42.50")
D = datetime.date


def om(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment on the clock in Amsterdam."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=AMSTERDAM)


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def reeks(first: datetime.date, n: int, step: int = 1) -> list[datetime.date]:
    return [first + datetime.timedelta(days=step * i) for i in range(n)]


def per_family(value, index: int):
    """A value for the whole group, or a list with one per family."""
    return value[index] if isinstance(value, list) else value


# Periods ---------------------------------------------------------------------


@dataclass(frozen=True)
class Tijdvak:
    """A whole month, quarter or year, as the page asks for it."""

    soort: str
    jaar: int
    nummer: int = 0  # the month or the quarter

    @property
    def maanden(self) -> list[tuple[int, int]]:
        first, last = {
            "maand": (self.nummer, self.nummer),
            "kwartaal": (3 * self.nummer - 2, 3 * self.nummer),
            "jaar": (1, 12),
        }[self.soort]
        return [(self.jaar, month) for month in range(first, last + 1)]

    @property
    def start(self) -> datetime.date:
        year, month = self.maanden[0]
        return D(year, month, 1)

    @property
    def end(self) -> datetime.date:
        year, month = self.maanden[-1]
        return D(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)

    def __contains__(self, day: datetime.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.soort} {self.jaar}" + (f"/{self.nummer}" if self.nummer else "")

    @property
    def params(self) -> dict:
        return {
            "soort": self.soort,
            "jaar": self.jaar,
            **({self.soort: self.nummer} if self.nummer else {}),
        }

    def periode(self) -> Periode:
        return Periode(self.start, self.end)


Q4_2025 = Tijdvak("kwartaal", 2025, 4)
JAAR_2025 = Tijdvak("jaar", 2025)
DEC_2025 = Tijdvak("maand", 2025, 12)
JAN_2026 = Tijdvak("maand", 2026, 1)
Q1_2026 = Tijdvak("kwartaal", 2026, 1)
TIJDVAKKEN = [Q4_2025, JAAR_2025, DEC_2025, JAN_2026, Q1_2026]
GEBIEDEN = ["Hengelo", "Enschede", ALLE]


# The dataset -----------------------------------------------------------------


class Programma:
    """Builds one organisation's families and koppelingen, a group at a time:
    every family of a group shares its story (where it lived when, its status
    steps), so that the counts come in groups of five or more."""

    def __init__(self, organisatie: Organisatie, coordinator):
        self.organisatie = organisatie
        self.coordinator = coordinator
        self.pool: list[Steungezin] = []  # the steungezinnen of the koppelingen

    def _story(self, gezin: Gezin, day, wijk, steps, *, moves=(), since=None, no_history=False):
        """Where the family lived from its registration (or from ``since``) and
        after each move, and its status steps; no rows at all with no_history."""
        if not no_history:
            rows = [(since or day, wijk), *moves]
            WijkPeriode.objects.bulk_create(
                WijkPeriode(gezin=gezin, wijk=w, vanaf=vanaf) for vanaf, w in rows
            )
        self._steps(gezin, steps)

    def _steps(self, gezin: Gezin, steps) -> None:
        Statuswijziging.objects.bulk_create(
            Statuswijziging(gezin=gezin, van="", naar=naar, op=op) for op, naar in steps
        )

    def vraaggezinnen(
        self,
        days,
        wijk,
        *,
        verwijzer="zelfmelding",
        wachtend_na=None,
        stappen=(),
        registered=True,
        status="aangemeld",
        **story,
    ) -> list[Vraaggezin]:
        gezinnen = []
        moves = story.get("moves", ())
        for index, day in enumerate(days):
            steps = [(om(day, 9), "aangemeld")] if registered else []
            if wachtend_na is not None:
                steps.append((om(day + datetime.timedelta(days=wachtend_na)), "wachtend"))
            gezin = VraaggezinFactory(
                organisatie=self.organisatie,
                wijk=moves[-1][1] if moves else wijk,
                aangemeld_op=day,
                verwijzer_soort=verwijzer,
                status=status,
                leden=[("volwassene", 35), *(("kind", 4 + j) for j in range(1 + index % 3))],
            )
            self._story(gezin, day, wijk, [*steps, *stappen], **story)
            gezinnen.append(gezin)
        return gezinnen

    def steungezinnen(self, days, wijk, *, stappen=(), registered=True, **story):
        gezinnen = []
        moves = story.get("moves", ())
        for day in days:
            gezin = SteungezinFactory(
                organisatie=self.organisatie,
                wijk=moves[-1][1] if moves else wijk,
                aangemeld_op=day,
                status=stappen[-1][1] if stappen else "aangemeld",
                leden=[("volwassene", 50)],
            )
            steps = [(om(day, 9), "aangemeld")] if registered else []
            self._story(gezin, day, wijk, [*steps, *stappen], **story)
            gezinnen.append(gezin)
        return gezinnen

    def koppelingen(
        self,
        gezinnen,
        *,
        voorgesteld,
        start=None,
        einde=None,
        reden="doel_bereikt",
        doel="ja",
        daarna="afgesloten",
        kinderen=True,
    ) -> list[Koppeling]:
        """One koppeling per family; the family is gekoppeld from the start and
        ``daarna`` (afgesloten, or wachtend for a next one) from the end."""
        koppelingen = []
        for index, gezin in enumerate(gezinnen):
            start_op, einde_op = per_family(start, index), per_family(einde, index)
            if einde_op:
                status = Koppeling.Status.AFGESLOTEN
            elif start_op:
                status = Koppeling.Status.ACTIEF
            else:
                status = Koppeling.Status.VOORGESTELD
            koppeling = KoppelingFactory(
                organisatie=self.organisatie,
                vraaggezin=gezin,
                steungezin=self.pool[index % len(self.pool)],
                coordinator=self.coordinator,
                status=status,
                voorgesteld_op=voorgesteld,
                start_op=start_op,
                einde_op=einde_op,
                einde_reden=per_family(reden, index) if einde_op else "",
                doel_bereikt=per_family(doel, index) if einde_op and start_op else "",
            )
            if per_family(kinderen, index):
                koppeling.kinderen.set(gezin.leden.filter(soort="kind"))
            steps = [(om(start_op, 11), "gekoppeld")] if start_op else []
            if start_op and einde_op:
                steps.append((om(einde_op, 16), per_family(daarna, index)))
            self._steps(gezin, steps)
            koppelingen.append(koppeling)
        return koppelingen

    def move(self, gezinnen, day, wijk) -> None:
        for gezin in gezinnen:
            WijkPeriode.objects.create(gezin=gezin, wijk=wijk, vanaf=day)
            Gezin.objects.filter(pk=gezin.pk).update(wijk=wijk)

    def contact(self, koppelingen, day) -> None:
        Contactmoment.objects.bulk_create(
            Contactmoment(
                koppeling=k,
                datum=day,
                met="beide",
                hoe="bezoek",
                verloop="goed",
                door=k.coordinator,
            )
            for k in koppelingen
        )

    def evaluatie(self, koppeling, day, vraag: dict, steun: dict) -> None:
        Evaluatie.objects.create(
            koppeling=koppeling,
            soort="jaarlijks",
            datum=day,
            door=self.coordinator,
            conclusie="Loopt.",
            vraag_scores=vraag,
            steun_scores=steun,
        )

    def uren(self, coordinator, weeks, gemeente: str, uren: str) -> None:
        CoordinatieUren.objects.bulk_create(
            CoordinatieUren(
                organisatie=self.organisatie,
                coordinator=coordinator,
                week=week,
                gemeente=gemeente,
                uren=Decimal(uren),
            )
            for week in weeks
        )


def mondays(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    assert first.weekday() == 0
    return reeks(first, (last - first).days // 7 + 1, 7)


def scores(**per_question: int) -> dict:
    return {key: per_question.get(key, 4) for key, _ in EVALUATIEVRAGEN}


@dataclass
class Dataset:
    organisatie: Organisatie
    wijken: dict[str, Wijk]
    groepen: dict[str, list]


@pytest.fixture
def dataset(organisatie, coordinator, other_organisatie, outsider) -> Dataset:
    organisatie.uurtarief = UURTARIEF
    organisatie.save(update_fields=["uurtarief"])
    noord = WijkFactory(organisatie=organisatie, naam="Noord", gemeente="Hengelo")
    zuid = WijkFactory(organisatie=organisatie, naam="Zuid", gemeente="Hengelo")
    centrum = WijkFactory(organisatie=organisatie, naam="Centrum", gemeente="Enschede")
    for volgorde, (code, tekst, actief) in enumerate(
        [
            ("doel_bereikt", "doel bereikt", True),
            ("verhuisd", "verhuisd", True),
            ("klik", "klik niet goed", True),
            ("anders", "anders", True),
            ("oud", "naar een ander programma", False),  # retired, used in 2025
            ("vervallen", "vervallen reden", False),  # retired, used in 2024 only
        ]
    ):
        EindReden.objects.create(
            organisatie=organisatie, code=code, tekst=tekst, volgorde=volgorde, actief=actief
        )
    p = Programma(organisatie, coordinator)
    g: dict[str, list] = {}

    # Steungezinnen. The pool is approved since 2024 and takes every koppeling.
    p.pool = g["pool"] = p.steungezinnen(
        [D(2024, 1, 15)] * 5,
        noord,
        stappen=[(om(D(2024, 2, 1)), "in_screening"), (om(D(2024, 3, 1)), "beschikbaar")],
    )
    # Into screening at 00:30 on 1 October in Amsterdam: 30 September in UTC.
    g["S1"] = p.steungezinnen(
        reeks(D(2025, 9, 1), 5),
        noord,
        stappen=[(utc(2025, 9, 30, 22, 30), "in_screening"), (om(D(2025, 11, 10)), "beschikbaar")],
    )
    # Approved at 23:30 UTC on 31 December: 1 January in Amsterdam.
    g["S2"] = p.steungezinnen(
        reeks(D(2025, 10, 1), 5),
        zuid,
        stappen=[(om(D(2025, 10, 20)), "in_screening"), (utc(2025, 12, 31, 23, 30), "beschikbaar")],
    )
    # Approved in November, screened again in December, approved again in January.
    g["S3"] = p.steungezinnen(
        reeks(D(2025, 10, 6), 5),
        centrum,
        stappen=[
            (om(D(2025, 10, 15)), "in_screening"),
            (om(D(2025, 11, 12)), "beschikbaar"),
            (om(D(2025, 12, 3)), "in_screening"),
            (om(D(2026, 1, 20)), "beschikbaar"),
        ],
    )
    # Screened in Hengelo, moved to Enschede, approved there.
    g["S4"] = p.steungezinnen(
        reeks(D(2025, 11, 3), 5),
        noord,
        moves=[(D(2025, 12, 1), centrum)],
        stappen=[(om(D(2025, 11, 17)), "in_screening"), (om(D(2025, 12, 15)), "beschikbaar")],
    )
    g["S5"] = p.steungezinnen(
        reeks(D(2025, 10, 6), 5),
        None,
        stappen=[(om(D(2025, 10, 13)), "in_screening"), (om(D(2025, 11, 3)), "beschikbaar")],
    )
    g["S6"] = p.steungezinnen(
        reeks(D(2025, 10, 13), 3),
        noord,
        stappen=[(om(D(2025, 10, 27)), "in_screening"), (om(D(2025, 11, 24)), "beschikbaar")],
    )
    # "beschikbaar" in the status field, but no step in the timeline: not counted.
    g["S7"] = p.steungezinnen(
        [D(2024, 4, 1)] * 2, noord, registered=False, stappen=[], no_history=True
    )
    Steungezin.objects.filter(pk__in=[s.pk for s in g["S7"]]).update(status="beschikbaar")
    # Stopped at 23:30 UTC on 31 December: still available on that day.
    g["S8"] = p.steungezinnen(
        reeks(D(2024, 9, 2), 5),
        zuid,
        stappen=[
            (om(D(2024, 9, 16)), "in_screening"),
            (om(D(2024, 10, 1)), "beschikbaar"),
            (utc(2025, 12, 31, 23, 30), "gestopt"),
        ],
    )

    # Vraaggezinnen waiting, or not.
    g["V1"] = p.vraaggezinnen(
        reeks(D(2025, 10, 6), 5),
        noord,
        verwijzer="wijkteam",
        stappen=[(om(D(2025, 10, 20)), "intake"), (om(D(2025, 11, 3)), "wachtend")],
    )
    # Registered in Hengelo, moved to Enschede in the quarter.
    g["V2"] = p.vraaggezinnen(
        reeks(D(2025, 10, 13), 5),
        zuid,
        verwijzer="school",
        moves=[(D(2025, 11, 17), centrum)],
        stappen=[(om(D(2025, 10, 27)), "wachtend")],
    )
    # Withdrawn at 23:30 UTC on 31 December: still waiting on that day.
    g["V3"] = p.vraaggezinnen(
        reeks(D(2025, 12, 1), 5),
        centrum,
        verwijzer="huisarts",
        stappen=[(om(D(2025, 12, 10)), "wachtend"), (utc(2025, 12, 31, 23, 30), "ingetrokken")],
    )
    # Withdrawn at 00:30 on 1 February in Amsterdam: still waiting on 31 January.
    g["V4"] = p.vraaggezinnen(
        reeks(D(2025, 11, 3), 5),
        zuid,
        verwijzer="consultatiebureau",
        stappen=[
            (om(D(2025, 11, 20)), "intake"),
            (om(D(2025, 12, 8)), "wachtend"),
            (om(D(2026, 2, 1), 0, 30), "ingetrokken"),
        ],
    )
    # Two steps at the same moment: the later one (by id) is the status.
    g["V5"] = p.vraaggezinnen(
        reeks(D(2024, 6, 3), 5),
        noord,
        stappen=[
            (om(D(2024, 7, 1)), "wachtend"),
            (utc(2025, 11, 20, 10, 0), "wachtend"),
            (utc(2025, 11, 20, 10, 0), "ingetrokken"),
        ],
    )
    # "wachtend" in the status field, but no step in the timeline: not counted.
    g["V6"] = p.vraaggezinnen(
        reeks(D(2024, 5, 6), 3), noord, registered=False, status="wachtend", no_history=True
    )
    g["V7"] = p.vraaggezinnen(reeks(D(2025, 10, 20), 3), noord)
    # Moves to Enschede after the turn of the year.
    g["V8"] = p.vraaggezinnen(
        reeks(D(2025, 12, 8), 5),
        noord,
        verwijzer="anders",
        moves=[(D(2026, 2, 16), centrum)],
        stappen=[(om(D(2025, 12, 15)), "wachtend")],
    )
    # Moves out of the organisation's wijken: counts in the organisation only.
    g["V9"] = p.vraaggezinnen(
        reeks(D(2025, 10, 20), 5),
        centrum,
        verwijzer="wijkteam",
        moves=[(D(2025, 12, 1), None)],
        stappen=[(om(D(2025, 11, 3)), "intake")],
    )
    # Its first row is from after the registration: before it, the first row counts.
    g["V10"] = p.vraaggezinnen(
        reeks(D(2025, 11, 10), 5),
        zuid,
        verwijzer="school",
        since=D(2025, 11, 24),
        moves=[(D(2026, 3, 2), centrum)],
    )
    # No rows at all: its present wijk counts. No referrer recorded.
    g["V11"] = p.vraaggezinnen(
        reeks(D(2025, 12, 15), 5), zuid, verwijzer="", wachtend_na=7, no_history=True
    )
    g["V12"] = p.vraaggezinnen(reeks(D(2025, 10, 6), 5), None, wachtend_na=7)

    # Koppelingen in Hengelo.
    g["K24"] = p.koppelingen(
        p.vraaggezinnen(reeks(D(2024, 1, 8), 5), noord, wachtend_na=7),
        voorgesteld=D(2024, 2, 12),
        start=D(2024, 3, 4),
        einde=D(2024, 6, 28),
        reden="vervallen",
        doel="nee",
    )
    g["HE"] = p.koppelingen(
        p.vraaggezinnen(reeks(D(2024, 11, 4), 10, 2), noord, verwijzer="wijkteam", wachtend_na=7),
        voorgesteld=D(2025, 1, 13),
        start=reeks(D(2025, 2, 3), 10, 2),
        einde=[D(2025, 12, 15)] * 5 + [None] * 5,
        doel="",
    )
    # Ten end on the last day of the third quarter, five on the first of the fourth.
    ha = p.vraaggezinnen(reeks(D(2025, 5, 1), 15, 2), zuid, wachtend_na=7)
    g["HA"] = p.koppelingen(
        ha,
        voorgesteld=D(2025, 6, 16),
        start=[D(2025, 7, 7) + datetime.timedelta(days=i % 5) for i in range(15)],
        einde=[D(2025, 9, 30)] * 10 + [D(2025, 10, 1)] * 5,
        reden=["doel_bereikt"] * 5 + ["verhuisd"] * 5 + ["oud"] * 5,
        doel=["ja"] * 5 + ["nee"] * 5 + ["deels"] * 5,
        daarna=["afgesloten"] * 5 + ["wachtend"] * 10,
    )
    g["HC"] = p.koppelingen(
        p.vraaggezinnen(reeks(D(2025, 6, 2), 10, 2), noord, wachtend_na=7),
        voorgesteld=D(2025, 7, 14),
        start=[D(2025, 8, 4) + datetime.timedelta(days=i % 4) for i in range(10)],
        einde=D(2025, 10, 20),
        reden=["klik"] * 5 + ["anders"] * 5,
        doel=["nee"] * 5 + [""] * 5,
        kinderen=[False, False] + [True] * 8,
    )
    # Two registered only after their start (a wait of 0, not less), sent by
    # a huisarts: the only two of the year, a hidden cell.
    hb = [
        *p.vraaggezinnen(reeks(D(2025, 8, 1), 8, 3), noord, wachtend_na=7),
        *p.vraaggezinnen([D(2025, 10, 20)] * 2, noord, verwijzer="huisarts", registered=False),
    ]
    # Proposals that ended before a start: proposed, never started nor ended,
    # and the wait of the koppeling after them counts from the registration.
    g["mislukt"] = p.koppelingen(
        hb[:5], voorgesteld=D(2025, 8, 25), einde=D(2025, 9, 5), reden="klik"
    )
    g["HB"] = p.koppelingen(
        hb,
        voorgesteld=D(2025, 9, 15),
        start=[D(2025, 10, 6) + datetime.timedelta(days=i % 3) for i in range(10)],
        einde=[D(2026, 1, 30)] * 5 + [None] * 5,
    )
    # Five end on 31 December, five on 1 January.
    g["HD"] = p.koppelingen(
        p.vraaggezinnen(reeks(D(2025, 9, 1), 10, 2), noord, wachtend_na=7),
        voorgesteld=D(2025, 10, 13),
        start=[D(2025, 11, 3) + datetime.timedelta(days=i % 5) for i in range(10)],
        einde=[D(2025, 12, 31)] * 5 + [D(2026, 1, 1)] * 5,
    )
    # A second koppeling: the wait counts from the end of the first (1 October).
    g["HA2"] = p.koppelingen(ha[10:], voorgesteld=D(2025, 10, 15), start=D(2025, 11, 17))
    # Proposed in Hengelo, moved to Enschede, started there: Hengelo's koppeling.
    g["HF"] = p.koppelingen(
        p.vraaggezinnen(
            reeks(D(2025, 10, 1), 10, 2),
            noord,
            wachtend_na=7,
            moves=[(D(2026, 1, 5), centrum)],
        ),
        voorgesteld=D(2025, 12, 8),
        start=[D(2026, 1, 12) + datetime.timedelta(days=i % 3) for i in range(10)],
    )
    g["HP"] = p.koppelingen(
        p.vraaggezinnen(reeks(D(2025, 12, 1), 3), zuid, wachtend_na=7, no_history=True),
        voorgesteld=D(2025, 12, 15),
    )

    # Koppelingen in Enschede.
    g["EA"] = p.koppelingen(
        p.vraaggezinnen(reeks(D(2025, 8, 11), 10, 2), centrum, wachtend_na=7),
        voorgesteld=D(2025, 9, 22),
        start=[D(2025, 10, 13) + datetime.timedelta(days=i % 4) for i in range(10)],
        einde=[D(2025, 12, 31)] * 5 + [D(2026, 1, 1)] * 5,
        reden=["doel_bereikt"] * 5 + ["verhuisd"] * 5,
        doel=["ja"] * 5 + ["nee"] * 5,
    )
    # After their first koppeling in Hengelo ended on 30 September they moved
    # to Enschede: the second is Enschede's, the wait counts from 30 September.
    p.move(ha[5:10], D(2025, 10, 10), centrum)
    g["EW"] = p.koppelingen(ha[5:10], voorgesteld=D(2025, 10, 20), start=D(2025, 11, 10))
    # Moved from Hengelo to Enschede before the proposal.
    g["EM"] = p.koppelingen(
        p.vraaggezinnen(
            reeks(D(2025, 9, 15), 5), noord, wachtend_na=7, moves=[(D(2025, 11, 1), centrum)]
        ),
        voorgesteld=D(2025, 11, 10),
        start=D(2025, 11, 24),
    )
    g["EP"] = p.koppelingen(
        p.vraaggezinnen([D(2025, 12, 8)] * 2, centrum, wachtend_na=3),
        voorgesteld=D(2025, 12, 15),
    )
    # Without a wijk.
    g["ZA"] = p.koppelingen(
        p.vraaggezinnen(reeks(D(2025, 9, 1), 5), None, wachtend_na=7),
        voorgesteld=D(2025, 10, 1),
        start=D(2025, 10, 20),
    )

    # Check-ins, on both sides of the turn of the year.
    p.contact(g["HA"], D(2025, 9, 30))
    p.contact(g["HB"], D(2025, 12, 31))
    p.contact(g["HB"], D(2026, 1, 1))
    p.contact(g["HD"], D(2025, 11, 20))
    p.contact(g["HF"], D(2026, 1, 26))
    p.contact(g["EA"], D(2025, 11, 14))
    p.contact(g["EA"][5:8], D(2026, 1, 1))
    p.contact(g["EW"], D(2025, 12, 1))
    p.contact(g["ZA"], D(2025, 11, 5))

    # Twelve evaluations in Hengelo in November: 5,0 and 1,0 on average (shown
    # as "4,9 of hoger" and "1,1 of lager"), 3,25 (half up: 3,3), and a
    # question the steungezinnen answered only nine times.
    for index, koppeling in enumerate([*g["HB"], *g["HD"][:2]]):
        steun = scores(
            contact=1, afspraken=4, kinderen=5 if index < 2 else 4, ontlasting=5 if index < 3 else 4
        )
        if index >= 9:
            del steun["afspraken"]
        p.evaluatie(
            koppeling,
            D(2025, 11, 17) + datetime.timedelta(days=index),
            scores(
                contact=5,
                afspraken=4 if index < 3 else 3,
                kinderen=4 if index < 6 else 3,
                ontlasting=2 if index < 7 else 3,
            ),
            steun,
        )
    # Ten in January: 4,9 and 1,1 are shown as they are.
    for index, koppeling in enumerate(g["HB"]):
        p.evaluatie(
            koppeling,
            D(2026, 1, 15),
            scores(contact=5 if index else 4),
            scores(contact=1 if index else 2),
        )
    for koppeling in g["EA"][5:8]:
        p.evaluatie(koppeling, D(2026, 1, 1), scores(contact=3), scores(contact=3))

    # Hours. The week of Monday 29 September counts in September, that of
    # Monday 29 December in December. January has general hours only.
    kees = UserFactory(organisatie=organisatie, first_name="Kees")
    q4_weeks = mondays(D(2025, 9, 29), D(2025, 12, 29))
    p.uren(coordinator, q4_weeks, "Hengelo", "6.5")
    p.uren(coordinator, q4_weeks, "Enschede", "3.0")
    p.uren(coordinator, q4_weeks, "", "2.5")
    p.uren(kees, mondays(D(2025, 11, 3), D(2025, 11, 24)), "Hengelo", "1.5")
    p.uren(coordinator, [D(2025, 1, 6)], "Hengelo", "10.0")
    p.uren(coordinator, [D(2025, 7, 7)], "Enschede", "4.0")
    p.uren(coordinator, [D(2025, 7, 7)], "", "1.5")
    p.uren(coordinator, mondays(D(2026, 1, 5), D(2026, 1, 26)), "", "4.0")
    spring = mondays(D(2026, 2, 2), D(2026, 3, 30))
    p.uren(coordinator, spring, "Hengelo", "5.0")
    p.uren(coordinator, spring, "Enschede", "2.0")
    p.uren(coordinator, spring, "", "2.0")

    # The other organisation works in a wijk Noord in Hengelo too.
    elders = Programma(other_organisatie, outsider)
    hun_noord = WijkFactory(organisatie=other_organisatie, naam="Noord", gemeente="Hengelo")
    EindReden.objects.create(organisatie=other_organisatie, code="oud", tekst="oud", actief=True)
    elders.pool = elders.steungezinnen(
        reeks(D(2025, 10, 6), 5),
        hun_noord,
        stappen=[(om(D(2025, 10, 13)), "in_screening"), (om(D(2025, 11, 3)), "beschikbaar")],
    )
    elders.vraaggezinnen(reeks(D(2025, 10, 6), 5), hun_noord, wachtend_na=7)
    hunne = elders.koppelingen(
        elders.vraaggezinnen(reeks(D(2025, 8, 4), 5), hun_noord, wachtend_na=7),
        voorgesteld=D(2025, 9, 15),
        start=D(2025, 10, 6),
        einde=D(2025, 12, 31),
        reden="oud",
    )
    elders.contact(hunne, D(2025, 12, 31))
    for koppeling in hunne:
        elders.evaluatie(koppeling, D(2025, 11, 20), scores(contact=1), scores(contact=1))
    elders.uren(outsider, q4_weeks, "Hengelo", "40.0")
    elders.uren(outsider, q4_weeks, "", "10.0")

    return Dataset(organisatie, {"Noord": noord, "Zuid": zuid, "Centrum": centrum}, g)


# The definitions -------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """A figure as the report should print it; ``instead`` is what hiding
    (complementary suppression) may print in its place."""

    waarde: str
    getal: int | Decimal | None
    instead: str | None = None

    def matches(self, regel) -> bool:
        if (regel.waarde, regel.getal) == (self.waarde, self.getal):
            return True
        return self.instead is not None and (regel.waarde, regel.getal) == (self.instead, None)


def dutch(value, places: int = 0) -> str:
    """1.234,5 (the value is rounded already)."""
    text = f"{Decimal(value):,.{places}f}"
    return text.translate(str.maketrans(",.", ".,"))


def half_up(value: Fraction, places: int = 0) -> Decimal:
    return Decimal(math.floor(value * 10**places + Fraction(1, 2))).scaleb(-places)


def count(n: int, *, sure: bool = True) -> Expected:
    """A count: 1 to 4 is hidden."""
    if 0 < n < 5:
        return Expected(HIDDEN, None)
    return Expected(dutch(n), n, None if sure else HIDDEN)


def state(n: int, *, sure: bool = True) -> Expected:
    """A count of a state: rounded to 5, small ones too (1 and 2 show as 0)."""
    shown = 5 * ((n + 2) // 5)
    return Expected(dutch(shown), shown, None if sure else HIDDEN)


def over_time(days, vak: Tijdvak) -> Expected:
    """A count over the period: exact when no month under it is hidden, as
    then no hidden month can be worked out from it."""
    per_month = Counter((day.year, day.month) for day in days if day in vak)
    return count(sum(per_month.values()), sure=all(n >= 5 for n in per_month.values()))


def breakdown(onderdeel: str, total: Expected, counts: dict[str, int]) -> dict:
    """A breakdown of a count over time: small cells are hidden, and next to
    them others may be (when the total is shown)."""
    small = any(0 < n < 5 for n in counts.values())
    sure = total.instead is None and (total.waarde == HIDDEN or not small)
    return {(onderdeel, label): count(n, sure=sure) for label, n in counts.items()}


def state_breakdown(counts: dict[str, int]) -> tuple[Expected, dict[str, Expected]]:
    """Rounded cells; only when total minus the rest leaves a small count one
    value may cells be hidden."""

    def bounds(n):
        shown = 5 * ((n + 2) // 5)
        return max(0, shown - 2), shown + 2

    total_low, total_high = bounds(sum(counts.values()))
    pinned = False
    for key, n in counts.items():
        if 0 < n < 5:
            rest = [bounds(m) for k, m in counts.items() if k != key]
            low = max(bounds(n)[0], total_low - sum(hi for _, hi in rest))
            high = min(bounds(n)[1], total_high - sum(lo for lo, _ in rest))
            pinned |= low >= high
    sure = not pinned
    cells = {key: state(n, sure=sure or n == 0) for key, n in counts.items()}
    return state(sum(counts.values()), sure=sure), cells


def mean(values: list[int]) -> Fraction:
    return Fraction(sum(values), len(values))


def median(values: list[int]) -> Fraction:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[middle])
    return Fraction(ordered[middle - 1] + ordered[middle], 2)


def averaged(pairs, vak: Tijdvak) -> tuple[list[int], bool] | None:
    """The values of the period when there are 10 or more, and whether no
    month under it has fewer than 10 (then it cannot be hidden)."""
    values = [(day, value) for day, value in pairs if day in vak]
    if len(values) < 10:
        return None
    per_month = Counter((day.year, day.month) for day, _ in values)
    return [value for _, value in values], all(n >= 10 for n in per_month.values())


def weeks(pairs, vak: Tijdvak, how) -> Expected:
    found = averaged(pairs, vak)
    if found is None:
        return Expected(TOO_FEW, None)
    values, sure = found
    shown = half_up(how(values) / 7)
    return Expected(dutch(shown), shown, None if sure else TOO_FEW)


def satisfaction(pairs, vak: Tijdvak) -> Expected:
    found = averaged(pairs, vak)
    if found is None:
        return Expected(TOO_FEW, None)
    values, sure = found
    shown = half_up(mean(values), 1)
    if shown == 5:
        result = Expected("4,9 of hoger", None)
    elif shown == 1:
        result = Expected("1,1 of lager", None)
    else:
        result = Expected(dutch(shown, 1), shown)
    return result if sure else replace(result, instead=TOO_FEW)


def ratio(amount: Fraction, divisor: Expected, shown) -> Expected:
    """An amount per shown count; none when the count is hidden or 0."""
    if not divisor.getal:
        return Expected(TOO_FEW, None)
    result = shown(amount / divisor.getal)
    return replace(result, instead=TOO_FEW) if divisor.instead else result


def hours(value: Fraction) -> Expected:
    shown = half_up(value, 1)
    return Expected(dutch(shown, 1), shown)


def euros(value: Fraction) -> Expected:
    shown = half_up(value)
    return Expected(f"€ {dutch(shown)}", shown)


class Facts:
    """The organisation's data read back plainly: where each family lived
    from which day, its status steps as dates in Amsterdam, its koppelingen."""

    def __init__(self, organisatie: Organisatie):
        self.organisatie = organisatie
        self.wijken = {w.pk: w for w in Wijk.objects.filter(organisatie=organisatie)}
        self.gemeenten = sorted({w.gemeente for w in self.wijken.values()})
        self.history = defaultdict(list)
        for row in WijkPeriode.objects.filter(gezin__organisatie=organisatie).order_by("vanaf"):
            self.history[row.gezin_id].append(row)
        self.current = dict(
            Gezin.objects.filter(organisatie=organisatie).values_list("pk", "wijk_id")
        )
        self.steps = defaultdict(list)
        for step in Statuswijziging.objects.filter(gezin__organisatie=organisatie).order_by(
            "op", "pk"
        ):
            self.steps[step.gezin_id].append((step.op.astimezone(AMSTERDAM).date(), step.naar))
        self.vraaggezinnen = list(Vraaggezin.objects.filter(organisatie=organisatie))
        self.aangemeld = {gezin.pk: gezin.aangemeld_op for gezin in self.vraaggezinnen}
        self.steungezinnen = list(Steungezin.objects.filter(organisatie=organisatie))
        self.koppelingen = list(
            Koppeling.objects.filter(organisatie=organisatie).prefetch_related("kinderen")
        )
        self.contacten = list(Contactmoment.objects.filter(koppeling__organisatie=organisatie))
        self.evaluaties = list(Evaluatie.objects.filter(koppeling__organisatie=organisatie))
        self.uren = list(CoordinatieUren.objects.filter(organisatie=organisatie))
        self.redenen = list(EindReden.objects.filter(organisatie=organisatie))

    def wijk(self, gezin_id: int, day: datetime.date) -> Wijk | None:
        rows = self.history[gezin_id]
        if not rows:
            return self.wijken.get(self.current[gezin_id])
        lived = [row for row in rows if row.vanaf <= day] or rows[:1]
        return self.wijken.get(lived[-1].wijk_id)

    def cell(self, gezin_id: int, day: datetime.date, gebied: str) -> str | None:
        """Where the family counts on that day: its wijk, or in the report over
        all gemeenten its gemeente; None outside the gebied."""
        wijk = self.wijk(gezin_id, day)
        if gebied == ALLE:
            return wijk.gemeente if wijk else "zonder wijk"
        if gebied == ZONDER:
            return None if wijk else "zonder wijk"
        return wijk.naam if wijk and wijk.gemeente == gebied else None

    def status(self, gezin_id: int, day: datetime.date) -> str | None:
        on_or_before = [naar for step_day, naar in self.steps[gezin_id] if step_day <= day]
        return on_or_before[-1] if on_or_before else None

    def first(self, gezin_id: int, naar: str) -> datetime.date | None:
        return next((day for day, step in self.steps[gezin_id] if step == naar), None)

    def earlier_ends(self, koppeling: Koppeling) -> list[datetime.date]:
        return [
            other.einde_op
            for other in self.koppelingen
            if other.vraaggezin_id == koppeling.vraaggezin_id
            and other.pk != koppeling.pk
            and other.start_op
            and other.einde_op
            and other.einde_op <= koppeling.start_op
        ]


def runs(koppeling: Koppeling, vak: Tijdvak) -> bool:
    return koppeling.start_op <= vak.end and not (
        koppeling.einde_op and koppeling.einde_op < vak.start
    )


def expected_figures(facts: Facts, gebied: str, vak: Tijdvak) -> dict[tuple[str, str], Expected]:
    """Every figure of the report by its definition."""
    figures: dict[tuple[str, str], Expected] = {}
    jaarrapport = vak.soort == "jaar"
    per = "gemeente" if gebied == ALLE else "wijk"
    if gebied == ALLE:
        keys = [*facts.gemeenten, "zonder wijk"]
    elif gebied == ZONDER:
        keys = ["zonder wijk"]
    else:
        keys = sorted(w.naam for w in facts.wijken.values() if w.gemeente == gebied)

    def here(gezin_id: int, day: datetime.date) -> bool:
        return facts.cell(gezin_id, day, gebied) is not None

    def on_end_date(gezinnen, wanted) -> dict[str, int]:
        found = Counter(
            facts.cell(gezin.pk, vak.end, gebied)
            for gezin in gezinnen
            if facts.status(gezin.pk, vak.end) in wanted
        )
        return {key: found[key] for key in keys}

    # Vraaggezinnen
    aangemeld = [
        gezin
        for gezin in facts.vraaggezinnen
        if gezin.aangemeld_op in vak and here(gezin.pk, gezin.aangemeld_op)
    ]
    vraag_totaal = over_time([gezin.aangemeld_op for gezin in aangemeld], vak)
    figures["Vraaggezinnen", "aangemeld"] = vraag_totaal
    wachtend, cells = state_breakdown(on_end_date(facts.vraaggezinnen, WAITING))
    figures["Vraaggezinnen", "wachtend op een steungezin op de einddatum"] = wachtend
    for key, cel in cells.items():
        figures[f"Vraaggezinnen wachtend op de einddatum, per {per}", key] = cel
    if jaarrapport:
        verwijzers = Counter(gezin.verwijzer_soort or "onbekend" for gezin in aangemeld)
        labels = dict(Vraaggezin.Verwijzer.choices)
        if verwijzers["onbekend"]:
            labels["onbekend"] = "onbekend"
        figures |= breakdown(
            "Aanmeldingen naar verwijzer",
            vraag_totaal,
            {label: verwijzers[code] for code, label in labels.items()},
        )
        waar = Counter(facts.cell(gezin.pk, gezin.aangemeld_op, gebied) for gezin in aangemeld)
        figures |= breakdown(
            f"Aanmeldingen naar {per}", vraag_totaal, {key: waar[key] for key in keys}
        )

    # Steungezinnen
    steun_aangemeld = [
        gezin
        for gezin in facts.steungezinnen
        if gezin.aangemeld_op in vak and here(gezin.pk, gezin.aangemeld_op)
    ]
    steun_totaal = over_time([gezin.aangemeld_op for gezin in steun_aangemeld], vak)
    figures["Steungezinnen", "aangemeld"] = steun_totaal
    for naar, omschrijving in (
        ("in_screening", "voor het eerst in screening genomen"),
        ("beschikbaar", "voor het eerst goedgekeurd"),
    ):
        days = [
            day
            for gezin in facts.steungezinnen
            if (day := facts.first(gezin.pk, naar)) and here(gezin.pk, day)
        ]
        figures["Steungezinnen", omschrijving] = over_time(days, vak)
    beschikbaar, cells = state_breakdown(on_end_date(facts.steungezinnen, {"beschikbaar"}))
    figures["Steungezinnen", "beschikbaar op de einddatum"] = beschikbaar
    for key, cel in cells.items():
        figures[f"Steungezinnen beschikbaar op de einddatum, per {per}", key] = cel
    if jaarrapport:
        waar = Counter(
            facts.cell(gezin.pk, gezin.aangemeld_op, gebied) for gezin in steun_aangemeld
        )
        figures |= breakdown(
            f"Steungezinnen aangemeld, per {per}", steun_totaal, {key: waar[key] for key in keys}
        )

    # Koppelingen: each in the gemeente of the vraaggezin on the day of the proposal.
    mine = [k for k in facts.koppelingen if here(k.vraaggezin_id, k.voorgesteld_op)]
    started = [k for k in mine if k.start_op]
    ended = [k for k in started if k.einde_op in vak]
    figures["Koppelingen", "voorgesteld"] = over_time([k.voorgesteld_op for k in mine], vak)
    gestart = over_time([k.start_op for k in started], vak)
    figures["Koppelingen", "gestart"] = gestart
    beeindigd = over_time([k.einde_op for k in ended], vak)
    figures["Koppelingen", "beëindigd"] = beeindigd
    # The running count is hidden only when it would give a hidden start or
    # end away: with none hidden in this year and the one before, it is exact.
    two_years = (vak.jaar - 1, vak.jaar)
    flows = [
        Counter((day.year, day.month) for day in days if day.year in two_years)
        for days in ([k.start_op for k in started], [k.einde_op for k in started if k.einde_op])
    ]
    lopend = state(
        sum(1 for k in started if runs(k, vak)),
        sure=all(n >= 5 for flow in flows for n in flow.values()),
    )
    figures["Koppelingen", "lopend in de periode"] = lopend
    if jaarrapport:
        used = Counter(k.einde_reden for k in ended)
        figures |= breakdown(
            "Beëindigd naar reden",
            beeindigd,
            {r.tekst: used[r.code] for r in facts.redenen if r.actief or used[r.code]},
        )
        outcome = Counter(k.doel_bereikt for k in ended)
        figures |= breakdown(
            "Beëindigd naar uitkomst",
            beeindigd,
            {
                "doel bereikt": outcome["ja"],
                "doel deels bereikt": outcome["deels"],
                "doel niet bereikt": outcome["nee"],
                "niet vastgelegd": outcome[""],
            },
        )

    # Wachttijd en duur
    waits = []
    for k in started:
        earlier = facts.earlier_ends(k)
        since = max(earlier) if earlier else facts.aangemeld[k.vraaggezin_id]
        waits.append((k.start_op, max(0, (k.start_op - since).days)))
    durations = [(k.einde_op, (k.einde_op - k.start_op).days) for k in ended]
    for pairs, wat in (
        (waits, "wachttijd tot de start"),
        (durations, "duur van beëindigde koppelingen"),
    ):
        for how, soort in ((mean, "gemiddeld"), (median, "mediaan")):
            figures["Wachttijd en duur", f"{wat}, {soort} (weken)"] = weeks(pairs, vak, how)

    # Bereik and Evaluaties
    kinderen = {kind.pk for k in started if runs(k, vak) for kind in k.kinderen.all()}
    figures["Bereik", "kinderen bereikt"] = state(len(kinderen))
    ids = {k.pk for k in mine}
    figures["Bereik", "contactmomenten"] = over_time(
        [c.datum for c in facts.contacten if c.koppeling_id in ids], vak
    )
    evaluaties = [e for e in facts.evaluaties if e.koppeling_id in ids]
    figures["Evaluaties", "evaluaties gehouden"] = over_time([e.datum for e in evaluaties], vak)
    for key, tekst in EVALUATIEVRAGEN:
        for side, wie in (("vraag_scores", "vraaggezinnen"), ("steun_scores", "steungezinnen")):
            given = [
                (e.datum, getattr(e, side)[key]) for e in evaluaties if key in getattr(e, side)
            ]
            figures["Tevredenheid (1–5)", f"{tekst} ({wie})"] = satisfaction(given, vak)

    # Coördinatie: a week counts in the period of its Monday.
    own: dict[str, Fraction] = defaultdict(Fraction)
    general = Fraction(0)
    for regel in facts.uren:
        if regel.week in vak:
            if regel.gemeente:
                own[regel.gemeente] += Fraction(regel.uren)
            else:
                general += Fraction(regel.uren)
    names = sorted(set(facts.gemeenten) | set(own))
    own_total = sum(own.values(), Fraction(0))

    def share(naam: str) -> Fraction:
        return general * own[naam] / own_total if own_total else general / len(names)

    c = "Coördinatie"
    if gebied == ALLE:
        figures[c, "uren voor een gemeente"] = hours(own_total)
        figures[c, "algemene uren"] = hours(general)
        total = own_total + general
        for naam in names:
            figures["Uren per gemeente", naam] = hours(own[naam] + share(naam))
    else:
        figures[c, "uren voor deze gemeente"] = hours(own[gebied])
        figures[c, "aandeel in de algemene uren"] = hours(share(gebied))
        total = own[gebied] + share(gebied)
    figures[c, "coördinatie-uren totaal"] = hours(total)
    figures[c, "uren per lopende koppeling"] = ratio(total, lopend, hours)
    tarief = facts.organisatie.uurtarief
    if tarief is None:
        figures[c, "kosten"] = Expected("geen uurtarief vastgelegd", None)
    else:
        kosten = total * Fraction(tarief)
        figures[c, "uurtarief"] = Expected(f"€ {dutch(tarief, 2)}", tarief)
        figures[c, "kosten coördinatie"] = euros(kosten)
        figures[c, "kosten per lopende koppeling"] = ratio(kosten, lopend, euros)
        figures[c, "kosten per nieuwe koppeling"] = ratio(kosten, gestart, euros)
    return figures


# The organisation's breakdowns by gemeente: each cell is this figure of that
# gemeente's own report.
PER_GEMEENTE = {
    "Aanmeldingen naar gemeente": ("Vraaggezinnen", "aangemeld"),
    "Steungezinnen aangemeld, per gemeente": ("Steungezinnen", "aangemeld"),
    "Steungezinnen beschikbaar op de einddatum, per gemeente": (
        "Steungezinnen",
        "beschikbaar op de einddatum",
    ),
    "Vraaggezinnen wachtend op de einddatum, per gemeente": (
        "Vraaggezinnen",
        "wachtend op een steungezin op de einddatum",
    ),
}


def expected_for(facts: Facts, gebied: str, vak: Tijdvak) -> dict[tuple[str, str], Expected]:
    """As ``expected_figures``; for the organisation, a figure is shown only
    where every gemeente (and the families without a wijk, as one more part)
    shows its own, since the organisation's figure minus the other parts
    would give a hidden part away."""
    figures = expected_figures(facts, gebied, vak)
    if gebied != ALLE:
        return figures
    parts = {naam: expected_figures(facts, naam, vak) for naam in [*facts.gemeenten, ZONDER]}
    for key, want in figures.items():
        onderdeel, omschrijving = key
        if onderdeel in ("Coördinatie", "Uren per gemeente"):
            continue
        if onderdeel in PER_GEMEENTE:
            of = [parts[omschrijving][PER_GEMEENTE[onderdeel]]]
        else:
            of = [part[key] for part in parts.values() if key in part]
        if any(p.waarde == HIDDEN for p in of):
            figures[key] = Expected(HIDDEN, None)
        elif any(p.instead == HIDDEN for p in of) and want.waarde != HIDDEN:
            figures[key] = Expected(want.waarde, want.getal, HIDDEN)
        elif any(p.waarde == TOO_FEW for p in of) and want.waarde != TOO_FEW:
            figures[key] = Expected(want.waarde, want.getal, TOO_FEW)
    running = figures["Koppelingen", "lopend in de periode"]
    started = figures["Koppelingen", "gestart"]
    for deler, rows in (
        (running, ("uren per lopende koppeling", "kosten per lopende koppeling")),
        (started, ("kosten per nieuwe koppeling",)),
    ):
        for row in rows:
            if ("Coördinatie", row) not in figures or (deler.instead is None and deler.getal):
                continue
            want = figures["Coördinatie", row]
            figures["Coördinatie", row] = (
                Expected(TOO_FEW, None)
                if deler.getal is None
                else Expected(want.waarde, want.getal, TOO_FEW)
            )
    return figures


def differences(rapport, expected: dict, where: str) -> list[str]:
    keys = Counter((r.onderdeel, r.omschrijving) for r in rapport.regels)
    problems = [f"{where}: {key} twice" for key, n in keys.items() if n > 1]
    found = {(r.onderdeel, r.omschrijving): r for r in rapport.regels}
    for key, regel in found.items():
        want = expected.get(key)
        if want is None:
            problems.append(f"{where}: {key} = {regel.waarde!r} is not a figure it should have")
        elif not want.matches(regel):
            problems.append(
                f"{where}: {key} = {regel.waarde!r} ({regel.getal!r}), expected "
                f"{want.waarde!r} ({want.getal!r})"
                + (f" or {want.instead!r}" if want.instead else "")
            )
    problems += [f"{where}: {key} is missing" for key in expected.keys() - found.keys()]
    return problems


def report(organisatie, gebied: str, vak: Tijdvak):
    return gemeenterapportage(organisatie, gebied, vak.periode())


def values(rapport) -> dict[tuple[str, str], str]:
    return {(r.onderdeel, r.omschrijving): r.waarde for r in rapport.regels}


# Every figure ----------------------------------------------------------------

# Every description of these onderdelen, each checked at least once below.
COVERED = {
    "Vraaggezinnen": {"aangemeld", "wachtend op een steungezin op de einddatum"},
    "Steungezinnen": {
        "aangemeld",
        "voor het eerst in screening genomen",
        "voor het eerst goedgekeurd",
        "beschikbaar op de einddatum",
    },
    "Koppelingen": {"voorgesteld", "gestart", "beëindigd", "lopend in de periode"},
    "Wachttijd en duur": {
        f"{wat}, {soort} (weken)"
        for wat in ("wachttijd tot de start", "duur van beëindigde koppelingen")
        for soort in ("gemiddeld", "mediaan")
    },
    "Bereik": {"kinderen bereikt", "contactmomenten"},
    "Evaluaties": {"evaluaties gehouden"},
    "Coördinatie": {
        "uren voor deze gemeente",
        "aandeel in de algemene uren",
        "uren voor een gemeente",
        "algemene uren",
        "coördinatie-uren totaal",
        "uren per lopende koppeling",
        "uurtarief",
        "kosten coördinatie",
        "kosten per lopende koppeling",
        "kosten per nieuwe koppeling",
        "kosten",
    },
}


def test_every_figure_follows_its_definition(dataset):
    organisatie = dataset.organisatie
    facts = Facts(organisatie)
    problems, checked, exact, total = [], set(), 0, 0
    rapporten = {}
    for gebied in GEBIEDEN:
        for vak in TIJDVAKKEN:
            rapport = rapporten[gebied, vak] = report(organisatie, gebied, vak)
            expected = expected_for(facts, gebied, vak)
            problems += differences(rapport, expected, f"{gebied} {vak}")
            checked |= expected.keys()
            exact += sum(1 for e in expected.values() if e.instead is None)
            total += len(expected)
    # Without a tarief the report says so instead of the costs.
    organisatie.uurtarief = None
    organisatie.save(update_fields=["uurtarief"])
    facts = Facts(Organisatie.objects.get(pk=organisatie.pk))
    expected = expected_figures(facts, "Hengelo", JAN_2026)
    problems += differences(
        report(facts.organisatie, "Hengelo", JAN_2026), expected, "Hengelo zonder tarief"
    )
    checked |= expected.keys()
    assert problems == []
    for onderdeel, omschrijvingen in COVERED.items():
        assert omschrijvingen <= {o for section, o in checked if section == onderdeel}
    # Most figures are exact, not "this or hidden"; the organisation's inherit
    # the uncertainty of each of their parts.
    assert exact > 0.85 * total

    # The cases the dataset was made for, worked out by hand.
    shown = {key: values(rapport) for key, rapport in rapporten.items()}
    hengelo_q4, hengelo_jan = shown["Hengelo", Q4_2025], shown["Hengelo", JAN_2026]
    # S1 went into screening at 00:30 on 1 October: the fourth quarter (13 in
    # October with S2 and S6, S4's 5 in November).
    assert hengelo_q4["Steungezinnen", "voor het eerst in screening genomen"] == "18"
    # S2 was approved at 23:30 UTC on 31 December: in January, not December.
    assert shown["Hengelo", DEC_2025]["Steungezinnen", "voor het eerst goedgekeurd"] == "0"
    assert hengelo_jan["Steungezinnen", "voor het eerst goedgekeurd"] == "5"
    # S3 was approved again in January: it counts once, in November.
    assert shown["Enschede", Q1_2026]["Steungezinnen", "voor het eerst goedgekeurd"] == "0"
    # On 31 December V3 still waited (withdrawn at 00:30 on 1 January): with
    # V2 (moved in) and EP 12 in Enschede, rounded 10; on 31 January 7, rounded 5.
    wachtend = ("Vraaggezinnen", "wachtend op een steungezin op de einddatum")
    assert shown["Enschede", DEC_2025][wachtend] == "10"
    assert shown["Enschede", JAN_2026][wachtend] == "5"
    # Two proposals in December in Enschede: hidden.
    assert shown["Enschede", DEC_2025]["Koppelingen", "voorgesteld"] == HIDDEN
    # HF was proposed in Hengelo and started in January after moving to Enschede.
    assert hengelo_jan["Koppelingen", "gestart"] == "10"
    assert shown["Enschede", JAN_2026]["Koppelingen", "gestart"] == "0"
    # The koppelingen that ended on 30 September do not run in the fourth
    # quarter, those of 1 October do: HE 10, HA 5, HC 10, HB 10, HD 10, HA2 5.
    assert hengelo_q4["Koppelingen", "lopend in de periode"] == "50"
    # HD ended on 31 December (5) and 1 January (5), HB on 30 January (5).
    assert hengelo_jan["Koppelingen", "beëindigd"] == "10"
    # The retired reason used in 2025 is there; the one used in 2024 only is not.
    hengelo_2025 = shown["Hengelo", JAAR_2025]
    assert hengelo_2025["Beëindigd naar reden", "naar een ander programma"] == "5"
    assert ("Beëindigd naar reden", "vervallen reden") not in hengelo_2025
    afspraken = ("Tevredenheid (1–5)", "Het nakomen van de afspraken (vraaggezinnen)")
    assert hengelo_2025[afspraken] == "3,3"
    # The week of Monday 29 September is September's: 13 weeks of 6,5 and 4 of 1,5.
    assert hengelo_q4["Coördinatie", "uren voor deze gemeente"] == "90,5"
    # January has general hours only: half for each gemeente.
    assert hengelo_jan["Coördinatie", "aandeel in de algemene uren"] == "8,0"


# The page and the downloads ---------------------------------------------------


@dataclass
class Rij:
    onderdeel: str
    omschrijving: str = ""
    waarde: str = ""
    toelichting: str = ""


class FigureTables(HTMLParser):
    """The figures of the report as HTML shows them: per row its section (the
    h2 above it), description, value and definition (the row's
    div.toelichting, or else the section's p.toelichting)."""

    def __init__(self, html: str):
        super().__init__()
        self.rijen: list[Rij] = []
        self.uitleg: dict[str, str] = {}
        self._onderdeel = ""
        self._rij: Rij | None = None
        self._cell = -1
        self._into: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "h2":
            self._onderdeel, self._into = "", "onderdeel"
        elif tag == "p" and "toelichting" in classes:
            self.uitleg[self._onderdeel], self._into = "", "uitleg"
        elif tag == "tr":
            self._rij, self._cell = Rij(self._onderdeel), -1
        elif tag == "td" and self._rij:
            self._cell += 1
            self._into = "omschrijving" if self._cell == 0 else "waarde"
        elif tag == "div" and "toelichting" in classes and self._rij:
            self._into = "toelichting"

    def handle_endtag(self, tag):
        if tag in ("h2", "p", "td", "div"):
            self._into = None
        if tag == "tr" and self._rij and self._cell >= 1:
            self.rijen.append(self._rij)
            self._rij = None

    def handle_data(self, data):
        if self._into == "onderdeel":
            self._onderdeel += data.strip()
        elif self._into == "uitleg":
            self.uitleg[self._onderdeel] += data.strip()
        elif self._into and self._rij:
            setattr(self._rij, self._into, getattr(self._rij, self._into) + data.strip())

    def figures(self) -> list[tuple[str, str, str]]:
        return [(r.onderdeel, r.omschrijving, r.waarde) for r in self.rijen]

    def without_definition(self) -> list[Rij]:
        return [r for r in self.rijen if not (r.toelichting or self.uitleg.get(r.onderdeel))]


def pdf_row(omschrijving: str, waarde: str) -> re.Pattern:
    """A row as pdftotext lays it out: the description, then the value at the
    right; a value that wraps goes on at the right of the next line."""
    wrap = r"(?: +| *\n[^\n]*? +)"
    value = wrap.join(re.escape(word) for word in waarde.split())
    return re.compile(rf"^ *{re.escape(omschrijving)} +{value} *$", re.MULTILINE)


def test_page_pdf_csv_and_xlsx_carry_the_figures_of_the_report(
    client, dataset, coordinator, monkeypatch
):
    rapport = report(dataset.organisatie, "Hengelo", JAAR_2025)
    figures = [(r.onderdeel, r.omschrijving, r.waarde) for r in rapport.regels]
    assert {HIDDEN, TOO_FEW, "4,9 of hoger"} <= {waarde for _, _, waarde in figures}
    client.force_login(coordinator)
    url = reverse("reports:gemeente")
    params = {"gemeente": "Hengelo", **JAAR_2025.params}

    page = FigureTables(client.get(url, params).text)
    assert page.figures() == figures
    assert page.without_definition() == []

    rendered = []
    real = views.render_to_pdf

    def keep(template, context):
        rendered.append(real(template, context))
        return rendered[-1]

    monkeypatch.setattr(views, "render_to_pdf", keep)
    response = client.get(url, {**params, "formaat": "pdf"})
    assert response.content == rendered[0].pdf
    pdf_html = FigureTables(rendered[0].html)
    assert pdf_html.figures() == figures
    assert pdf_html.without_definition() == []
    # The PDF itself: each figure on its own line, in the report's order.
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    position = 0
    for _, omschrijving, waarde in figures:
        found = pdf_row(omschrijving, waarde).search(text, position)
        assert found, (omschrijving, waarde)
        position = found.end()

    response = client.get(url, {**params, "formaat": "csv"})
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header = dict(lines[: lines.index([])])
    assert header["Gemeente"] == "gemeente Hengelo"
    assert header["Periode"].startswith("2025: van 1 januari 2025 tot en met 31 december 2025")
    table = lines[lines.index([]) + 1 :]
    assert table[0] == ["onderdeel", "omschrijving", "waarde", "toelichting"]
    assert [tuple(line[:3]) for line in table[1:]] == figures
    assert all(line[3] for line in table[1:])

    response = client.get(url, {**params, "formaat": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    start = rows.index(("onderdeel", "omschrijving", "waarde", "toelichting"))
    assert ("Gemeente", "gemeente Hengelo") in [row[:2] for row in rows[:start]]
    cells = rows[start + 1 :]
    assert [(row[0], row[1]) for row in cells] == [
        (r.onderdeel, r.omschrijving) for r in rapport.regels
    ]
    for row, regel in zip(cells, rapport.regels, strict=True):
        if regel.getal is None:
            assert row[2] == regel.waarde
        else:
            assert isinstance(row[2], int | float), row
            assert row[2] == float(regel.getal), row
        assert row[3]
    assert any(isinstance(row[2], float) and not row[2].is_integer() for row in cells)


# A move ------------------------------------------------------------------------


def test_a_move_today_leaves_the_past_periods_as_they_were(dataset, coordinator):
    """Families that move now, through the page's service, count where they
    lived then in every report of a period before today."""
    organisatie = dataset.organisatie
    before = {
        (gebied, vak): report(organisatie, gebied, vak).regels
        for gebied in GEBIEDEN
        for vak in TIJDVAKKEN
    }
    noord, centrum = dataset.wijken["Noord"], dataset.wijken["Centrum"]
    g = dataset.groepen
    moving = [
        (g["V1"][0], centrum),  # waiting in Noord
        (g["V8"][0], noord),  # moved to Enschede in February, now back
        (g["S1"][0], centrum),  # available in Noord
        (g["HB"][6].vraaggezin, centrum),  # a running koppeling of Hengelo
        (g["EA"][0].vraaggezin, noord),  # an ended koppeling of Enschede
        (g["ZA"][0].vraaggezin, noord),  # without a wijk
    ]
    for gezin, wijk in moving:
        current = type(gezin).objects.get(pk=gezin.pk)
        gezin_wijzigen(
            door=coordinator, gezin=current, versie=current.versie, gegevens={"wijk": wijk}
        )
    moved = {(gezin.pk, wijk.pk) for gezin, wijk in moving}
    assert (
        set(Gezin.objects.filter(pk__in=[g.pk for g, _ in moving]).values_list("pk", "wijk"))
        == moved
    )
    assert set(WijkPeriode.objects.filter(vanaf=today()).values_list("gezin", "wijk")) == moved
    after = {
        (gebied, vak): report(organisatie, gebied, vak).regels
        for gebied in GEBIEDEN
        for vak in TIJDVAKKEN
    }
    assert after == before


def test_a_move_today_of_a_family_without_history_leaves_the_past_as_it_was(dataset, coordinator):
    organisatie = dataset.organisatie
    before = {vak: report(organisatie, "Hengelo", vak).regels for vak in TIJDVAKKEN}
    for koppeling in dataset.groepen["HP"]:  # proposed in December, in Zuid
        current = Vraaggezin.objects.get(pk=koppeling.vraaggezin_id)
        gezin_wijzigen(
            door=coordinator,
            gezin=current,
            versie=current.versie,
            gegevens={"wijk": dataset.wijken["Centrum"]},
        )
    assert {vak: report(organisatie, "Hengelo", vak).regels for vak in TIJDVAKKEN} == before
