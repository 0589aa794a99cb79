"""An attacker against the municipality report.

Two years of a small programme are generated (seeded), with a ledger of what
happened kept here, apart from reports.figures. The attacker then takes every
month, quarter and year report and tries what broke the old "< 5" rule:

(a) total minus the shown rows, and the consistency of months, quarters and
    the year (every linear combination of the shown figures, worked out
    exactly, and the bounds that follow from "a hidden count is at least 1");
(b) differences of averages of nested periods (a quarter and its months, a
    year and its quarters or months), as the range of one family's value;
(c) a custom period of its own.
"""

import datetime
import itertools
import math
import random
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.urls import reverse

from gezinnen.models import Statuswijziging, Vraaggezin
from matching.models import Contactmoment, Evaluatie, Koppeling
from reports.figures import Periode, gemeenterapportage
from tests.factories import KoppelingFactory, SteungezinFactory, VraaggezinFactory, WijkFactory

pytestmark = pytest.mark.django_db

YEARS = (2024, 2025)
HIDDEN = "×"
TOO_FEW = "te weinig gegevens"
WIJKEN = ("Noord", "Zuid", "Oost")
VERWIJZERS = dict(Vraaggezin.Verwijzer.choices)
REDENEN = dict(Koppeling.Reden.choices)

# Report row -> ledger kind, for the counts that add up over time.
SERIES = {
    ("Vraaggezinnen", "aangemeld"): "aangemeld",
    ("Steungezinnen", "aangemeld"): "steun",
    ("Steungezinnen", "voor het eerst in screening genomen"): "screening",
    ("Steungezinnen", "voor het eerst goedgekeurd"): "goedgekeurd",
    ("Koppelingen", "gestart"): "gestart",
    ("Koppelingen", "beëindigd"): "beeindigd",
    ("Bereik", "contactmomenten"): "contact",
    ("Evaluaties", "evaluaties gehouden"): "evaluatie",
}
# Year-only breakdowns: section -> (series they add up to, ledger attribute).
BREAKDOWNS = {
    "Aanmeldingen naar verwijzer": ("aangemeld", "verwijzer"),
    "Aanmeldingen naar wijk": ("aangemeld", "wijk"),
    "Beëindigd naar reden": ("beeindigd", "reden"),
}
AVERAGES = {
    ("Wachttijd en duur", "wachttijd tot de start, gemiddeld (weken)"): "wacht",
    ("Wachttijd en duur", "duur van beëindigde koppelingen, gemiddeld (weken)"): "duur",
    ("Tevredenheid (1–5)", "Het contact tussen de twee gezinnen (vraaggezinnen)"): "vraag",
    ("Tevredenheid (1–5)", "Het contact tussen de twee gezinnen (steungezinnen)"): "steun",
}
SCORES = ("vraag", "steun")


def day_in(rnd, year, month):
    return datetime.date(year, month, rnd.randint(1, 28))


def months():
    return [(year, month) for year in YEARS for month in range(1, 13)]


