"""The municipality's period report: anonymous figures for one organisation,
one gemeente (through the wijken) and one whole calendar month, quarter or year.

How the figures are kept from pointing to a family
===================================================

What an attacker is assumed to have: every report the municipality can get
(every month, quarter and year, as page, PDF, CSV or Excel), the knowledge of
how the figures add up (a quarter is its three months, a year its four quarters
and its twelve months, a breakdown adds up to its total), and the fact that a
0 is always printed, so that a hidden count is at least 1. Not assumed: that
the attacker knows the rules below well enough to reason about *why* a figure
is hidden.

1. **Whole periods only.** A report covers a calendar month, quarter or year
   that has ended. No day-by-day periods: moving one day revealed one family;
   a running period is a moving one too.

2. **Small counts are hidden** ("×"): every count from 1 to 4. A 0 is shown:
   it says nothing about any family (the usual threshold rule treats 1–4 as
   sensitive, not 0).

3. **Hidden counts are protected against "total minus the rest"** (secondary
   or complementary suppression). Hidden cells that a known sum ties together
   form a *group*; a group is safe when it is empty, or has at least two
   cells that sum to at least 5 and to more than their number (so not all of
   them are 1). Then every cell of the group can take at least two values,
   and the sum of the hidden cells is never a small count either.

   - *Over time*, bottom-up (``_in_de_tijd``): a month hides only its own
     small counts. A quarter shows its count only when the hidden months under
     it form a safe group; otherwise the quarter is hidden as well, and its
     hidden months move up to the year, which applies the same rule to the
     hidden months that no quarter accounts for. A period's figures depend on
     nothing outside it, so a report made today gives the same figures as the
     same report made next year (only late entries of data change them).
   - *Within a breakdown* (``Verdeling``): the breakdowns by referrer, by wijk
     and by end reason are in the **year report only**. A month or a quarter
     has too few families for a breakdown, and a breakdown repeated in months,
     quarters and the year is a table linked in two directions that cannot be
     protected without hiding most of the year's breakdown. Within the year,
     next to the hidden small cells, the smallest shown cells are hidden until
     the group is safe; when that cannot be done, the whole breakdown is
     withheld. Two breakdowns of the same families (referrer and wijk) share
     their total; each is protected against it on its own. When the total
     itself is hidden, at least one cell is hidden as well, so that the
     breakdown does not give the total away.
   - The steungezinnen available at the end date, by wijk, are a count on a
     day, not a sum over time: the same in the December, fourth-quarter and
     year reports. Their breakdown shares its total with the row "beschikbaar
     op de einddatum" and may hide that total when the cells cannot protect
     each other.

4. **Averages** are shown only over at least 10 families, rounded (waiting
   time and duration in whole weeks, satisfaction to one decimal), and over
   time under the same bottom-up rule: a quarter or year average is shown only
   when the families of the sub-periods whose average is hidden number 0 or at
   least 10, so that any average an attacker can work out by differencing
   covers at least 10 families. A satisfaction average at the end of the
   scale (1.0 or 5.0) would say that every family gave that score: it is shown
   as "1.1 of lager" or "4.9 of hoger".

What this does not guarantee:

- Figures that are linked in other ways than by adding up. "Lopend in de
  periode", "kinderen bereikt" and "beschikbaar op de einddatum" are counts
  on or over a period that are not the sum of their months; they get rule 2
  only. With two adjacent periods, "lopend" minus "beëindigd" of the one and
  "lopend" of the other give roughly the number "gestart": someone who wants
  a hidden "gestart" can estimate it that way. The coordination hours per
  running koppeling are shown only when "lopend" is.
- Counts on a day (available steungezinnen) of two successive periods can be
  subtracted; the difference mixes families that came and went and is not
  published as such.
- Data entered or corrected after a report was made changes that report: the
  two versions can be compared.
- An attacker who knows which cells the rules would pick can sometimes
  narrow a hidden count down further than "at least two values".
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import Organisatie
from gezinnen.models import Statuswijziging, Steungezin, Vraaggezin, Wijk, today
from matching.models import (
    EVALUATIEVRAGEN,
    Contactmoment,
    CoordinatieUren,
    EindReden,
    Evaluatie,
    Koppeling,
)

KLEIN = 5  # counts from 1 to KLEIN - 1 are hidden
MIN_GEMIDDELD = 10  # an average needs at least this many families
VERBORGEN = "×"
TE_WEINIG = "te weinig gegevens"

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


def _last_day(year: int, month: int) -> datetime.date:
    first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - datetime.timedelta(days=1)


def _veilig(groep: list[int]) -> bool:
    """Hidden counts that a known sum ties together can each still take two
    values, and their sum is no small count."""
    return not groep or (len(groep) >= 2 and sum(groep) >= KLEIN and sum(groep) > len(groep))


@dataclass
class Cel:
    """One count of the report, with whether it may be shown."""

    aantal: int
    verborgen: bool = False

    @classmethod
    def klein_verborgen(cls, aantal: int) -> Cel:
        return cls(aantal, 0 < aantal < KLEIN)

    @property
    def waarde(self) -> str:
        return VERBORGEN if self.verborgen else str(self.aantal)


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
    """The values of the period when their average may be shown; see rule 4."""
    values, shown, _ = _gemiddelde_reeks(per_maand, periode)
    return values if shown else None


def _gemiddelde_reeks(per_maand: dict, periode: Periode) -> tuple[list[float], bool, int]:
    """The values, whether their average is shown, and how many families sit
    in sub-periods whose average is hidden (what differencing would cover)."""
    if periode.soort == "maand":
        values = per_maand.get(_maand(periode.start), [])
        shown = len(values) >= MIN_GEMIDDELD
        return values, shown, 0 if shown else len(values)
    delen = [_gemiddelde_reeks(per_maand, deel) for deel in periode.delen()]
    values = [v for deel in delen for v in deel[0]]
    vrij = sum(n for _, deel_shown, n in delen if not deel_shown)
    shown = len(values) >= MIN_GEMIDDELD and (vrij == 0 or vrij >= MIN_GEMIDDELD)
    return values, shown, 0 if shown else vrij


def _round(value: float, places: int = 0) -> str:
    step = Decimal(1).scaleb(-places)
    return str(Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP))


def _weken(days: list[float] | None) -> tuple[str, str]:
    """Average and median in whole weeks."""
    if days is None:
        return TE_WEINIG, TE_WEINIG
    return _round(statistics.mean(days) / 7), _round(statistics.median(days) / 7)


def _tevredenheid(scores: list[float] | None) -> str:
    """The average score (1–5) to one decimal. At the end of the scale it would
    say what every single family answered."""
    if scores is None:
        return TE_WEINIG
    waarde = _round(statistics.mean(scores), 1)
    if waarde == "5.0":
        return "4.9 of hoger"
    if waarde == "1.0":
        return "1.1 of lager"
    return waarde


@dataclass
class Verdeling:
    """One breakdown: cells that add up to a total that an attacker knows or
    can work out. Protected on its own (rule 3); see the module docstring."""

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


@dataclass
class Regel:
    """One figure of the report, as it may be shown."""

    onderdeel: str
    omschrijving: str
    waarde: str
    aantal: int | None = None  # the count as shown, for the bar charts; None when hidden


@dataclass
class Rapport:
    organisatie: Organisatie
    gemeente: str
    periode: Periode
    regels: list[Regel] = field(default_factory=list)

    def add(self, onderdeel: str, omschrijving: str, cel: Cel) -> None:
        aantal = None if cel.verborgen else cel.aantal
        self.regels.append(Regel(onderdeel, omschrijving, cel.waarde, aantal))

    def add_verdeling(self, onderdeel: str, verdeling: Verdeling, labels: dict[str, str]) -> None:
        for key, cel in verdeling.cellen.items():
            self.add(onderdeel, labels.get(key, key), cel)

    def add_value(self, onderdeel: str, omschrijving: str, waarde: str) -> None:
        self.regels.append(Regel(onderdeel, omschrijving, waarde))

    def onderdelen(self) -> list[tuple[str, list[Regel]]]:
        order: dict[str, list[Regel]] = {}
        for regel in self.regels:
            order.setdefault(regel.onderdeel, []).append(regel)
        return list(order.items())

    @property
    def met_verdelingen(self) -> bool:
        return self.periode.soort == "jaar"


def _per_maand(days: Iterable[datetime.date]) -> Counter:
    return Counter(_maand(day) for day in days)


def _waarden_per_maand(pairs: Iterable[tuple[datetime.date, float]]) -> dict:
    per_maand: dict = defaultdict(list)
    for day, value in pairs:
        per_maand[_maand(day)].append(value)
    return per_maand


def gemeenterapportage(organisatie: Organisatie, gemeente: str, periode: Periode) -> Rapport:
    rapport = Rapport(organisatie, gemeente, periode)
    start, end = periode.start, periode.end
    # Every count over time is worked out from the months of the calendar year.
    jaar = Periode.jaar(start.year)
    in_jaar = (jaar.start, jaar.end)
    in_gemeente = Q(organisatie=organisatie, wijk__gemeente=gemeente)
    vraag = Vraaggezin.objects.filter(in_gemeente)
    steun = Steungezin.objects.filter(in_gemeente)
    koppelingen = Koppeling.objects.filter(
        organisatie=organisatie, vraaggezin__wijk__gemeente=gemeente
    ).select_related("vraaggezin")
    wijknamen = list(
        Wijk.objects.filter(organisatie=organisatie, gemeente=gemeente).values_list(
            "naam", flat=True
        )
    )

    def tel(days) -> Cel:
        return _in_de_tijd(_per_maand(days), periode)

    # Aanmeldingen
    aangemeld = list(
        vraag.filter(aangemeld_op__range=in_jaar).values_list(
            "aangemeld_op", "verwijzer_soort", "wijk__naam"
        )
    )
    totaal = tel(day for day, _, _ in aangemeld)
    rapport.add("Aanmeldingen", "vraaggezinnen aangemeld", totaal)
    if rapport.met_verdelingen:
        verwijzers = Counter(soort for _, soort, _ in aangemeld)
        rapport.add_verdeling(
            "Aanmeldingen naar verwijzer",
            Verdeling.van(totaal, {v: verwijzers[v] for v in Vraaggezin.Verwijzer.values}),
            dict(Vraaggezin.Verwijzer.choices),
        )
        wijken = Counter(wijk for _, _, wijk in aangemeld)
        rapport.add_verdeling(
            "Aanmeldingen naar wijk",
            Verdeling.van(totaal, {naam: wijken[naam] for naam in wijknamen}),
            {},
        )

    # Steungezinnen
    stappen = Statuswijziging.objects.filter(gezin__in=steun, op__date__range=in_jaar)

    def stap(naar: str) -> Cel:
        return tel(
            timezone.localdate(op) for op in stappen.filter(naar=naar).values_list("op", flat=True)
        )

    rapport.add(
        "Steungezinnen",
        "aangemeld",
        tel(steun.filter(aangemeld_op__range=in_jaar).values_list("aangemeld_op", flat=True)),
    )
    rapport.add("Steungezinnen", "in screening genomen", stap("in_screening"))
    rapport.add("Steungezinnen", "goedgekeurd", stap("beschikbaar"))
    per_wijk = _beschikbaar_per_wijk(steun, end)
    beschikbaar = Verdeling.van(
        Cel.klein_verborgen(sum(per_wijk.values())),
        {naam: per_wijk[naam] for naam in wijknamen},
        totaal_vast=False,
    )
    rapport.add("Steungezinnen", "beschikbaar op de einddatum", beschikbaar.totaal)

    # Koppelingen
    gestart = list(koppelingen.filter(start_op__range=in_jaar))
    beeindigd = list(koppelingen.filter(start_op__isnull=False, einde_op__range=in_jaar))
    actief = koppelingen.filter(start_op__lte=end).filter(
        Q(einde_op__isnull=True) | Q(einde_op__gte=start)
    )
    lopend = Cel.klein_verborgen(actief.count())
    gestopt = tel(k.einde_op for k in beeindigd)
    rapport.add("Koppelingen", "gestart", tel(k.start_op for k in gestart))
    rapport.add("Koppelingen", "lopend in de periode", lopend)
    rapport.add("Koppelingen", "beëindigd", gestopt)
    if rapport.met_verdelingen:
        gebruikt = [r.code for r in EindReden.objects.voor(organisatie)]
        redenen = {r.code: r.tekst for r in EindReden.objects.filter(organisatie=organisatie)}
        per_reden = Counter(k.einde_reden for k in beeindigd)
        # A retired reason still counts for the koppelingen that ended with it.
        codes = gebruikt + sorted(set(per_reden) - set(gebruikt))
        rapport.add_verdeling(
            "Beëindigd naar reden",
            Verdeling.van(gestopt, {code: per_reden[code] for code in codes}),
            redenen,
        )

    # A start before the registration date is a typing error: it counts as no wait.
    wacht = _waarden_per_maand(
        (k.start_op, max(0, (k.start_op - k.vraaggezin.aangemeld_op).days)) for k in gestart
    )
    duur = _waarden_per_maand((k.einde_op, (k.einde_op - k.start_op).days) for k in beeindigd)
    avg, med = _weken(_gemiddeld_in_de_tijd(wacht, periode))
    rapport.add_value("Wachttijd en duur", "wachttijd tot de start, gemiddeld (weken)", avg)
    rapport.add_value("Wachttijd en duur", "wachttijd tot de start, mediaan (weken)", med)
    avg, med = _weken(_gemiddeld_in_de_tijd(duur, periode))
    rapport.add_value(
        "Wachttijd en duur", "duur van beëindigde koppelingen, gemiddeld (weken)", avg
    )
    rapport.add_value("Wachttijd en duur", "duur van beëindigde koppelingen, mediaan (weken)", med)

    kinderen = actief.filter(kinderen__isnull=False).values("kinderen").distinct().count()
    rapport.add("Bereik", "kinderen bereikt", Cel.klein_verborgen(kinderen))
    contacten = Contactmoment.objects.filter(koppeling__in=koppelingen, datum__range=in_jaar)
    rapport.add("Bereik", "contactmomenten", tel(contacten.values_list("datum", flat=True)))

    evaluaties = list(
        Evaluatie.objects.filter(koppeling__in=koppelingen, datum__range=in_jaar).only(
            "datum", "vraag_scores", "steun_scores"
        )
    )
    rapport.add("Evaluaties", "evaluaties gehouden", tel(e.datum for e in evaluaties))
    for key, tekst in EVALUATIEVRAGEN:
        for side, wie in (("vraag", "vraaggezinnen"), ("steun", "steungezinnen")):
            scores = _waarden_per_maand(
                (e.datum, e_scores[key])
                for e in evaluaties
                if key in (e_scores := getattr(e, f"{side}_scores"))
            )
            rapport.add_value(
                "Tevredenheid (1–5)",
                f"{tekst} ({wie})",
                _tevredenheid(_gemiddeld_in_de_tijd(scores, periode)),
            )

    uren = (
        CoordinatieUren.objects.filter(organisatie=organisatie, week__range=(start, end)).aggregate(
            totaal=Sum("uren")
        )["totaal"]
        or 0
    )
    rapport.add_value("Coördinatie", "coördinatie-uren (hele organisatie)", f"{uren:.1f}")
    # Hours are shown exactly: a ratio for a hidden count would give the count away.
    rapport.add_value(
        "Coördinatie",
        "uren per lopende koppeling",
        f"{uren / lopend.aantal:.1f}" if not lopend.verborgen and lopend.aantal else TE_WEINIG,
    )

    rapport.add_verdeling("Steungezinnen beschikbaar op de einddatum, per wijk", beschikbaar, {})
    return rapport


def _beschikbaar_op(steun, day: datetime.date) -> int:
    """Steungezinnen whose last status step up to that day made them available."""
    return sum(_beschikbaar_per_wijk(steun, day).values())


def _beschikbaar_per_wijk(steun, day: datetime.date) -> Counter:
    per_wijk: Counter = Counter()
    for gezin in steun.select_related("wijk").prefetch_related("statuswijzigingen"):
        steps = [s for s in gezin.statuswijzigingen.all() if timezone.localdate(s.op) <= day]
        if steps and max(steps, key=lambda s: (s.op, s.pk)).naar == Steungezin.Status.BESCHIKBAAR:
            per_wijk[gezin.wijk.naam] += 1
    return per_wijk


def gemeenten(organisatie: Organisatie) -> list[str]:
    return sorted(
        set(Wijk.objects.filter(organisatie=organisatie).values_list("gemeente", flat=True))
    )


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
