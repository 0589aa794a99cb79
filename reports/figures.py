"""The municipality's period report: anonymous figures for one organisation,
one gemeente (through the wijken) and one period."""

from __future__ import annotations

import datetime
import statistics
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q, Sum

from accounts.models import Organisatie
from gezinnen.models import Statuswijziging, Steungezin, Vraaggezin, Wijk
from matching.models import (
    EVALUATIEVRAGEN,
    Contactmoment,
    CoordinatieUren,
    EindReden,
    Evaluatie,
    Koppeling,
)

KLEIN = 5  # counts below this are printed as "< 5"


@dataclass(frozen=True)
class Periode:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def label(self) -> str:
        return f"{self.start:%d-%m-%Y} t/m {self.end:%d-%m-%Y}"

    @classmethod
    def kwartaal(cls, year: int, quarter: int) -> Periode:
        start = datetime.date(year, 3 * quarter - 2, 1)
        end = datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
        return cls(start, end - datetime.timedelta(days=1))

    @classmethod
    def jaar(cls, year: int) -> Periode:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def anoniem(count: int) -> str:
    """Small numbers could point to a family: they are never printed."""
    return f"< {KLEIN}" if count < KLEIN else str(count)


@dataclass
class Regel:
    """One figure of the report, already made anonymous."""

    onderdeel: str
    omschrijving: str
    waarde: str
    aantal: int | None = None  # the raw count, for the bar charts only when >= 5


@dataclass
class Rapport:
    organisatie: Organisatie
    gemeente: str
    periode: Periode
    regels: list[Regel] = field(default_factory=list)

    def add(self, onderdeel: str, omschrijving: str, count: int) -> None:
        self.regels.append(Regel(onderdeel, omschrijving, anoniem(count), count))

    def add_value(self, onderdeel: str, omschrijving: str, waarde: str) -> None:
        self.regels.append(Regel(onderdeel, omschrijving, waarde))

    def onderdelen(self) -> list[tuple[str, list[Regel]]]:
        order: dict[str, list[Regel]] = {}
        for regel in self.regels:
            order.setdefault(regel.onderdeel, []).append(regel)
        return list(order.items())


def _weeks(days: list[int], n_min: int = KLEIN) -> tuple[str, str]:
    """Average and median in weeks; withheld when fewer than five cases."""
    if len(days) < n_min:
        return "—", "—"
    return f"{statistics.mean(days) / 7:.1f}", f"{statistics.median(days) / 7:.1f}"