def generate(organisatie, coordinator, rnd) -> dict:
    """Families, koppelingen, check-ins and evaluations month by month, with
    many small groups; returns the ledger: kind -> [(date, attributes)]."""
    wijken = {
        naam: WijkFactory(organisatie=organisatie, naam=naam, gemeente="Hengelo") for naam in WIJKEN
    }
    ledger = defaultdict(list)
    # Referrers and wijken are skewed so that some are always small.
    verwijzers = ["wijkteam"] * 5 + ["consultatiebureau"] * 3 + ["huisarts"] * 2 + ["school"]
    verwijzers += ["zelfmelding", "anders"]
    wijk_keuze = ["Noord"] * 5 + ["Zuid"] * 2 + ["Oost"]

    def vraaggezin(day, **kwargs):
        verwijzer, wijk = rnd.choice(verwijzers), rnd.choice(wijk_keuze)
        ledger["aangemeld"].append((day, {"verwijzer": VERWIJZERS[verwijzer], "wijk": wijk}))
        return VraaggezinFactory(
            organisatie=organisatie,
            wijk=wijken[wijk],
            verwijzer_soort=verwijzer,
            aangemeld_op=day,
            leden=[],
            **kwargs,
        )

    for year, month in months():
        for _ in range(rnd.choice([0, 1, 2, 3, 3, 4, 6, 9])):
            vraaggezin(day_in(rnd, year, month), status="wachtend")
        for _ in range(rnd.choice([0, 1, 2, 2, 5, 7])):
            day = day_in(rnd, year, month)
            wijk = rnd.choice(wijk_keuze)
            gezin = SteungezinFactory(
                organisatie=organisatie, wijk=wijken[wijk], aangemeld_op=day, leden=[]
            )
            ledger["steun"].append((day, {}))
            if rnd.random() < 0.7:
                screening = day + datetime.timedelta(days=rnd.randint(1, 20))
                goedgekeurd = screening + datetime.timedelta(days=rnd.randint(10, 60))
                for op, naar in ((screening, "in_screening"), (goedgekeurd, "beschikbaar")):
                    moment = datetime.datetime.combine(op, datetime.time(12), datetime.UTC)
                    Statuswijziging.objects.create(gezin=gezin, van="", naar=naar, op=moment)
                    kind = "screening" if naar == "in_screening" else "goedgekeurd"
                    ledger[kind].append((op, {}))
                ledger["beschikbaar"].append((goedgekeurd, {"wijk": wijk}))
        for _ in range(rnd.choice([0, 1, 1, 2, 3, 5, 10, 12])):
            start = day_in(rnd, year, month)
            aangemeld = start - datetime.timedelta(days=rnd.randint(0, 120))
            vraag = vraaggezin(aangemeld, status="gekoppeld")
            einde = start + datetime.timedelta(days=rnd.randint(10, 400))
            ended = einde <= datetime.date(YEARS[-1], 12, 31) and rnd.random() < 0.8
            reden = rnd.choice(list(REDENEN))
            koppeling = KoppelingFactory(
                organisatie=organisatie,
                vraaggezin=vraag,
                steungezin=SteungezinFactory(organisatie=organisatie, wijk=vraag.wijk, leden=[]),
                coordinator=coordinator,
                start_op=start,
                status="afgesloten" if ended else "actief",
                einde_op=einde if ended else None,
                einde_reden=reden if ended else "",
            )
            ledger["gestart"].append((start, {"wacht": max(0, (start - aangemeld).days)}))
            if ended:
                ledger["beeindigd"].append(
                    (einde, {"reden": REDENEN[reden], "duur": (einde - start).days})
                )
            for _ in range(rnd.choice([0, 1, 2])):
                datum = start + datetime.timedelta(days=rnd.randint(0, 40))
                if datum.year in YEARS:
                    Contactmoment.objects.create(
                        koppeling=koppeling,
                        datum=datum,
                        met="beide",
                        hoe="telefoon",
                        verloop="goed",
                        door=coordinator,
                    )
                    ledger["contact"].append((datum, {}))
        # Evaluations: most months have a few, some have many.
        koppelingen = list(Koppeling.objects.filter(organisatie=organisatie))
        for _ in range(rnd.choice([0, 0, 1, 1, 2, 4, 10, 11, 12]) if koppelingen else 0):
            datum = day_in(rnd, year, month)
            scores = {side: rnd.choice([3, 4, 4, 5, 5, 5]) for side in SCORES}
            Evaluatie.objects.create(
                koppeling=rnd.choice(koppelingen),
                soort="jaarlijks",
                datum=datum,
                door=coordinator,
                conclusie="x",
                vraag_scores={"contact": scores["vraag"]},
                steun_scores={"contact": scores["steun"]},
            )
            ledger["evaluatie"].append((datum, scores))
    return ledger


def periods(year):
    return (
        [Periode.maand(year, m) for m in range(1, 13)]
        + [Periode.kwartaal(year, q) for q in range(1, 5)]
        + [Periode.jaar(year)]
    )


def month_set(periode) -> frozenset:
    return frozenset(range(periode.start.month, periode.end.month + 1))


@pytest.fixture
def programme(organisatie, coordinator):
    ledger = generate(organisatie, coordinator, random.Random(2024))
    if connection.vendor == "postgresql":
        # In a test database that has run many tests, the planner's statistics
        # say the tables are empty, and every report's joins take seconds.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    reports = {
        periode: {
            (r.onderdeel, r.omschrijving): r.waarde
            for r in gemeenterapportage(organisatie, "Hengelo", periode).regels
        }
        for year in YEARS
        for periode in periods(year)
    }
    return ledger, reports


