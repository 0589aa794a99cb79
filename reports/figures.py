"""The municipality's period report: anonymous figures for one organisation,
one gemeente (or all of them together) and one whole calendar month, quarter
or year. Every figure carries its definition (``Regel.toelichting``), in the
words the report prints.

Figures at the time they happened
=================================

Every figure is worked out from the situation on the dates that matter, as
dates in Europe/Amsterdam: a family counts in the gemeente of the wijk it
lived in on that day (``WijkPeriode``), a status is the one it had at the end
of that day (``Statuswijziging``). A koppeling belongs to the gemeente where
the vraaggezin lived on the day it was proposed, for its whole life, so that
it starts, runs and ends in the same report. A move never changes the figures
of a period before it. A wijk that is moved to another gemeente in the back
office takes its history with it.

How the figures are kept from pointing to a family
===================================================

What an attacker is assumed to have: every report the municipality can get
(every month, quarter and year, for every gemeente and the organisation as a
whole, as page, PDF, CSV or Excel), the knowledge of how the figures add up (a
quarter is its three months, a year its four quarters and its twelve months, a
breakdown adds up to its total, the running koppelingen of a period are those
of the period before minus the ended ones plus the started ones), and the fact
that a 0 is always printed, so that a hidden count is at least 1.

1. **Whole periods only.** A report covers a calendar month, quarter or year
   that has ended. No day-by-day periods: moving one day revealed one family;
   a running period is a moving one too.

2. **Small counts are hidden** ("×"): every count from 1 to 4. A 0 is shown.

3. **Hidden counts are protected against "total minus the rest"** (secondary
   or complementary suppression). Hidden cells that a known sum ties together
   form a *group*; a group is safe when it is empty, or has at least two
   cells that sum to at least 5 and to more than their number.

   - *Over time*, bottom-up (``_tijdreeks``): a month hides only its own small
     counts. A quarter shows its count only when the hidden months under it
     form a safe group; otherwise the quarter is hidden as well, and its
     hidden months move up to the year, which applies the same rule.
   - *Within a breakdown* (``Verdeling``): the breakdowns by referrer, by wijk
     (or gemeente), by end reason and by outcome are in the **year report
     only**; next to the hidden small cells the smallest shown cells are
     hidden until the group is safe, or the breakdown is withheld.

4. **Counts of a state** — koppelingen running in the period, children
   reached, steungezinnen available and vraaggezinnen waiting on the end
   date, and their breakdown by wijk — are rounded to a multiple of 5, small
   ones too (0 to 2 show as 0, 3 to 7 as 5), instead of hidden. Shown
   exactly, two of them with the flows between them would give a hidden flow
   back: the koppelingen running in February minus those running in January
   plus those ended in January are the ones started in February. Rounded,
   such a difference leaves at least two values, except when roundings happen
   to be at their extremes; ``_standen_afschermen`` looks for that over this
   year and the one before (every pair of running counts, and every hidden
   count of koppelingen started or ended that pairs tie down, worked out as
   linear algebra, the bounds of all pairs together) and hides ("×") the
   running counts that would give it away. A hidden small count would itself
   say "1 to 4" and could not be hidden any further: that is why small counts
   of a state are rounded, not hidden. Within a breakdown of rounded counts the
   same is checked for "total minus the rest" (``_standverdeling``). Ratios
   to a rounded count are taken to the rounded count, so that they give no
   more away.

5. **Averages** are shown only over at least 10 koppelingen or evaluations,
   rounded (waiting time and duration in whole weeks, satisfaction to one
   decimal), and over time under the same bottom-up rule as counts. A
   satisfaction average at the end of the scale (1,0 or 5,0) would say what
   every family answered: it is shown as "1,1 of lager" or "4,9 of hoger".

6. **The organisation report** adds up its gemeenten and its families
   without a wijk. Its figure minus the other gemeenten' figures would be a
   hidden gemeente's figure, so it shows a figure only where every part shows
   its own (``_zoals_de_delen``); then it tells nothing the parts do not.

7. **Hours and costs** are about the organisation's own work, not about
   families, and are shown exactly. Hours that are not for one gemeente are
   split in proportion to the gemeenten's own hours (not to any count of
   families, which would then be given away by the split).

What this does not guarantee:

- Figures linked in ways other than adding up or the running balance of
  koppelingen (counts on a day of two successive periods can be subtracted;
  the difference mixes families that came and went and is not published).
- Combinations of more than two running counts with bounds on several hidden
  counts at once (what a linear-programming attacker could try); the check
  covers the pairs.
- Data entered or corrected after a report was made changes that report: the
  two versions can be compared.
"""

from __future__ import annotations

import copy
import datetime
import math
import statistics
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

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
from matching.models import (
    EVALUATIEVRAGEN,
    Contactmoment,
    CoordinatieUren,
    EindReden,
    Evaluatie,
    Koppeling,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KLEIN = 5  # counts from 1 to KLEIN - 1 are hidden
AFRONDING = 5  # counts of a state are rounded to a multiple of this
MIN_GEMIDDELD = 10  # an average needs at least this many cases
VERBORGEN = "×"
TE_WEINIG = "te weinig gegevens"
ALLE_GEMEENTEN = "*"  # the organisation report: every gemeente, and families without a wijk
ZONDER_WIJK = "zonder wijk"
ONBEKEND = "onbekend"
WACHTEND = (Vraaggezin.Status.AANGEMELD, Vraaggezin.Status.INTAKE, Vraaggezin.Status.WACHTEND)

MAANDEN = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]

LEGENDA = (
    "Alle cijfers zijn anoniem. Een × staat voor een aantal dat niet getoond wordt: 1 tot 4 "
    "gezinnen, of een aantal waaruit anders een klein aantal terug te rekenen is. Aantallen "
    "op een dag, lopende koppelingen en kinderen zijn afgerond op 5: een 0 is dan 0 tot 2, "
    "een 5 is 3 tot 7. Een gemiddelde staat er alleen bij 10 of meer gevallen."
)


# Dutch formats ---------------------------------------------------------------


def getal(value: int | Decimal | float, places: int = 0) -> str:
    """A number as a Dutch reader writes it: 1.234,5."""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def bedrag(value: Decimal, places: int = 0) -> str:
    return f"€ {getal(value, places)}"


def datum(day: datetime.date) -> str:
    return f"{day.day} {MAANDEN[day.month - 1]} {day.year}"


def dag(moment: datetime.datetime) -> datetime.date:
    """The date in the Netherlands of a moment stored in UTC."""
    return timezone.localtime(moment, AMSTERDAM).date()


# Periods ---------------------------------------------------------------------