def gemeenterapportage(organisatie: Organisatie, gemeente: str, periode: Periode) -> Rapport:
    rapport = Rapport(organisatie, gemeente, periode)
    start, end = periode.start, periode.end
    in_gemeente = Q(organisatie=organisatie, wijk__gemeente=gemeente)
    vraag = Vraaggezin.objects.filter(in_gemeente)
    steun = Steungezin.objects.filter(in_gemeente)
    koppelingen = Koppeling.objects.filter(
        organisatie=organisatie, vraaggezin__wijk__gemeente=gemeente
    ).select_related("vraaggezin")

    # Aanmeldingen
    aangemeld = vraag.filter(aangemeld_op__range=(start, end))
    rapport.add("Aanmeldingen", "vraaggezinnen aangemeld", aangemeld.count())
    per_verwijzer = Counter(aangemeld.values_list("verwijzer_soort", flat=True))
    for value, label in Vraaggezin.Verwijzer.choices:
        rapport.add("Aanmeldingen naar verwijzer", label, per_verwijzer.get(value, 0))

    # Steungezinnen
    stappen = Statuswijziging.objects.filter(gezin__in=steun, op__date__range=(start, end))
    rapport.add(
        "Steungezinnen", "aangemeld", steun.filter(aangemeld_op__range=(start, end)).count()
    )
    rapport.add(
        "Steungezinnen", "in screening genomen", stappen.filter(naar="in_screening").count()
    )
    rapport.add("Steungezinnen", "goedgekeurd", stappen.filter(naar="beschikbaar").count())
    rapport.add(
        "Steungezinnen",
        "beschikbaar op de einddatum",
        steun.filter(status=Steungezin.Status.BESCHIKBAAR).count()
        if end >= datetime.date.today()
        else _beschikbaar_op(steun, end),
    )

    # Koppelingen
    gestart = koppelingen.filter(start_op__range=(start, end))
    actief = koppelingen.filter(start_op__lte=end).filter(
        Q(einde_op__isnull=True) | Q(einde_op__gte=start)
    )
    beeindigd = koppelingen.filter(start_op__isnull=False, einde_op__range=(start, end))
    rapport.add("Koppelingen", "gestart", gestart.count())
    rapport.add("Koppelingen", "lopend in de periode", actief.count())
    rapport.add("Koppelingen", "beëindigd", beeindigd.count())
    redenen = {r.code: r.tekst for r in EindReden.objects.voor(organisatie)}
    per_reden = Counter(beeindigd.values_list("einde_reden", flat=True))
    for code, tekst in redenen.items():
        rapport.add("Beëindigd naar reden", tekst, per_reden.get(code, 0))

    # A start before the registration date is a typing error: it counts as no wait.
    wacht = [max(0, (k.start_op - k.vraaggezin.aangemeld_op).days) for k in gestart]
    duur = [(k.einde_op - k.start_op).days for k in beeindigd]
    avg, med = _weeks(wacht)
    rapport.add_value("Wachttijd en duur", "wachttijd tot de start, gemiddeld (weken)", avg)
    rapport.add_value("Wachttijd en duur", "wachttijd tot de start, mediaan (weken)", med)
    avg, med = _weeks(duur)
    rapport.add_value(
        "Wachttijd en duur", "duur van beëindigde koppelingen, gemiddeld (weken)", avg
    )
    rapport.add_value("Wachttijd en duur", "duur van beëindigde koppelingen, mediaan (weken)", med)

    kinderen = actief.filter(kinderen__isnull=False).values("kinderen").distinct().count()
    rapport.add("Bereik", "kinderen bereikt", kinderen)
    rapport.add(
        "Bereik",
        "contactmomenten",
        Contactmoment.objects.filter(koppeling__in=koppelingen, datum__range=(start, end)).count(),
    )

    evaluaties = list(
        Evaluatie.objects.filter(koppeling__in=koppelingen, datum__range=(start, end))
    )
    rapport.add("Evaluaties", "evaluaties gehouden", len(evaluaties))
    for key, tekst in EVALUATIEVRAGEN:
        for side, wie in (("vraag", "vraaggezinnen"), ("steun", "steungezinnen")):
            scores = [
                e_scores[key]
                for e in evaluaties
                if key in (e_scores := getattr(e, f"{side}_scores"))
            ]
            waarde = f"{statistics.mean(scores):.1f}" if len(scores) >= KLEIN else "—"
            rapport.add_value("Tevredenheid (1–5)", f"{tekst} ({wie})", waarde)

    uren = (
        CoordinatieUren.objects.filter(organisatie=organisatie, week__range=(start, end)).aggregate(
            totaal=Sum("uren")
        )["totaal"]
        or 0
    )
    rapport.add_value("Coördinatie", "coördinatie-uren (hele organisatie)", f"{uren:.1f}")
    lopend = actief.count()
    rapport.add_value(
        "Coördinatie",
        "uren per lopende koppeling",
        f"{uren / lopend:.1f}" if lopend >= KLEIN else "—",
    )

    for wijk in Wijk.objects.filter(organisatie=organisatie, gemeente=gemeente):
        wachtend = vraag.filter(wijk=wijk, status__in=Vraaggezin.WAITING).count()
        beschikbaar = steun.filter(wijk=wijk, status=Steungezin.Status.BESCHIKBAAR).count()
        rapport.add_value(
            "Vraag en aanbod per wijk (nu)",
            wijk.naam,
            f"{anoniem(wachtend)} wachtend, {anoniem(beschikbaar)} beschikbaar",
        )
    return rapport


def _beschikbaar_op(steun, day: datetime.date) -> int:
    """Steungezinnen whose last status step up to that day made them available."""
    count = 0
    for gezin in steun.prefetch_related("statuswijzigingen"):
        steps = [s for s in gezin.statuswijzigingen.all() if s.op.date() <= day]
        if steps and max(steps, key=lambda s: (s.op, s.pk)).naar == Steungezin.Status.BESCHIKBAAR:
            count += 1
    return count


def gemeenten(organisatie: Organisatie) -> list[str]:
    return sorted(
        set(Wijk.objects.filter(organisatie=organisatie).values_list("gemeente", flat=True))
    )