class System:
    """What the attacker knows about the unknowns of one year: linear
    equations (exact, with fractions) and bounds."""

    def __init__(self):
        self.equations: list[tuple[dict, Fraction]] = []
        self.low: dict = defaultdict(int)
        self.hidden: list[tuple[str, dict, int]] = []  # (name, linear form, true value)

    def shown(self, form: dict, value: int) -> None:
        self.equations.append((form, Fraction(value)))

    def determined(self, form: dict) -> bool:
        """Is the form a linear combination of the known equations?"""
        atoms = sorted({a for f, _ in self.equations for a in f} | set(form), key=str)
        rows = [[Fraction(f.get(a, 0)) for a in atoms] for f, _ in self.equations]
        target = [Fraction(form.get(a, 0)) for a in atoms]
        pivots = []
        for row in rows:
            for pivot_col, pivot_row in pivots:
                if row[pivot_col]:
                    factor = row[pivot_col] / pivot_row[pivot_col]
                    row[:] = [x - factor * y for x, y in zip(row, pivot_row, strict=True)]
            col = next((i for i, x in enumerate(row) if x), None)
            if col is not None:
                pivots.append((col, row))
        for pivot_col, pivot_row in pivots:
            if target[pivot_col]:
                factor = target[pivot_col] / pivot_row[pivot_col]
                target = [x - factor * y for x, y in zip(target, pivot_row, strict=True)]
        return not any(target)

    def bounds(self) -> dict:
        """Bounds of every unknown, by propagation over the equations."""
        atoms = {a for f, _ in self.equations for a in f} | {
            a for _, f, _ in self.hidden for a in f
        }
        low = {a: Fraction(self.low[a]) for a in atoms}
        high = dict.fromkeys(atoms, math.inf)
        for _ in range(60):
            changed = False
            for form, value in self.equations:
                for atom, coef in form.items():
                    rest = [(c, low[o], high[o]) for o, c in form.items() if o != atom]
                    rest_low = sum(c * (lo if c > 0 else hi) for c, lo, hi in rest)
                    rest_high = sum(c * (hi if c > 0 else lo) for c, lo, hi in rest)
                    # coef * atom = value - rest
                    bottom, top = sorted([(value - rest_high) / coef, (value - rest_low) / coef])
                    if bottom > low[atom]:
                        low[atom], changed = bottom, True
                    if top < high[atom]:
                        high[atom], changed = top, True
            if not changed:
                break
        return {a: (low[a], high[a]) for a in atoms}

    def pinned(self) -> list[str]:
        bounds = self.bounds()
        found = []
        for name, form, true in self.hidden:
            if self.determined(form):
                found.append(f"{name}: {true} (linear combination)")
                continue
            lo = sum(c * bounds[a][0] for a, c in form.items())
            hi = sum(c * bounds[a][1] for a, c in form.items())
            if lo == hi:
                found.append(f"{name}: {true} (bounds)")
        return found


def count(ledger, kind, year, months_in, **match) -> int:
    return sum(
        1
        for day, attrs in ledger[kind]
        if day.year == year
        and day.month in months_in
        and all(attrs.get(k) == v for k, v in match.items())
    )