@dataclass(frozen=True)
class Periode:
    """A whole calendar month, quarter or year: nothing in between."""

    start: datetime.date
    end: datetime.date  # inclusive

    def __post_init__(self):
        if self.soort is None:
            raise ValueError(f"Geen hele maand, kwartaal of jaar: {self.start} t/m {self.end}")

    @classmethod
    def maand(cls, year: int, month: int) -> Periode:
        return cls(datetime.date(year, month, 1), _last_day(year, month))

    @classmethod
    def kwartaal(cls, year: int, quarter: int) -> Periode:
        return cls(datetime.date(year, 3 * quarter - 2, 1), _last_day(year, 3 * quarter))

    @classmethod
    def jaar(cls, year: int) -> Periode:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def alle(cls, year: int) -> list[Periode]:
        """The year, its quarters and its months."""
        return [
            cls.jaar(year),
            *(cls.kwartaal(year, q) for q in range(1, 5)),
            *(cls.maand(year, m) for m in range(1, 13)),
        ]

    @property
    def soort(self) -> str | None:
        start, end = self.start, self.end
        if start.day != 1 or end != _last_day(end.year, end.month) or start.year != end.year:
            return None
        months = end.month - start.month + 1
        if months == 1:
            return "maand"
        if months == 3 and start.month % 3 == 1:
            return "kwartaal"
        if months == 12:
            return "jaar"
        return None

    @property
    def label(self) -> str:
        if self.soort == "maand":
            return f"{MAANDEN[self.start.month - 1]} {self.start.year}"
        if self.soort == "kwartaal":
            return f"{self.end.month // 3}e kwartaal {self.start.year}"
        return str(self.start.year)

    @property
    def van_tot(self) -> str:
        return f"van {datum(self.start)} tot en met {datum(self.end)}"

    def delen(self) -> list[Periode]:
        """The periods this one adds up from: a quarter's months, a year's quarters."""
        if self.soort == "kwartaal":
            return [
                Periode.maand(self.start.year, m)
                for m in range(self.start.month, self.end.month + 1)
            ]
        if self.soort == "jaar":
            return [Periode.kwartaal(self.start.year, q) for q in range(1, 5)]
        return []

    def __contains__(self, day: datetime.date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def _last_day(year: int, month: int) -> datetime.date:
    first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - datetime.timedelta(days=1)


# Cells and their protection ---------------------------------------------------


def _veilig(groep: list[int]) -> bool:
    """Hidden counts that a known sum ties together can each still take two
    values, and their sum is no small count."""
    return not groep or (len(groep) >= 2 and sum(groep) >= KLEIN and sum(groep) > len(groep))


def _afgerond(aantal: int) -> int:
    return AFRONDING * int(Decimal(aantal / AFRONDING).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass
class Cel:
    """One count of the report, with whether it may be shown and how."""

    aantal: int
    verborgen: bool = False
    afgerond: bool = False  # a count of a state: shown rounded to AFRONDING

    @classmethod
    def klein_verborgen(cls, aantal: int) -> Cel:
        return cls(aantal, 0 < aantal < KLEIN)

    @classmethod
    def stand(cls, aantal: int) -> Cel:
        """A count of a state: rounded, so that small counts need no hiding
        (1 and 2 show as 0, 3 to 7 as 5)."""
        return cls(aantal, afgerond=True)

    @property
    def getoond(self) -> int | None:
        if self.verborgen:
            return None
        return _afgerond(self.aantal) if self.afgerond else self.aantal

    @property
    def waarde(self) -> str:
        return VERBORGEN if self.verborgen else getal(self.getoond)

    def interval(self) -> tuple[float, float]:
        """The true count as far as someone who reads the cell can tell."""
        if self.verborgen:
            if self.afgerond:
                return 0, math.inf  # hidden for protection: says nothing
            return (1, KLEIN - 1) if self.aantal < KLEIN else (1, math.inf)
        shown = self.getoond
        if not self.afgerond:
            return shown, shown
        half = AFRONDING // 2
        return max(0, shown - half), shown + half


def _maand(day: datetime.date) -> tuple[int, int]:
    return day.year, day.month


def _in_de_tijd(per_maand: Counter, periode: Periode) -> Cel:
    """A count over the period that adds up from its months; see rule 3."""
    aantal, verborgen, _ = _tijdreeks(per_maand, periode)
    return Cel(aantal, verborgen)


def _tijdreeks(per_maand: Counter, periode: Periode) -> tuple[int, bool, list[int]]:
    """The count, whether it is hidden, and the hidden months under it that no
    shown period accounts for (those an attacker can only know the sum of)."""
    if periode.soort == "maand":
        aantal = per_maand[_maand(periode.start)]
        verborgen = 0 < aantal < KLEIN
        return aantal, verborgen, [aantal] if verborgen else []
    delen = [_tijdreeks(per_maand, deel) for deel in periode.delen()]
    aantal = sum(deel[0] for deel in delen)
    vrij = [n for _, deel_verborgen, groep in delen if deel_verborgen for n in groep]
    verborgen = 0 < aantal < KLEIN or not _veilig(vrij)
    return aantal, verborgen, vrij if verborgen else []


def _gemiddeld_in_de_tijd(per_maand: dict, periode: Periode) -> list[float] | None:
    """The values of the period when their average may be shown; see rule 5."""
    values, shown, _ = _gemiddelde_reeks(per_maand, periode)
    return values if shown else None


def _gemiddelde_reeks(per_maand: dict, periode: Periode) -> tuple[list[float], bool, int]:
    """The values, whether their average is shown, and how many cases sit in
    sub-periods whose average is hidden (what differencing would cover)."""
    if periode.soort == "maand":
        values = per_maand.get(_maand(periode.start), [])
        shown = len(values) >= MIN_GEMIDDELD
        return values, shown, 0 if shown else len(values)
    delen = [_gemiddelde_reeks(per_maand, deel) for deel in periode.delen()]
    values = [v for deel in delen for v in deel[0]]
    vrij = sum(n for _, deel_shown, n in delen if not deel_shown)
    shown = len(values) >= MIN_GEMIDDELD and (vrij == 0 or vrij >= MIN_GEMIDDELD)
    return values, shown, 0 if shown else vrij


def _rond(value: float, places: int = 0) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass
class Verdeling:
    """One breakdown of a count over time: cells that add up to a total that
    an attacker knows or can work out. Protected on its own (rule 3)."""

    totaal: Cel
    cellen: dict[str, Cel]
    totaal_vast: bool = True  # the total is fixed elsewhere: hiding it here would not help

    @classmethod
    def van(cls, totaal: Cel, aantallen: dict[str, int], totaal_vast: bool = True) -> Verdeling:
        verdeling = cls(
            totaal, {k: Cel.klein_verborgen(n) for k, n in aantallen.items()}, totaal_vast
        )
        verdeling.afschermen()
        return verdeling

    def afschermen(self) -> None:
        cellen = list(self.cellen.values())
        while True:
            hidden = [c.aantal for c in cellen if c.verborgen]
            if self.totaal.verborgen:
                if hidden or not any(c.aantal for c in cellen):
                    return  # the cells cannot give the total away
            elif _veilig(hidden):
                return
            shown = sorted(
                (c for c in cellen if not c.verborgen and c.aantal), key=lambda c: c.aantal
            )
            if shown:
                shown[0].verborgen = True
            elif not self.totaal_vast:
                self.totaal.verborgen = True
            else:
                for cel in cellen:
                    cel.verborgen = True  # withheld as a whole
                return


def _standverdeling(aantallen: dict[str, int]) -> tuple[Cel, dict[str, Cel]]:
    """A count on a day and its breakdown, all rounded (rule 4); the smallest
    shown cells are hidden as long as "total minus the rest" pins a hidden one."""
    totaal = Cel.stand(sum(aantallen.values()))
    cellen = {key: Cel.stand(n) for key, n in aantallen.items()}
    while _vastgepind(totaal, list(cellen.values())):
        shown = sorted(
            (c for c in cellen.values() if not c.verborgen and c.aantal), key=lambda c: c.aantal
        )
        if not shown:
            totaal.verborgen = True
            break
        shown[0].verborgen = True
    return totaal, cellen


def _vastgepind(totaal: Cel, cellen: list[Cel]) -> bool:
    """Does the total, with the bounds of the other cells, leave a small (or
    hidden) cell only one value?"""
    if totaal.verborgen:
        return False  # the total is unknown: nothing to subtract from
    low, high = totaal.interval()
    for cel in cellen:
        if cel.verborgen and not cel.afgerond:
            pass  # a hidden count: it must keep two values
        elif not 0 < cel.aantal < KLEIN:
            continue  # only small counts need protecting
        rest = [c.interval() for c in cellen if c is not cel]
        cel_low, cel_high = cel.interval()
        bottom = max(cel_low, low - sum(hi for _, hi in rest))
        top = min(cel_high, high - sum(lo for lo, _ in rest))
        if bottom >= top:
            return True
    return False


# The running balance of koppelingen (rule 4) ---------------------------------

_PRIEM = (1 << 61) - 1  # linear algebra modulo a prime: exact, and fast enough


class _Span:
    """The linear combinations of the figures an attacker knows exactly, in
    reduced row echelon form, so that ``reduce`` gives one residue per class."""

    def __init__(self):
        self.rows: dict[int, list[int]] = {}

    def reduce(self, vector: list[int]) -> tuple[int, ...]:
        v = [x % _PRIEM for x in vector]
        for pivot, row in self.rows.items():
            if factor := v[pivot]:
                v = [(a - factor * b) % _PRIEM for a, b in zip(v, row, strict=True)]
        return tuple(v)

    def add(self, vector: list[int]) -> None:
        row = list(self.reduce(vector))
        pivot = next((i for i, x in enumerate(row) if x), None)
        if pivot is None:
            return
        inverse = pow(row[pivot], _PRIEM - 2, _PRIEM)
        row = [x * inverse % _PRIEM for x in row]
        for other, other_row in self.rows.items():
            if factor := other_row[pivot]:
                self.rows[other] = [
                    (a - factor * b) % _PRIEM for a, b in zip(other_row, row, strict=True)
                ]
        self.rows[pivot] = row


def _standen_afschermen(
    jaar: int,
    lopend: dict[Periode, Cel],
    gestart: dict[Periode, Cel],
    beeindigd: dict[Periode, Cel],
    carry_bekend: bool,
) -> None:
    """Hide running counts of ``jaar`` that, with another running count of
    this year or the year before and the shown flows, leave a hidden count of
    started or ended koppelingen only one value. The cells cover both years;
    those of the year before are taken as published (the worst case)."""
    eerste = jaar - 1
    size = 49  # started per month (24), ended per month (24), the carry-in

    def index(day: datetime.date) -> int:
        return (day.year - eerste) * 12 + day.month - 1

    def stroom(periode: Periode, kant: int) -> list[int]:
        v = [0] * size
        for i in range(index(periode.start), index(periode.end) + 1):
            v[24 * kant + i] = 1
        return v

    def stand(periode: Periode) -> list[int]:
        v = [0] * size
        v[48] = 1
        for i in range(index(periode.end) + 1):
            v[i] = 1
        for i in range(index(periode.start)):
            v[24 + i] = -1
        return v

    span = _Span()
    if carry_bekend:
        span.add([0] * 48 + [1])
    hidden = []
    for kant, cellen in enumerate((gestart, beeindigd)):
        for periode, cel in cellen.items():
            if cel.verborgen:
                hidden.append((stroom(periode, kant), cel))
            else:
                span.add(stroom(periode, kant))
    # A pair (a, b) ties a target down when residue a − residue b is the
    # target's. A linear fingerprint of each residue finds the b for each a
    # with one lookup instead of a 49-number subtraction; the residues are then
    # compared in full, so a collision of fingerprints changes nothing.
    weights = [pow(3, i + 1, _PRIEM) for i in range(size)]

    def fingerprint(residue: tuple[int, ...]) -> int:
        return sum(x * w for x, w in zip(residue, weights, strict=True)) % _PRIEM

    targets = []
    for vector, cel in hidden:
        residue = span.reduce(vector)
        targets.append((residue, cel, fingerprint(residue)))
    standen = []
    for periode, cel in lopend.items():
        residue = span.reduce(stand(periode))
        standen.append((periode, residue, cel, fingerprint(residue)))
    zero = (None, tuple([0] * size), Cel(0), 0)
    while True:
        items = [zero, *(item for item in standen if item[2].interval()[1] < math.inf)]
        by_fingerprint = defaultdict(list)
        for item in items:
            by_fingerprint[item[3]].append(item)
        culprit = None
        for residue, cel, target_print in targets:
            low, high = cel.interval()
            pairs = []  # (width of what the pair alone leaves, the pair)
            for a in items:
                for b in by_fingerprint.get((a[3] - target_print) % _PRIEM, []):
                    if b is a or any(
                        (x - y - z) % _PRIEM for x, y, z in zip(a[1], residue, b[1], strict=True)
                    ):
                        continue
                    # cel = stand a - stand b + (what the shown flows give)
                    known = cel.aantal - (a[2].aantal - b[2].aantal)
                    a_low, a_high = a[2].interval()
                    b_low, b_high = b[2].interval()
                    pair_low = max(cel.interval()[0], a_low - b_high + known)
                    pair_high = min(cel.interval()[1], a_high - b_low + known)
                    low, high = max(low, pair_low), min(high, pair_high)
                    pairs.append((pair_high - pair_low, a[0], b[0]))
            if low < high:
                continue
            # Hide this year's latest running count of the pair that says most.
            for _, *pair in sorted(pairs, key=lambda item: item[0]):
                mine = [
                    p
                    for p in pair
                    if p is not None and p.start.year == jaar and not lopend[p].verborgen
                ]
                if mine:
                    culprit = max(mine, key=lambda p: (p.end, p.start))
                    break
            if culprit:
                break
        if culprit is None:
            return
        lopend[culprit].verborgen = True


# The report ------------------------------------------------------------------


@dataclass
class Regel:
    """One figure of the report, as it may be shown."""

    onderdeel: str
    omschrijving: str
    waarde: str  # as printed: Dutch number, ×, or "te weinig gegevens"
    getal: int | Decimal | None = None  # the number as shown, for a spreadsheet
    toelichting: str = ""
    aantal: int | None = None  # a count as shown, for the bar charts; None when hidden


@dataclass
class Rapport:
    organisatie: Organisatie
    gemeente: str  # a gemeente, or ALLE_GEMEENTEN
    periode: Periode
    gemaakt_op: datetime.date = field(default_factory=today)
    regels: list[Regel] = field(default_factory=list)
    uitleg: dict[str, str] = field(default_factory=dict)  # per breakdown: what it counts
    # The number of cases behind each average: never shown, only compared.
    gevallen: dict[tuple[str, str], int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def gebied(self) -> str:
        if self.gemeente == ALLE_GEMEENTEN:
            return "alle gemeenten"
        return f"gemeente {self.gemeente}"

    @property
    def met_verdelingen(self) -> bool:
        return self.periode.soort == "jaar"

    def add(self, onderdeel: str, omschrijving: str, cel: Cel, toelichting: str = "") -> None:
        shown = cel.getoond
        self.regels.append(Regel(onderdeel, omschrijving, cel.waarde, shown, toelichting, shown))

    def add_verdeling(
        self, onderdeel: str, cellen: dict[str, Cel], labels: dict[str, str], uitleg: str
    ) -> None:
        self.uitleg[onderdeel] = uitleg
        for key, cel in cellen.items():
            self.add(onderdeel, labels.get(key, key), cel)

    def add_value(
        self,
        onderdeel: str,
        omschrijving: str,
        waarde: str,
        getal: int | Decimal | None,
        toelichting: str,
    ) -> None:
        self.regels.append(Regel(onderdeel, omschrijving, waarde, getal, toelichting))

    def onderdelen(self) -> list[tuple[str, str, list[Regel]]]:
        order: dict[str, list[Regel]] = {}
        for regel in self.regels:
            order.setdefault(regel.onderdeel, []).append(regel)
        return [(naam, self.uitleg.get(naam, ""), regels) for naam, regels in order.items()]

    def toelichting(self, regel: Regel) -> str:
        return regel.toelichting or self.uitleg.get(regel.onderdeel, "")


@dataclass
class _Koppeling:
    pk: int
    vraaggezin_id: int
    voorgesteld_op: datetime.date
    start_op: datetime.date | None
    einde_op: datetime.date | None
    einde_reden: str
    doel_bereikt: str
    wijk: Wijk | None  # of the vraaggezin on the day of the proposal


class _Gegevens:
    """What the report counts for one organisation, read once: where each
    family lived when, its status steps, its koppelingen."""

    def __init__(self, organisatie: Organisatie, gemeente: str | None):
        self.gemeente = gemeente
        self.wijken = {w.pk: w for w in Wijk.objects.filter(organisatie=organisatie)}
        self._vanaf: dict[int, list[datetime.date]] = defaultdict(list)
        self._wijk_ids: dict[int, list[int | None]] = defaultdict(list)
        periodes = WijkPeriode.objects.filter(gezin__organisatie=organisatie).order_by(
            "gezin_id", "vanaf"
        )
        for gezin_id, wijk_id, vanaf in periodes.values_list("gezin_id", "wijk_id", "vanaf"):
            self._vanaf[gezin_id].append(vanaf)
            self._wijk_ids[gezin_id].append(wijk_id)
        self._wijk_nu = dict(
            Gezin.objects.filter(organisatie=organisatie).values_list("pk", "wijk_id")
        )
        self.stappen: dict[int, list[tuple[datetime.date, str]]] = defaultdict(list)
        steps = Statuswijziging.objects.filter(gezin__organisatie=organisatie).order_by(
            "gezin_id", "op", "pk"
        )
        for gezin_id, naar, op in steps.values_list("gezin_id", "naar", "op"):
            self.stappen[gezin_id].append((dag(op), naar))
        self.vraag = list(
            Vraaggezin.objects.filter(organisatie=organisatie).values_list(
                "pk", "aangemeld_op", "verwijzer_soort", "status"
            )
        )
        self.steun = list(
            Steungezin.objects.filter(organisatie=organisatie).values_list(
                "pk", "aangemeld_op", "status"
            )
        )
        self.alle_koppelingen = [
            _Koppeling(*row, wijk=self.wijk(row[1], row[2]))
            for row in Koppeling.objects.filter(organisatie=organisatie).values_list(
                "pk",
                "vraaggezin_id",
                "voorgesteld_op",
                "start_op",
                "einde_op",
                "einde_reden",
                "doel_bereikt",
            )
        ]
        self.koppelingen = [k for k in self.alle_koppelingen if self.telt(k.wijk)]

    def voor(self, gemeente: str | None) -> _Gegevens:
        """The same data, counted for another gemeente (or ZONDER_WIJK, or all)."""
        deel = copy.copy(self)
        deel.gemeente = gemeente
        deel.koppelingen = [k for k in self.alle_koppelingen if deel.telt(k.wijk)]
        return deel

    def wijk(self, gezin_id: int, day: datetime.date) -> Wijk | None:
        """The family's wijk on that day (before its first recorded day, the first)."""
        vanaf = self._vanaf.get(gezin_id)
        if not vanaf:
            return self.wijken.get(self._wijk_nu.get(gezin_id))
        index = max(0, bisect_right(vanaf, day) - 1)
        return self.wijken.get(self._wijk_ids[gezin_id][index])

    def telt(self, wijk: Wijk | None) -> bool:
        if self.gemeente == ZONDER_WIJK:
            return wijk is None
        return self.gemeente is None or (wijk is not None and wijk.gemeente == self.gemeente)

    def hier(self, gezin_id: int, day: datetime.date) -> bool:
        return self.telt(self.wijk(gezin_id, day))

    def wijknaam(self, gezin_id: int, day: datetime.date) -> str:
        """The breakdown key: the wijk in a gemeente report, the gemeente in
        the organisation report."""
        wijk = self.wijk(gezin_id, day)
        if wijk is None:
            return ZONDER_WIJK
        return wijk.gemeente if self.gemeente is None else wijk.naam

    def status_op(self, gezin_id: int, day: datetime.date) -> str | None:
        """The status at the end of that day, by the recorded steps."""
        steps = [naar for d, naar in self.stappen.get(gezin_id, []) if d <= day]
        return steps[-1] if steps else None

    def eerste(self, gezin_id: int, naar: str) -> datetime.date | None:
        return next((d for d, step in self.stappen.get(gezin_id, []) if step == naar), None)


def _per_maand(days) -> Counter:
    return Counter(_maand(day) for day in days)


def _waarden_per_maand(pairs) -> dict:
    per_maand: dict = defaultdict(list)
    for day, value in pairs:
        per_maand[_maand(day)].append(value)
    return per_maand


def gemeenterapportage(organisatie: Organisatie, gemeente: str, periode: Periode) -> Rapport:
    """The report for one gemeente, or for ALLE_GEMEENTEN: the organisation."""
    if gemeente != ALLE_GEMEENTEN:
        return _rapport(organisatie, gemeente, periode, _Gegevens(organisatie, gemeente))
    g = _Gegevens(organisatie, None)  # read once, counted for each part
    rapport = _rapport(organisatie, gemeente, periode, g)
    delen = {
        naam: _rapport(organisatie, naam, periode, g.voor(naam))
        for naam in [*sorted({w.gemeente for w in g.wijken.values()}), ZONDER_WIJK]
    }
    _zoals_de_delen(rapport, delen)
    return rapport


# The organisation's breakdowns by gemeente, and the figure of each
# gemeente's own report that each of their cells is.
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


def _zoals_de_delen(rapport: Rapport, delen: dict[str, Rapport]) -> None:
    """An organisation's figure is the sum of its gemeenten's figures and
    those of its families without a wijk. Shown where one of those parts is
    hidden, it would give the hidden part away (total minus the rest, across
    reports): so it is shown only when every part is shown in its own report
    (the families without a wijk as if they had one), and then it tells
    nothing the parts do not. Hours are about the organisation's own work."""
    regels = {
        naam: {(r.onderdeel, r.omschrijving): r for r in deel.regels}
        for naam, deel in delen.items()
    }
    for regel in rapport.regels:
        if regel.onderdeel in ("Coördinatie", "Uren per gemeente"):
            continue
        if regel.onderdeel in PER_GEMEENTE:
            key = PER_GEMEENTE[regel.onderdeel]
            namen = [regel.omschrijving] if regel.omschrijving in regels else []
        else:
            key = (regel.onderdeel, regel.omschrijving)
            namen = list(regels)
        parts = [(naam, regels[naam][key]) for naam in namen if key in regels[naam]]
        if any(part.waarde == VERBORGEN for _, part in parts):
            regel.waarde, regel.getal, regel.aantal = VERBORGEN, None, None
        elif regel.waarde != TE_WEINIG and any(
            part.waarde == TE_WEINIG and delen[naam].gevallen.get(key) for naam, part in parts
        ):
            regel.waarde, regel.getal = TE_WEINIG, None
    figures = {(r.onderdeel, r.omschrijving): r for r in rapport.regels}
    for deler, afgeleid in (
        ("lopend in de periode", ("uren per lopende koppeling", "kosten per lopende koppeling")),
        ("gestart", ("kosten per nieuwe koppeling",)),
    ):
        if figures[("Koppelingen", deler)].getal is None:
            for omschrijving in afgeleid:
                if regel := figures.get(("Coördinatie", omschrijving)):
                    regel.waarde, regel.getal = TE_WEINIG, None


def _rapport(organisatie: Organisatie, gemeente: str, periode: Periode, g: _Gegevens) -> Rapport:
    """The figures of one gemeente, of the families without a wijk
    (ZONDER_WIJK), or of the whole organisation (ALLE_GEMEENTEN, before
    ``_zoals_de_delen``)."""
    rapport = Rapport(organisatie, gemeente, periode)
    alle = gemeente == ALLE_GEMEENTEN
    jaar = periode.start.year
    start, end = periode.start, periode.end
    van_tot = periode.van_tot
    woonden = "bij de organisatie bekend waren" if alle else f"in de gemeente {gemeente} woonden"
    op_einde = f"op {datum(end)}"
    if alle:
        sleutels = [*sorted({w.gemeente for w in g.wijken.values()}), ZONDER_WIJK]
    elif gemeente == ZONDER_WIJK:
        sleutels = [ZONDER_WIJK]
    else:
        sleutels = sorted(w.naam for w in g.wijken.values() if w.gemeente == gemeente)
    per_wat = "gemeente" if alle else "wijk"

    def tel(days) -> Cel:
        return _in_de_tijd(_per_maand(day for day in days if day.year == jaar), periode)

    # Vraaggezinnen ------------------------------------------------------------
    aangemeld = [
        (pk, day, soort) for pk, day, soort, _ in g.vraag if day.year == jaar and g.hier(pk, day)
    ]
    totaal = tel(day for _, day, _ in aangemeld)
    rapport.add(
        "Vraaggezinnen",
        "aangemeld",
        totaal,
        f"Vraaggezinnen met een aanmelddatum {van_tot} die op die dag {woonden}. "
        "Elk gezin telt één keer.",
    )
    wachtend = Counter(
        g.wijknaam(pk, end)
        for pk, _, _, _ in g.vraag
        if g.status_op(pk, end) in WACHTEND and g.hier(pk, end)
    )
    wacht_totaal, wacht_cellen = _standverdeling({k: wachtend[k] for k in sleutels})
    rapport.add(
        "Vraaggezinnen",
        "wachtend op een steungezin op de einddatum",
        wacht_totaal,
        f"Vraaggezinnen die {op_einde} nog op een steungezin wachtten (aangemeld, in intake of "
        f"wachtend) en toen {woonden}. Afgerond op 5 (0 is 0 tot 2).",
    )
    if rapport.met_verdelingen:
        verwijzers = Counter(soort or ONBEKEND for _, _, soort in aangemeld)
        labels = dict(Vraaggezin.Verwijzer.choices)
        keys = [*Vraaggezin.Verwijzer.values, ONBEKEND]
        if not verwijzers[ONBEKEND]:
            keys.remove(ONBEKEND)
        rapport.add_verdeling(
            "Aanmeldingen naar verwijzer",
            Verdeling.van(totaal, {v: verwijzers[v] for v in keys}).cellen,
            labels,
            "De vraaggezinnen aangemeld in het jaar, naar wie hen verwees.",
        )
        wijken = Counter(g.wijknaam(pk, day) for pk, day, _ in aangemeld)
        rapport.add_verdeling(
            f"Aanmeldingen naar {per_wat}",
            Verdeling.van(totaal, _keys(sleutels, wijken)).cellen,
            {},
            f"De vraaggezinnen aangemeld in het jaar, naar de {per_wat} waar zij toen woonden.",
        )

    # Steungezinnen ------------------------------------------------------------
    steun_aangemeld = [(pk, day) for pk, day, _ in g.steun if day.year == jaar and g.hier(pk, day)]
    steun_totaal = tel(day for _, day in steun_aangemeld)
    rapport.add(
        "Steungezinnen",
        "aangemeld",
        steun_totaal,
        f"Gezinnen die zich {van_tot} als steungezin aanmeldden en toen {woonden}.",
    )
    for naar, omschrijving, uitleg in (
        (
            Steungezin.Status.IN_SCREENING,
            "voor het eerst in screening genomen",
            "voor het eerst in screening gingen (VOG, gesprekken, referenties)",
        ),
        (
            Steungezin.Status.BESCHIKBAAR,
            "voor het eerst goedgekeurd",
            "na de screening voor het eerst beschikbaar werden",
        ),
    ):
        dagen = [
            day
            for pk, _, _ in g.steun
            if (day := g.eerste(pk, naar)) and day.year == jaar and g.hier(pk, day)
        ]
        rapport.add(
            "Steungezinnen",
            omschrijving,
            tel(dagen),
            f"Steungezinnen die {van_tot} {uitleg}, geteld in de gemeente waar zij toen "
            "woonden. Elk gezin telt één keer, ook als het later opnieuw gescreend wordt.",
        )
    beschikbaar = Counter(
        g.wijknaam(pk, end)
        for pk, _, _ in g.steun
        if g.status_op(pk, end) == Steungezin.Status.BESCHIKBAAR and g.hier(pk, end)
    )
    steun_stand, steun_cellen = _standverdeling({k: beschikbaar[k] for k in sleutels})
    rapport.add(
        "Steungezinnen",
        "beschikbaar op de einddatum",
        steun_stand,
        f"Steungezinnen die {op_einde} goedgekeurd en beschikbaar waren (ook als ze toen al "
        f"gekoppeld waren) en toen {woonden}. Afgerond op 5 (0 is 0 tot 2).",
    )

    # Koppelingen --------------------------------------------------------------
    gebied_koppeling = (
        "Een koppeling telt in de gemeente waar het vraaggezin woonde op de dag van het "
        "voorstel, haar hele looptijd."
    )
    koppelingen = g.koppelingen
    gestart = [k for k in koppelingen if k.start_op and k.start_op.year == jaar]
    beeindigd = [k for k in koppelingen if k.start_op and k.einde_op and k.einde_op.year == jaar]
    rapport.add(
        "Koppelingen",
        "voorgesteld",
        tel(k.voorgesteld_op for k in koppelingen),
        f"Koppelingen die {van_tot} zijn voorgesteld, ook als ze daarna niet doorgingen. "
        + gebied_koppeling,
    )
    gestart_cel = tel(k.start_op for k in gestart)
    rapport.add(
        "Koppelingen",
        "gestart",
        gestart_cel,
        f"Koppelingen met een startdatum {van_tot}. {gebied_koppeling}",
    )
    lopend_cellen = _lopend(g, jaar)
    lopend = lopend_cellen[periode]
    rapport.add(
        "Koppelingen",
        "lopend in de periode",
        lopend,
        f"Koppelingen die op of voor {datum(end)} gestart zijn en niet voor {datum(start)} "
        "beëindigd: de gezinnen die in de periode steun kregen. Voorstellen en kennismakingen "
        "die (nog) niet gestart zijn tellen hier niet mee, wel bij 'voorgesteld'. Afgerond op 5; "
        "soms niet getoond, als het verschil met een andere periode een klein aantal gestarte "
        "of beëindigde koppelingen zou verraden.",
    )
    gestopt = tel(k.einde_op for k in beeindigd)
    rapport.add(
        "Koppelingen",
        "beëindigd",
        gestopt,
        f"Gestarte koppelingen met een einddatum {van_tot}. Een voorstel dat niet doorging "
        "telt hier niet.",
    )
    if rapport.met_verdelingen:
        gebruikt = [r.code for r in EindReden.objects.voor(organisatie)]
        redenen = {r.code: r.tekst for r in EindReden.objects.filter(organisatie=organisatie)}
        per_reden = Counter(k.einde_reden for k in beeindigd)
        # A retired reason still counts for the koppelingen that ended with it.
        codes = gebruikt + sorted(set(per_reden) - set(gebruikt))
        rapport.add_verdeling(
            "Beëindigd naar reden",
            Verdeling.van(gestopt, {code: per_reden[code] for code in codes}).cellen,
            redenen,
            "De koppelingen beëindigd in het jaar, naar de reden van het einde; ook redenen die "
            "de organisatie niet meer gebruikt staan erbij als ze in het jaar voorkwamen.",
        )
        uitkomsten = Counter(k.doel_bereikt or ONBEKEND for k in beeindigd)
        rapport.add_verdeling(
            "Beëindigd naar uitkomst",
            Verdeling.van(
                gestopt, {code: uitkomsten[code] for code in [*Koppeling.DoelBereikt, ONBEKEND]}
            ).cellen,
            {
                **{c.value: f"doel {c.label} bereikt" for c in Koppeling.DoelBereikt},
                Koppeling.DoelBereikt.JA: "doel bereikt",
                Koppeling.DoelBereikt.NEE: "doel niet bereikt",
                ONBEKEND: "niet vastgelegd",
            },
            "De koppelingen beëindigd in het jaar, naar wat de coördinator bij het afsluiten "
            "vastlegde: is het doel van de steun bereikt?",
        )

    # Wachttijd en duur --------------------------------------------------------
    wacht = _waarden_per_maand(_wachttijden(g, gestart))
    duur = _waarden_per_maand((k.einde_op, (k.einde_op - k.start_op).days) for k in beeindigd)
    for values, wat, uitleg in (
        (
            wacht,
            "wachttijd tot de start",
            f"Van de aanmelding tot de start, voor de koppelingen die {van_tot} startten. Bij een "
            "volgende koppeling van hetzelfde gezin telt de wachttijd vanaf het einde van de "
            "vorige.",
        ),
        (
            duur,
            "duur van beëindigde koppelingen",
            f"Van de start tot het einde, voor de koppelingen die {van_tot} eindigden.",
        ),
    ):
        shown = _gemiddeld_in_de_tijd(values, periode)
        for soort, functie, hoe in (
            ("gemiddeld", statistics.mean, "Het gemiddelde"),
            (
                "mediaan",
                statistics.median,
                "De middelste waarde (de helft korter, de helft langer)",
            ),
        ):
            weken = None if shown is None else _rond(functie(shown) / 7)
            omschrijving = f"{wat}, {soort} (weken)"
            rapport.gevallen["Wachttijd en duur", omschrijving] = _gevallen(values, periode)
            rapport.add_value(
                "Wachttijd en duur",
                omschrijving,
                TE_WEINIG if weken is None else getal(weken),
                weken,
                f"{uitleg} {hoe}, in hele weken; alleen bij 10 of meer koppelingen.",
            )

    # Bereik -------------------------------------------------------------------
    rapport.add(
        "Bereik",
        "kinderen bereikt",
        Cel.stand(_kinderen(g, periode)),
        "Kinderen voor wie de steun bedoeld was in de koppelingen die in de periode liepen "
        "(zie 'lopend in de periode'). Elk kind telt één keer, ook in twee koppelingen. "
        "Afgerond op 5 (0 is 0 tot 2).",
    )
    ids = {k.pk for k in koppelingen}
    jaar_range = (datetime.date(jaar, 1, 1), datetime.date(jaar, 12, 31))
    # By the koppelingen counted here: an index scan of their contacts, where
    # the organisation's would be a scan of every organisation's.
    contacten = list(
        Contactmoment.objects.filter(koppeling_id__in=ids, datum__range=jaar_range)
        .order_by()
        .values_list("datum", flat=True)
    )
    rapport.add(
        "Bereik",
        "contactmomenten",
        tel(contacten),
        f"Gesprekken van de coördinatoren met de gezinnen van een koppeling (huisbezoek, "
        f"telefoon, ...) met een datum {van_tot}. {gebied_koppeling}",
    )

    # Evaluaties ---------------------------------------------------------------
    evaluaties = [
        row
        for row in Evaluatie.objects.filter(
            koppeling__organisatie=organisatie, datum__range=jaar_range
        ).values_list("koppeling_id", "datum", "vraag_scores", "steun_scores")
        if row[0] in ids
    ]
    rapport.add(
        "Evaluaties",
        "evaluaties gehouden",
        tel(day for _, day, _, _ in evaluaties),
        f"Evaluatiegesprekken (na de proefperiode, jaarlijks of bij het einde) met een datum "
        f"{van_tot}.",
    )
    rapport.uitleg["Tevredenheid (1–5)"] = (
        f"Het gemiddelde van de scores die de gezinnen gaven in de evaluaties {van_tot}, van 1 "
        "(slecht) tot 5 (heel goed), op één decimaal; alleen bij 10 of meer evaluaties. Een "
        "gemiddelde van precies 5 of 1 staat er als '4,9 of hoger' of '1,1 of lager': anders "
        "zou het zeggen wat elk gezin antwoordde."
    )
    for key, tekst in EVALUATIEVRAGEN:
        for side, wie in ((2, "vraaggezinnen"), (3, "steungezinnen")):
            scores = _waarden_per_maand((e[1], e[side][key]) for e in evaluaties if key in e[side])
            waarde, score = _tevredenheid(_gemiddeld_in_de_tijd(scores, periode))
            rapport.gevallen["Tevredenheid (1–5)", f"{tekst} ({wie})"] = _gevallen(scores, periode)
            rapport.add_value(
                "Tevredenheid (1–5)",
                f"{tekst} ({wie})",
                waarde,
                score,
                "",
            )

    _coordinatie(rapport, organisatie, g, periode, lopend, gestart_cel)

    # Werving: aanbod en vraag per wijk ------------------------------------------
    rapport.add_verdeling(
        f"Steungezinnen beschikbaar op de einddatum, per {per_wat}",
        steun_cellen,
        {},
        f"Het aanbod: steungezinnen die {op_einde} beschikbaar waren, naar de {per_wat} waar "
        "zij toen woonden. Afgerond op 5 (0 is 0 tot 2).",
    )
    rapport.add_verdeling(
        f"Vraaggezinnen wachtend op de einddatum, per {per_wat}",
        wacht_cellen,
        {},
        f"De vraag: vraaggezinnen die {op_einde} op een steungezin wachtten, naar de "
        f"{per_wat} waar zij toen woonden. Afgerond op 5 (0 is 0 tot 2).",
    )
    if rapport.met_verdelingen:
        geworven = Counter(g.wijknaam(pk, day) for pk, day in steun_aangemeld)
        rapport.add_verdeling(
            f"Steungezinnen aangemeld, per {per_wat}",
            Verdeling.van(steun_totaal, _keys(sleutels, geworven)).cellen,
            {},
            f"De werving: gezinnen die zich in het jaar als steungezin aanmeldden, naar de "
            f"{per_wat} waar zij toen woonden.",
        )
    return rapport


def _gevallen(per_maand: dict, periode: Periode) -> int:
    """How many values an average of the period is over."""
    return sum(
        len(values)
        for (year, month), values in per_maand.items()
        if periode.start <= datetime.date(year, month, 1) <= periode.end
    )


def _keys(sleutels: list[str], counts: Counter) -> dict[str, int]:
    """Every wijk (or gemeente) of the breakdown, and any other that was used."""
    return {key: counts[key] for key in [*sleutels, *sorted(set(counts) - set(sleutels))]}


def _wachttijden(g: _Gegevens, koppelingen: list[_Koppeling]) -> list[tuple[datetime.date, int]]:
    """Per started koppeling its start and the days from the registration, or
    from the end of the family's previous koppeling, to the start. A start
    before that counts as no wait."""
    aangemeld = {pk: day for pk, day, _, _ in g.vraag}
    eerdere: dict[int, list[_Koppeling]] = defaultdict(list)
    for k in g.alle_koppelingen:
        if k.start_op and k.einde_op:
            eerdere[k.vraaggezin_id].append(k)
    result = []
    for koppeling in koppelingen:
        vorige = [
            k.einde_op
            for k in eerdere[koppeling.vraaggezin_id]
            if k.pk != koppeling.pk and k.einde_op <= koppeling.start_op
        ]
        sinds = max(vorige) if vorige else aangemeld[koppeling.vraaggezin_id]
        result.append((koppeling.start_op, max(0, (koppeling.start_op - sinds).days)))
    return result


def _lopend(g: _Gegevens, jaar: int) -> dict[Periode, Cel]:
    """Koppelingen running in each period of this year and the one before,
    rounded, with those that would give a flow away hidden (rule 4)."""
    gestart = [k for k in g.koppelingen if k.start_op]
    periodes = [*Periode.alle(jaar - 1), *Periode.alle(jaar)]
    lopend = {
        p: Cel.stand(
            sum(
                1
                for k in gestart
                if k.start_op <= p.end and not (k.einde_op and k.einde_op < p.start)
            )
        )
        for p in periodes
    }
    starts = _per_maand(k.start_op for k in gestart)
    ends = _per_maand(k.einde_op for k in gestart if k.einde_op)
    stroom_start = {p: _in_de_tijd(starts, p) for p in periodes}
    stroom_einde = {p: _in_de_tijd(ends, p) for p in periodes}
    carry_bekend = not any(k.start_op.year < jaar - 1 for k in gestart)
    _standen_afschermen(jaar, lopend, stroom_start, stroom_einde, carry_bekend)
    return lopend


def _loopt(k: _Koppeling, periode: Periode) -> bool:
    """Started on or before the end, not ended before the start."""
    return k.start_op <= periode.end and not (k.einde_op and k.einde_op < periode.start)


def _kinderen(g: _Gegevens, periode: Periode) -> int:
    lopend = [k.pk for k in g.koppelingen if k.start_op and _loopt(k, periode)]
    if not lopend:
        return 0
    through = Koppeling.kinderen.through.objects.filter(koppeling_id__in=lopend)
    return through.values("gezinslid_id").distinct().count()


def _tevredenheid(scores: list[float] | None) -> tuple[str, Decimal | None]:
    """The average score (1–5) to one decimal. At the end of the scale it would
    say what every single family answered."""
    if scores is None:
        return TE_WEINIG, None
    waarde = _rond(statistics.mean(scores), 1)
    if waarde == 5:
        return "4,9 of hoger", None
    if waarde == 1:
        return "1,1 of lager", None
    return getal(waarde, 1), waarde


def _coordinatie(
    rapport: Rapport,
    organisatie: Organisatie,
    g: _Gegevens,
    periode: Periode,
    lopend: Cel,
    gestart: Cel,
) -> None:
    """Hours where they were spent, and what they cost (rule 6)."""
    direct: Counter = Counter()
    algemeen = Decimal(0)
    for gemeente, uren in CoordinatieUren.objects.filter(
        organisatie=organisatie, week__range=(periode.start, periode.end)
    ).values_list("gemeente", "uren"):
        if gemeente:
            direct[gemeente] += uren
        else:
            algemeen += uren
    namen = sorted({w.gemeente for w in g.wijken.values()} | set(direct))
    eigen = sum(direct.values(), Decimal(0))

    def aandeel(naam: str) -> Decimal:
        if eigen:
            return algemeen * direct[naam] / eigen
        return algemeen / len(namen) if namen else Decimal(0)

    week_regel = "Een week telt mee in de periode waarin haar maandag valt."
    verdeling = (
        "Uren die niet voor één gemeente zijn (werving, training, overleg) worden over de "
        "gemeenten verdeeld naar verhouding van hun eigen uren in de periode; zonder eigen "
        "uren gelijk over alle gemeenten."
    )
    onderdeel = "Coördinatie"
    uur = lambda value: (getal(value, 1), _rond(value, 1))  # noqa: E731
    if rapport.gemeente == ALLE_GEMEENTEN:
        totaal = eigen + algemeen
        rapport.add_value(
            onderdeel,
            "uren voor een gemeente",
            *uur(eigen),
            f"Uren die coördinatoren {periode.van_tot} voor één gemeente schreven. {week_regel}",
        )
        rapport.add_value(
            onderdeel,
            "algemene uren",
            *uur(algemeen),
            "Uren die niet voor één gemeente zijn: werving, training, overleg.",
        )
        rapport.uitleg["Uren per gemeente"] = (
            "Per gemeente de eigen uren en het aandeel in de algemene uren. " + verdeling
        )
        for naam in namen:
            rapport.add_value("Uren per gemeente", naam, *uur(direct[naam] + aandeel(naam)), "")
    else:
        eigen_hier = direct[rapport.gemeente]
        totaal = eigen_hier + aandeel(rapport.gemeente)
        rapport.add_value(
            onderdeel,
            "uren voor deze gemeente",
            *uur(eigen_hier),
            f"Uren die coördinatoren {periode.van_tot} voor deze gemeente schreven. {week_regel}",
        )
        rapport.add_value(
            onderdeel, "aandeel in de algemene uren", *uur(totaal - eigen_hier), verdeling
        )
    rapport.add_value(
        onderdeel, "coördinatie-uren totaal", *uur(totaal), "De twee regels hierboven samen."
    )
    per_koppeling = lopend.getoond
    rapport.add_value(
        onderdeel,
        "uren per lopende koppeling",
        *(uur(totaal / per_koppeling) if per_koppeling else (TE_WEINIG, None)),
        "Het totaal aan uren gedeeld door het (afgeronde) aantal lopende koppelingen.",
    )
    tarief = organisatie.uurtarief
    if tarief is None:
        rapport.add_value(
            onderdeel,
            "kosten",
            "geen uurtarief vastgelegd",
            None,
            "Met een uurtarief in het beheergedeelte rekent de rapportage de kosten uit.",
        )
        return
    kosten = totaal * tarief
    rapport.add_value(
        onderdeel,
        "uurtarief",
        bedrag(tarief, 2),
        tarief,
        "Het tarief per uur coördinatie dat de organisatie heeft vastgelegd.",
    )
    rapport.add_value(
        onderdeel,
        "kosten coördinatie",
        bedrag(kosten),
        _rond(kosten),
        "Coördinatie-uren totaal maal het uurtarief, in hele euro's.",
    )
    for omschrijving, deler, uitleg in (
        ("kosten per lopende koppeling", per_koppeling, "het (afgeronde) aantal lopende"),
        ("kosten per nieuwe koppeling", gestart.getoond, "het aantal gestarte"),
    ):
        rapport.add_value(
            onderdeel,
            omschrijving,
            bedrag(kosten / deler) if deler else TE_WEINIG,
            _rond(kosten / deler) if deler else None,
            f"De kosten gedeeld door {uitleg} koppelingen in de periode, in hele euro's.",
        )


def gemeenten(organisatie: Organisatie) -> list[str]:
    return Wijk.objects.filter(organisatie=organisatie).gemeenten()


def laatste_afgesloten(soort: str, day: datetime.date | None = None) -> Periode:
    """The most recent month, quarter or year that has ended before that day."""
    day = day or today()
    if soort == "jaar":
        return Periode.jaar(day.year - 1)
    if soort == "kwartaal":
        quarter = (day.month - 1) // 3  # the quarter before the current one
        return Periode.kwartaal(day.year, quarter) if quarter else Periode.kwartaal(day.year - 1, 4)
    last = day.replace(day=1) - datetime.timedelta(days=1)
    return Periode.maand(last.year, last.month)
