"""The screening verdict in the database (issue 14).

The rules of ``screening.rules`` decide, for one steungezin and one day,
whether it can take a new koppeling, why not, and what VOG work it has. Pages
that list or count many steungezinnen read that verdict from
``Screeningstand`` instead of loading every member, VOG and training of the
organisation: they filter and count in SQL and apply the rules only to the
rows they show.

The rules stay the only place that decides. ``bereken`` applies them on the
day of the write and on every later day on which the outcome can change (the
dates in the family's data: a VOG that expires or comes within 60 days of
expiring, a request long at Justis, a child coming within the VOG window),
and keeps

- ``kan_koppelen_tot``: the first day on which it can no longer take a new
  koppeling, so eligibility stays right on every day without a recomputation;
- ``herzien_op``: the first day on which anything of the verdict changes.

Every service that writes what the rules read calls ``bijwerken`` in its own
transaction, under the lock of the steungezin. The daily schedule, and each
page before it reads, recompute the verdicts whose ``herzien_op`` has come.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce

from gezinnen.models import Steungezin
from screening.models import Screeningstand, add_months
from screening.rules import (
    JUSTIS_WACHT_DAGEN,
    VERLOOPT_BINNEN_DAGEN,
    herscreening_redenen,
    laatste_activiteit,
    vog_werk,
    with_screening,
)

# The statuses in which a steungezin has screening work (DESIGN §4).
IN_WERK = (Steungezin.Status.IN_SCREENING, Steungezin.Status.BESCHIKBAAR)


@dataclass(frozen=True)
class Oordeel:
    """What the rules decide for one steungezin on one day."""

    kan_koppelen: bool
    reden: str
    vog_aan_te_vragen: int
    vog_bij_justis: int
    vog_verlopend: int
    wordt_18: int


def oordeel(steungezin: Steungezin, day: datetime.date) -> Oordeel:
    """The rules on that day, read from what ``with_screening`` prefetches."""
    if steungezin.status != Steungezin.Status.BESCHIKBAAR:
        reden = Screeningstand.Reden.STATUS
    elif herscreening_redenen(steungezin, day):
        reden = Screeningstand.Reden.HERSCREENING
    else:
        reden = Screeningstand.Reden.GEEN
    werk = vog_werk([steungezin] if steungezin.status in IN_WERK else [], day)
    return Oordeel(
        kan_koppelen=reden == Screeningstand.Reden.GEEN,
        reden=reden,
        vog_aan_te_vragen=len(werk.aan_te_vragen),
        vog_bij_justis=len(werk.bij_justis),
        vog_verlopend=len(werk.verlopend),
        wordt_18=len(werk.wordt_18),
    )


def _wissels(steungezin: Steungezin) -> list[datetime.date]:
    """Every day on which the rules' outcome can change without a write, with
    the day before and after it, so that no boundary of ``<`` against ``<=``
    or of a birthday on 29 February is missed."""
    organisatie = steungezin.organisatie
    days = set()
    for lid in steungezin.leden.all():
        achttien = add_months(lid.geboortedatum, 12 * 18)
        days |= {achttien, achttien - datetime.timedelta(days=organisatie.vog_vooruit_dagen)}
        for vog in lid.vogs.all():
            dates = [
                vog.klaargezet_op,
                vog.aangevraagd_op,
                vog.ontvangen_op,
                vog.afgegeven_op,
                vog.geweigerd_op,
            ]
            days |= {d for d in dates if d}
            days |= {
                d + datetime.timedelta(days=JUSTIS_WACHT_DAGEN + 1)
                for d in (vog.klaargezet_op, vog.aangevraagd_op)
                if d
            }
            if until := vog.geldig_tot(organisatie):
                days |= {until, until - datetime.timedelta(days=VERLOOPT_BINNEN_DAGEN)}
        days |= {d.training.datum for d in lid.deelnames.all()}
    days |= {g.datum for g in steungezin.screeningsgesprekken.all()}
    return sorted({day + datetime.timedelta(days=delta) for day in days for delta in (-1, 0, 1)})


def bereken(steungezin: Steungezin, day: datetime.date) -> Screeningstand:
    """The verdict from ``day`` on, unsaved. ``steungezin`` comes from
    ``laden`` (or ``with_screening`` with its statuswijzigingen)."""
    nu = oordeel(steungezin, day)
    herzien_op = kan_koppelen_tot = None
    for later in (d for d in _wissels(steungezin) if d > day):
        dan = oordeel(steungezin, later)
        if herzien_op is None and dan != nu:
            herzien_op = later
        if nu.kan_koppelen and kan_koppelen_tot is None and not dan.kan_koppelen:
            kan_koppelen_tot = later
        if herzien_op and (kan_koppelen_tot or not nu.kan_koppelen):
            break
    return Screeningstand(
        steungezin=steungezin,
        berekend_op=day,
        herzien_op=herzien_op,
        kan_koppelen_tot=kan_koppelen_tot,
        laatste_activiteit=laatste_activiteit(steungezin),
        **asdict(nu),
    )


def laden(steungezinnen: QuerySet) -> QuerySet:
    """What ``bereken`` reads, in a fixed number of queries for any number."""
    return with_screening(steungezinnen).prefetch_related("statuswijzigingen")


VELDEN = [
    "berekend_op",
    "herzien_op",
    "kan_koppelen",
    "kan_koppelen_tot",
    "reden",
    "vog_aan_te_vragen",
    "vog_bij_justis",
    "vog_verlopend",
    "wordt_18",
    "laatste_activiteit",
]


def bijwerken(steungezin_ids: Iterable[int], day: datetime.date) -> int:
    """Recompute and store the verdicts of these steungezinnen; the caller's
    transaction holds their row locks. Returns how many."""
    ids = list(steungezin_ids)
    if not ids:
        return 0
    standen = [bereken(gezin, day) for gezin in laden(Steungezin.objects.filter(pk__in=ids))]
    Screeningstand.objects.bulk_create(
        standen,
        update_conflicts=True,
        unique_fields=["steungezin"],
        update_fields=VELDEN,
        batch_size=1000,
    )
    return len(standen)


def verouderde_bijwerken(day: datetime.date, *, organisatie_id: int | None = None) -> int:
    """Recompute the verdicts whose day of change has come, and those of
    steungezinnen that have none yet (made outside the services, such as by a
    bulk load): by the daily schedule for all organisations, by a page for
    its own before it reads."""
    standen = Screeningstand.objects.filter(
        # Computed for a later day than this one: a clock set back, a test.
        Q(herzien_op__lte=day) | Q(berekend_op__gt=day)
    )
    zonder = Steungezin.objects.filter(screeningstand__isnull=True)
    if organisatie_id is not None:
        standen = standen.filter(steungezin__organisatie_id=organisatie_id)
        zonder = zonder.filter(organisatie_id=organisatie_id)
    # Two queries that each use an index, rather than one that reads every
    # verdict of the organisation to evaluate an OR over a LEFT JOIN.
    ids = set(standen.values_list("steungezin_id", flat=True))
    ids |= set(zonder.values_list("pk", flat=True))
    return _vergrendeld_bijwerken(sorted(ids), day)


def organisatie_bijwerken(organisatie_id: int, day: datetime.date) -> int:
    """Every verdict of the organisation, after a change of the settings the
    rules read (how long a VOG is valid, how long before 18 one is needed)."""
    ids = Steungezin.objects.filter(organisatie_id=organisatie_id).order_by("pk")
    return _vergrendeld_bijwerken(list(ids.values_list("pk", flat=True)), day)


def _vergrendeld_bijwerken(ids: list[int], day: datetime.date) -> int:
    """``bijwerken`` in batches, each under the row locks of its steungezinnen
    (taken in id order, as every caller does)."""
    done = 0
    for start in range(0, len(ids), 500):
        with transaction.atomic():
            # The services' lock first: a write in progress is waited for and
            # then read, so an older verdict never overwrites the one it made.
            locked = Steungezin.objects.select_for_update(no_key=True).filter(
                pk__in=ids[start : start + 500]
            )
            done += bijwerken(locked.order_by("pk").values_list("pk", flat=True), day)
    return done


def kan_koppelen(day: datetime.date) -> Q:
    """The steungezinnen that can take a new koppeling on that day, by the
    stored verdict (capacity apart: see matching.suggestions)."""
    return Q(screeningstand__kan_koppelen=True) & (
        Q(screeningstand__kan_koppelen_tot=None) | Q(screeningstand__kan_koppelen_tot__gt=day)
    )


# Bounded lists -----------------------------------------------------------------

TONEN = 8  # rows a dashboard or overview list shows before "alle tonen"
PER_PAGINA = 50  # rows of a list shown in full, per page


@dataclass(frozen=True)
class Deel:
    """A bounded list: its first rows and how many there are in all."""

    rijen: list
    aantal: int

    @classmethod
    def leeg(cls) -> Deel:
        return cls([], 0)

    @property
    def meer(self) -> int:
        return self.aantal - len(self.rijen)


def _als_rijen(records: list, day: datetime.date) -> list:
    return records


@dataclass(frozen=True)
class Lijst:
    """A list of the dashboard or the screening overview: its records in SQL
    (``bron`` gives the ordered queryset for a page's scope), what it counts
    (the records, or with ``som`` the sum of that column of theirs), what the
    rows need besides the records (``ophalen``, fetched onto them in place)
    and how records become rows. Rows are made only for the records shown,
    so nothing grows with the organisation but a count.

    ``bron`` may also give a sequence that selects and counts itself (see
    ``bewaren.TeAnonimiseren``): its ``eerste(n)`` and ``count()``."""

    titel: str
    bron: Callable[..., QuerySet]
    rijen: Callable[[list, datetime.date], list] = _als_rijen
    som: str | None = None
    ophalen: Callable[[list], None] | None = None

    def eerste(self, scope, day: datetime.date, tonen: int = TONEN) -> tuple[list, int]:
        """The first records and the count, in one query: the count is a
        window over the whole selection, taken before the limit."""
        records = self.bron(scope, day)
        if not isinstance(records, QuerySet):
            return records.eerste(tonen)
        geteld = Window(Sum(self.som) if self.som else Count("pk"))
        eerste = list(records.annotate(lijst_aantal=geteld)[:tonen])
        return eerste, eerste[0].lijst_aantal if eerste else 0

    def deel(self, scope, day: datetime.date, tonen: int = TONEN) -> Deel:
        """The first rows and the count, for a page's scope (what ``bron`` takes)."""
        return delen([(self, scope)], day, tonen)[0]

    def pagina(self, scope, day: datetime.date, nummer) -> tuple[Page, list, int]:
        """One page of the whole list (a number that is no page: the nearest),
        its rows and the list's count."""
        records = self.bron(scope, day)
        page = Paginator(records, PER_PAGINA).get_page(nummer)
        if self.ophalen and page.object_list:
            self.ophalen(list(page.object_list))
        if self.som:
            aantal = records.aggregate(n=Coalesce(Sum(self.som), 0))["n"]
        else:
            aantal = page.paginator.count
        return page, self.rijen(list(page.object_list), day), aantal


def delen(lijsten: Iterable[tuple[Lijst, object]], day: datetime.date, tonen: int = TONEN):
    """The first rows and the count of each (list, scope), in order: a query
    per list, and what rows need besides (``ophalen``) fetched once for all
    the lists that share it."""
    lijsten = list(lijsten)
    eerste = [lijst.eerste(scope, day, tonen) for lijst, scope in lijsten]
    samen: dict[Callable, list] = {}
    for (lijst, _), (records, _) in zip(lijsten, eerste, strict=True):
        if lijst.ophalen:
            samen.setdefault(lijst.ophalen, []).extend(records)
    for ophalen, records in samen.items():
        if records:
            ophalen(records)
    return [
        Deel(lijst.rijen(records, day), aantal)
        for (lijst, _), (records, aantal) in zip(lijsten, eerste, strict=True)
    ]