def attack_counts(ledger, reports, year) -> tuple[System, list[str], int]:
    """Every published count of one year as equations on the months."""
    system = System()
    leaks, hidden_small = [], 0
    for row, kind in SERIES.items():
        for periode in periods(year):
            form = {(kind, m): 1 for m in month_set(periode)}
            true = count(ledger, kind, year, month_set(periode))
            shown = reports[periode][row]
            if shown == HIDDEN:
                system.hidden.append((f"{kind} {periode.label}", form, true))
                hidden_small += 0 < true < 5
                if periode.soort == "maand":
                    system.low[(kind, periode.start.month)] = 1
            else:
                assert int(shown) == true, (row, periode.label)
                system.shown(form, true)
        # Total minus the shown parts, within each period that adds up from others.
        for parent in periods(year):
            for parts in (parent.delen(), [Periode.maand(year, m) for m in month_set(parent)]):
                if reports[parent][row] == HIDDEN or len(parts) < 2:
                    continue
                rest = int(reports[parent][row]) - sum(
                    int(reports[p][row]) for p in parts if reports[p][row] != HIDDEN
                )
                if 0 < rest < 5:
                    leaks.append(f"{kind} {parent.label} minus its shown parts = {rest}")
    jaar = Periode.jaar(year)
    for section, (kind, attribute) in BREAKDOWNS.items():
        cells = {k[1]: v for k, v in reports[jaar].items() if k[0] == section}
        labels = {"verwijzer": VERWIJZERS.values(), "wijk": WIJKEN, "reden": REDENEN.values()}
        assert set(cells) == set(labels[attribute]), section
        withheld = all(v == HIDDEN for v in cells.values())
        identity = {(kind, m): -1 for m in range(1, 13)}
        for label, shown in cells.items():
            atom = (section, label)
            identity[atom] = 1
            true = count(ledger, kind, year, range(1, 13), **{attribute: label})
            if shown == HIDDEN:
                system.hidden.append((f"{section} {label} {year}", {atom: 1}, true))
                hidden_small += 0 < true < 5
                system.low[atom] = 0 if withheld else 1
            else:
                assert int(shown) == true, (section, label)
                system.shown({atom: 1}, true)
        system.shown(identity, 0)  # the breakdown adds up to the year's total
        total = reports[jaar][next(r for r, k in SERIES.items() if k == kind)]
        if total != HIDDEN:
            rest = int(total) - sum(int(v) for v in cells.values() if v != HIDDEN)
            if 0 < rest < 5:
                leaks.append(f"{section} {year}: total minus the shown rows = {rest}")
    return system, leaks, hidden_small


def test_no_hidden_count_can_be_worked_out(programme):
    ledger, reports = programme
    hidden_small = 0
    for year in YEARS:
        system, leaks, small = attack_counts(ledger, reports, year)
        hidden_small += small
        assert leaks == []
        assert system.pinned() == []
    # The attack had something to find: many small counts, and shown ones too.
    assert hidden_small >= 40
    shown = [v for r in reports.values() for k, v in r.items() if k in SERIES and v != HIDDEN]
    assert len(shown) >= 100


def shown_interval(text: str, true: int) -> tuple[float, float]:
    """What a rounded count tells: "0" is 0 to 2, "5" is 3 to 7, "10" is 8 to
    12; a × (hidden for protection) tells nothing."""
    if text == HIDDEN:
        return 0, math.inf
    value = int(text)
    assert value % 5 == 0, f"{text} is not rounded to 5"
    return max(0, value - 2), value + 2


def test_no_count_on_a_day_by_wijk_can_be_worked_out(programme):
    """Counts on a day and their breakdown are rounded; total minus the other
    cells leaves every small count at least two values."""
    ledger, reports = programme
    section = "Steungezinnen beschikbaar op de einddatum, per wijk"
    checked = 0
    for periode, report in reports.items():
        available = [a["wijk"] for day, a in ledger["beschikbaar"] if day <= periode.end]
        true = {wijk: available.count(wijk) for wijk in WIJKEN}
        total = shown_interval(
            report[("Steungezinnen", "beschikbaar op de einddatum")], len(available)
        )
        cells = {wijk: shown_interval(report[(section, wijk)], true[wijk]) for wijk in WIJKEN}
        assert total[0] <= len(available) <= total[1], periode.label
        for wijk, (low, high) in cells.items():
            assert low <= true[wijk] <= high, (periode.label, wijk)
            if not 0 < true[wijk] < 5:
                continue
            rest = [cells[w] for w in WIJKEN if w != wijk]
            bottom = max(low, total[0] - sum(hi for _, hi in rest))
            top = min(high, total[1] - sum(lo for lo, _ in rest))
            assert top > bottom, (periode.label, wijk, true[wijk])
            checked += 1
    assert checked


class Span:
    """Exact linear algebra over fractions: the combinations of the flows an
    attacker knows, in reduced row echelon form."""

    def __init__(self):
        self.rows: dict[int, list[Fraction]] = {}

    def reduce(self, vector) -> tuple:
        v = [Fraction(x) for x in vector]
        for pivot, row in self.rows.items():
            if v[pivot]:
                factor = v[pivot]
                v = [a - factor * b for a, b in zip(v, row, strict=True)]
        return tuple(v)

    def add(self, vector) -> None:
        row = list(self.reduce(vector))
        pivot = next((i for i, x in enumerate(row) if x), None)
        if pivot is None:
            return
        row = [x / row[pivot] for x in row]
        for other, other_row in self.rows.items():
            if other_row[pivot]:
                factor = other_row[pivot]
                self.rows[other] = [a - factor * b for a, b in zip(other_row, row, strict=True)]
        self.rows[pivot] = row


def test_no_hidden_start_or_end_follows_from_the_running_koppelingen(programme):
    """Koppelingen running in a period are those of the period before, minus
    those ended, plus those started. With the running counts shown exactly, a
    hidden count of started koppelingen would follow from two running counts
    and a shown count of ended ones. Every pair of running counts of both
    years (and each one alone: the programme starts in the first year, so
    nothing runs before it) is tried against every hidden start or end."""
    ledger, reports = programme
    size = 48  # started in each of the 24 months, ended in each of the 24 months

    def index(year, month):
        return (year - YEARS[0]) * 12 + month - 1

    def flow(periode, kant):
        v = [0] * size
        for m in month_set(periode):
            v[24 * kant + index(periode.start.year, m)] = 1
        return v

    def running(periode):
        # started up to the end, minus ended before the start (nothing runs before YEARS[0])
        v = [0] * size
        for i in range(index(periode.end.year, periode.end.month) + 1):
            v[i] = 1
        for i in range(index(periode.start.year, periode.start.month)):
            v[24 + i] = -1
        return v

    def true_flow(kind, periode):
        return sum(1 for day, _ in ledger[kind] if periode.start <= day <= periode.end)

    def true_running(periode):
        started = [day for day, _ in ledger["gestart"] if day <= periode.end]
        ended = [day for day, _ in ledger["beeindigd"] if day < periode.start]
        return len(started) - len(ended)

    span, hidden = Span(), []
    all_periods = [p for year in YEARS for p in periods(year)]
    for kant, (row, kind) in enumerate(
        ((("Koppelingen", "gestart"), "gestart"), (("Koppelingen", "beëindigd"), "beeindigd"))
    ):
        for periode in all_periods:
            true = true_flow(kind, periode)
            if reports[periode][row] == HIDDEN:
                hidden.append((f"{kind} {periode.label}", span, flow(periode, kant), true))
            else:
                assert int(reports[periode][row]) == true
                span.add(flow(periode, kant))
    stocks = [((), (0, 0), 0)]  # the empty combination: a running count alone
    for periode in all_periods:
        true = true_running(periode)
        low, high = shown_interval(reports[periode][("Koppelingen", "lopend in de periode")], true)
        assert low <= true <= high, periode.label
        if high < math.inf:
            stocks.append((span.reduce(running(periode)), (low, high), true))
    zero = tuple(Fraction(0) for _ in range(size))
    stocks[0] = (zero, (0, 0), 0)
    by_residue = defaultdict(list)
    for stock in stocks:
        by_residue[stock[0]].append(stock)
    tried = 0
    for name, _, vector, true in hidden:
        residue = span.reduce(vector)
        low, high = (1, 4) if true < 5 else (1, math.inf)
        for a in stocks:
            wanted = tuple(x - y for x, y in zip(a[0], residue, strict=True))
            for b in by_residue.get(wanted, []):
                if b is a:
                    continue
                tried += 1
                known = true - (a[2] - b[2])  # what the shown flows add
                low = max(low, a[1][0] - b[1][1] + known)
                high = min(high, a[1][1] - b[1][0] + known)
        assert high > low, f"{name} = {true} follows from the running koppelingen"
    assert tried >= 20  # the attack had pairs to try


def rounding_interval(text: str, kind: str) -> tuple[Decimal, Decimal]:
    """The true average (days for time, score for satisfaction) the text
    allows: the shown figure plus or minus half its last digit."""
    if text == "4,9 of hoger":
        return Decimal("4.85"), Decimal(5)
    if text == "1,1 of lager":
        return Decimal(1), Decimal("1.15")
    value = Decimal(text.replace(",", "."))
    half = Decimal(5).scaleb(value.as_tuple().exponent - 1)
    low, high = value - half, value + half
    if kind in SCORES:
        return low, high
    return max(Decimal(0), low * 7), high * 7  # weeks to days


def values(ledger, kind, year, months_in) -> list[int]:
    source = {"wacht": "gestart", "duur": "beeindigd"}.get(kind, "evaluatie")
    return [
        attrs[kind] for day, attrs in ledger[source] if day.year == year and day.month in months_in
    ]


def test_no_difference_of_averages_gives_one_familys_value(programme):
    ledger, reports = programme
    attempts = single_family = 0
    for year, (row, kind) in itertools.product(YEARS, AVERAGES.items()):
        scale = (1, 5) if kind in SCORES else (0, 10_000)
        for parent in periods(year):
            if reports[parent][row] == TOO_FEW:
                continue
            pieces = [p for p in periods(year) if month_set(p) < month_set(parent)]
            shown_pieces = [p for p in pieces if reports[p][row] != TOO_FEW]
            for size in range(len(shown_pieces) + 1):
                for subtract in itertools.combinations(shown_pieces, size):
                    sets = [month_set(p) for p in subtract]
                    if sum(map(len, sets)) != len(frozenset().union(*sets)):
                        continue  # overlapping pieces
                    rest = month_set(parent) - frozenset().union(*sets)
                    n_rest = len(values(ledger, kind, year, rest))
                    if n_rest == 0:
                        continue
                    attempts += 1
                    single_family += n_rest == 1
                    low, high = Decimal(0), Decimal(0)
                    for periode, sign in [(parent, 1), *((p, -1) for p in subtract)]:
                        n = len(values(ledger, kind, year, month_set(periode)))
                        lo, hi = rounding_interval(reports[periode][row], kind)
                        low += sign * n * (lo if sign > 0 else hi)
                        high += sign * n * (hi if sign > 0 else lo)
                    # One family of the rest, the others at the end of the scale.
                    one_low = max(Decimal(scale[0]), low - (n_rest - 1) * scale[1])
                    one_high = min(Decimal(scale[1]), high - (n_rest - 1) * scale[0])
                    possible = [
                        v for v in range(scale[0], scale[1] + 1) if one_low <= v <= one_high
                    ]
                    assert len(possible) >= 2, (row, parent.label, [p.label for p in subtract])
    assert attempts >= 50


def test_a_custom_period_is_refused(client, organisatie, coordinator):
    WijkFactory(organisatie=organisatie, gemeente="Hengelo")
    client.force_login(coordinator)
    url = reverse("reports:gemeente")
    for params in (
        {"soort": "eigen", "van": "2025-01-10", "tot": "2025-03-31"},
        {"soort": "kwartaal", "jaar": 2025, "kwartaal": 1, "van": "2025-01-10"},
        {"soort": "maand", "jaar": 2025, "maand": 1, "tot": "2025-01-30"},
    ):
        response = client.get(url, {"gemeente": "Hengelo", **params, "formaat": "csv"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert response.context["rapport"] is None
    with pytest.raises(ValueError, match="Geen hele maand"):
        Periode(datetime.date(2025, 1, 10), datetime.date(2025, 3, 31))
    with pytest.raises(ValueError, match="Geen hele maand"):
        Periode(datetime.date(2025, 1, 1), datetime.date(2025, 2, 28))  # two months


def test_a_running_count_is_hidden_when_its_rounding_would_give_a_start_away():
    """17 start in January and 8 of them end in January; 4 start in
    February. Running: January 17, February 13, both shown as 15. Then
    February's starts are at least 13 - 17 + 8 = 4: the hidden 4 is pinned.
    February's running count (and March's, the same 13) must go."""
    from collections import Counter

    from reports.figures import Cel, _in_de_tijd, _standen_afschermen

    year = 2026
    starts = Counter({(year, 1): 17, (year, 2): 4})
    ends = Counter({(year, 1): 8})
    all_periods = [*Periode.alle(year - 1), *Periode.alle(year)]

    def running(p):
        started = sum(n for (y, m), n in starts.items() if datetime.date(y, m, 1) <= p.end)
        ended = sum(n for (y, m), n in ends.items() if datetime.date(y, m, 1) < p.start)
        return Cel.stand(started - ended)

    lopend = {p: running(p) for p in all_periods}
    assert [lopend[Periode.maand(year, m)].waarde for m in (1, 2)] == ["15", "15"]
    _standen_afschermen(
        year,
        lopend,
        {p: _in_de_tijd(starts, p) for p in all_periods},
        {p: _in_de_tijd(ends, p) for p in all_periods},
        carry_bekend=True,
    )
    assert lopend[Periode.maand(year, 2)].verborgen
    assert lopend[Periode.maand(year, 3)].verborgen
    assert not lopend[Periode.maand(year, 1)].verborgen
    assert not lopend[Periode.jaar(year)].verborgen


def attack_running(year, lopend, gestart, beeindigd, true_starts, true_ends) -> list[str]:
    """The pair attack of the test above on cells made without the database:
    every hidden start or end that two running counts pin down."""
    first = year - 1
    size = 48

    def index(day):
        return (day.year - first) * 12 + day.month - 1

    def flow(periode, kant):
        v = [0] * size
        for i in range(index(periode.start), index(periode.end) + 1):
            v[24 * kant + i] = 1
        return v

    def running(periode):
        v = [0] * size
        for i in range(index(periode.end) + 1):
            v[i] = 1
        for i in range(index(periode.start)):
            v[24 + i] = -1
        return v

    def total(counter, periode):
        return sum(
            n
            for (y, m), n in counter.items()
            if periode.start <= datetime.date(y, m, 1) <= periode.end
        )

    span, hidden = Span(), []
    for kant, (cells, counter) in enumerate(((gestart, true_starts), (beeindigd, true_ends))):
        for periode, cel in cells.items():
            if cel.verborgen:
                hidden.append((periode, flow(periode, kant), total(counter, periode)))
            else:
                span.add(flow(periode, kant))
    zero = tuple(Fraction(0) for _ in range(size))
    stocks = [(zero, (0, 0), 0)]
    for periode, cel in lopend.items():
        low, high = shown_interval(cel.waarde, cel.aantal)
        if high < math.inf:
            stocks.append((span.reduce(running(periode)), (low, high), cel.aantal))
    by_residue = defaultdict(list)
    for stock in stocks:
        by_residue[stock[0]].append(stock)
    found = []
    for periode, vector, true in hidden:
        residue = span.reduce(vector)
        low, high = (1, 4) if true < 5 else (1, math.inf)
        for a in stocks:
            wanted = tuple(x - y for x, y in zip(a[0], residue, strict=True))
            for b in by_residue.get(wanted, []):
                if b is not a:
                    known = true - (a[2] - b[2])
                    low = max(low, a[1][0] - b[1][1] + known)
                    high = min(high, a[1][1] - b[1][0] + known)
        if high <= low:
            found.append(f"{periode.label}: {true}")
    return found


@pytest.mark.parametrize("seed", range(40))
def test_random_programmes_leave_no_start_or_end_pinned(seed):
    """Small programmes of two years, drawn at random: the protection always
    ends, and the pair attack on the published running counts of both years
    pins no hidden start or end."""
    from collections import Counter

    from reports.figures import Cel, _in_de_tijd, _standen_afschermen

    rnd = random.Random(seed)
    year = 2026
    starts, ends = Counter(), Counter()
    running_now = 0
    for y in (year - 1, year):
        for m in range(1, 13):
            started = rnd.choice([0, 0, 1, 2, 3, 4, 6, 9, 14])
            ended = rnd.randint(0, running_now + started) if rnd.random() < 0.7 else 0
            starts[(y, m)], ends[(y, m)] = started, ended
            running_now += started - ended
    all_periods = [*Periode.alle(year - 1), *Periode.alle(year)]

    def running(p):
        started = sum(n for (y, m), n in starts.items() if datetime.date(y, m, 1) <= p.end)
        ended = sum(n for (y, m), n in ends.items() if datetime.date(y, m, 1) < p.start)
        return Cel.stand(started - ended)

    def published(jaar):
        """The running counts of one year as its own reports show them."""
        window = [*Periode.alle(jaar - 1), *Periode.alle(jaar)]
        lopend = {p: running(p) for p in window}
        _standen_afschermen(
            jaar,
            lopend,
            {p: _in_de_tijd(starts, p) for p in window},
            {p: _in_de_tijd(ends, p) for p in window},
            carry_bekend=True,  # nothing started before the first year
        )
        return {p: c for p, c in lopend.items() if p.start.year == jaar}

    shown = {**published(year - 1), **published(year)}
    gestart = {p: _in_de_tijd(starts, p) for p in all_periods}
    beeindigd = {p: _in_de_tijd(ends, p) for p in all_periods}
    assert attack_running(year, shown, gestart, beeindigd, starts, ends) == []
