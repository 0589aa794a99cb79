"""Retention and erasure (AVG): when a family's programme ended, which
families are due for anonymisation, and the one service that erases a
family's personal data, for the daily schedule and for a request alike.

It lives in matching because a family's records are spread over gezinnen,
screening and matching, and this is the app that may import all three.
What stays is everything the municipality figures read (reports.figures):
statuses and the dates of steps, the wijk, counts, scores, reasons that are
choices, hours. What goes is every name, address, contact detail, birth day
and free text; ``WISSEN`` and ``BEWAREN`` decide that for every text field.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, Greatest, NullIf, TruncDate, TruncYear
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.models import Organisatie, User
from gezinnen.integrity import TransitionError, claim
from gezinnen.models import (
    Gezin,
    Gezinslid,
    Statuswijziging,
    Steungezin,
    Vraaggezin,
    today,
)
from matching.documenten import documenten_weg
from matching.models import (
    AgendaFeed,
    Bericht,
    Contactmoment,
    CoordinatieUren,
    Correctie,
    Document,
    EindReden,
    Evaluatie,
    Koppeling,
    MeldcodeStap,
    Notitie,
    Signaal,
)
from screening.models import (
    VOG,
    Criterium,
    CriteriumBeoordeling,
    Referentie,
    ScreeningGesprek,
    Screeningstand,
    Training,
    add_months,
)

logger = logging.getLogger(__name__)

BEWAARTERMIJN = "bewaartermijn"
VERZOEK = "verzoek"
WIJZEN = (BEWAARTERMIJN, VERZOEK)

# The two reasons a coordinator can give for erasure on request.
VERZOEK_REDENEN = [
    (choice.value, choice.label)
    for choice in Gezin.Anonimisering
    if choice != Gezin.Anonimisering.BEWAARTERMIJN
]


@dataclass(frozen=True)
class Wissen:
    """The text fields of one model that anonymising a family empties, and
    the lookups from that model to the family its rows are about."""

    velden: tuple[str, ...]
    via: tuple[str, ...]


_KOPPELING = ("vraaggezin", "steungezin")

# Every text and JSON field of the models of gezinnen, screening and matching
# is named either here or in BEWAREN (tests/test_bewaren.py fails otherwise,
# so that a new field cannot slip past the erasure).
WISSEN: dict[type[models.Model], Wissen] = {
    Gezin: Wissen(
        (
            # The name is replaced by "Geanonimiseerd gezin nr. N" afterwards.
            "naam",
            "straat",
            "huisnummer",
            # The figures count by wijk, which stays; the postcode goes whole.
            "postcode",
            "plaats",
            "telefoon",
            "email",
            "talen",
            "toestemming_omvat",
            "opmerkingen",
        ),
        via=("pk",),
    ),
    Vraaggezin: Wissen(
        (
            "hulpvraag",
            "verwijzer_organisatie",
            "verwijzer_contactpersoon",
            "verwijzer_telefoon",
            "verwijzer_email",
        ),
        via=("pk",),
    ),
    Steungezin: Wissen(("motivatie",), via=("pk",)),
    # The birth date keeps its year (1 January): see _wissen.
    Gezinslid: Wissen(("voornaam", "achternaam"), via=("gezin",)),
    Statuswijziging: Wissen(("reden",), via=("gezin",)),
    VOG: Wissen(("notitie",), via=("gezinslid__gezin",)),
    ScreeningGesprek: Wissen(("notities",), via=("steungezin",)),
    Referentie: Wissen(("naam", "relatie", "notitie"), via=("steungezin",)),
    CriteriumBeoordeling: Wissen(("notitie",), via=("steungezin",)),
    # A koppeling's texts are about both families: they go with either one.
    Koppeling: Wissen(
        ("kennismaking_notities", "afspraken", "frequentie", "einde_uitkomst"), via=_KOPPELING
    ),
    Contactmoment: Wissen(("notities",), via=tuple(f"koppeling__{k}" for k in _KOPPELING)),
    Signaal: Wissen(("omschrijving",), via=tuple(f"koppeling__{k}" for k in _KOPPELING)),
    MeldcodeStap: Wissen(("notitie",), via=tuple(f"signaal__koppeling__{k}" for k in _KOPPELING)),
    Evaluatie: Wissen(
        ("vraag_goed", "vraag_beter", "steun_goed", "steun_beter", "conclusie"),
        via=tuple(f"koppeling__{k}" for k in _KOPPELING),
    ),
    # A family's own notes, and those of its koppelingen (about both families).
    Notitie: Wissen(("tekst",), via=("gezin", *(f"koppeling__{k}" for k in _KOPPELING))),
    # The history of a koppeling's items, and of a steungezin's screening
    # items, holds their texts as they were. A correction of hours has no
    # koppeling: its texts are about no family, like the hours' own note
    # (BEWAREN).
    Correctie: Wissen(
        ("reden", "oud", "nieuw"), via=("gezin", *(f"koppeling__{k}" for k in _KOPPELING))
    ),
    # A mail sent about the family: its address and subject (a free
    # message's subject may say anything); one about a koppeling goes with
    # either family, like the koppeling's texts.
    Bericht: Wissen(
        ("adres", "onderwerp"), via=("gezin", *(f"koppeling__{k}" for k in _KOPPELING))
    ),
}

# Kept: statuses, choices and codes the figures count, lists of choices and
# scores, and text that belongs to the organisation rather than to a family.
BEWAREN: dict[type[models.Model], tuple[str, ...]] = {
    Gezin: ("geanonimiseerd_wegens",),
    Vraaggezin: ("status", "verwijzer_soort", "ondersteuning", "dagdelen"),
    Steungezin: ("status", "aanbod", "beschikbaarheid"),
    Gezinslid: ("soort",),
    Statuswijziging: ("van", "naar"),
    VOG: ("status", "screeningsprofiel"),
    ScreeningGesprek: ("soort",),
    Referentie: ("uitkomst",),
    # The rules' verdict in codes (screening.stand), recomputed from the rest.
    Screeningstand: ("reden",),
    Koppeling: (
        "status",
        "kennismaking_uitkomst",
        "einde_reden",
        "doel_bereikt",
        "volgende_evaluatie_soort",
    ),
    Contactmoment: ("met", "hoe", "verloop"),
    Signaal: ("status",),
    Evaluatie: ("soort", "vraag_scores", "steun_scores"),
    # Not about one family.
    Criterium: ("tekst",),
    Training: ("titel", "trainer", "plaats"),
    EindReden: ("code", "tekst"),
    CoordinatieUren: ("notitie", "gemeente"),
    AgendaFeed: ("token",),
    Correctie: ("item_type", "soort"),
    Bericht: ("soort", "aan"),
}
# Wijk and Inzending (one-time form tokens) hold no family data either; their
# fields are listed in the test with the reason.

# Rows that go whole, with their files, once the transaction commits: a
# family's documents (its own, its members', its koppelingen's) are its own
# papers, and no figure reads them (matching.documenten).
VERWIJDEREN: tuple[type[models.Model], ...] = (Document,)


def rijen(model: type[models.Model], gezin_id: int) -> models.QuerySet:
    """The rows of ``model`` that are about this family."""
    condition = Q(pk__in=[])
    for lookup in WISSEN[model].via:
        condition |= Q(**{lookup: gezin_id})
    return model._default_manager.filter(condition)


def wat_verdwijnt(gezin: Vraaggezin | Steungezin) -> list[tuple[str, list[str]]]:
    """For the confirmation page: per kind of record, the fields that go."""
    other = Steungezin if isinstance(gezin, Vraaggezin) else Vraaggezin
    parts = []
    for model, wissen in WISSEN.items():
        if model is other or (other is Steungezin and model._meta.app_label == "screening"):
            continue
        labels = [str(model._meta.get_field(name).verbose_name) for name in wissen.velden]
        if model is Gezinslid:
            labels.append("geboortedatum (het geboortejaar blijft)")
        parts.append((str(model._meta.verbose_name_plural), labels))
    parts += [
        (str(model._meta.verbose_name_plural), ["alles, ook de bestanden zelf"])
        for model in VERWIJDEREN
    ]
    return parts


# When the term runs ---------------------------------------------------------


@dataclass(frozen=True)
class Termijn:
    """A family whose programme ended, and the day its data go."""

    gezin: Vraaggezin | Steungezin
    afgelopen_op: datetime.date
    anonimiseren_op: datetime.date

    @property
    def soort(self) -> str:
        return str(self.gezin._meta.verbose_name)

    @property
    def detail_url(self) -> str:
        return reverse(f"gezinnen:{self.gezin._meta.model_name}-detail", args=[self.gezin.pk])


def _afgelopen(model: type[Vraaggezin] | type[Steungezin]) -> models.QuerySet:
    """The families of this kind whose programme ended: a final status and no
    running koppeling, with ``afgelopen_op``, the day it ended: the latest of
    the last step to a final status (its date in the Netherlands) and the end
    of the last koppeling; the registration when neither is recorded."""
    kant = "vraaggezin" if model is Vraaggezin else "steungezin"
    laatste_stap = Statuswijziging.objects.filter(
        gezin=OuterRef("pk"), naar__in=model.ENDED
    ).order_by("-op")
    laatste_koppeling = Koppeling.objects.filter(
        **{kant: OuterRef("pk")}, einde_op__isnull=False
    ).order_by(F("einde_op").desc())
    # The later of the two, or NULL when neither is there: each subquery
    # once (GREATEST is NULL with a NULL argument on some databases).
    nooit = Value(datetime.date.min)
    einde = NullIf(
        Greatest(
            Coalesce(TruncDate(Subquery(laatste_stap.values("op")[:1])), nooit),
            Coalesce(Subquery(laatste_koppeling.values("einde_op")[:1]), nooit),
        ),
        nooit,
    )
    return (
        model.objects.filter(status__in=model.ENDED)
        .exclude(koppelingen__status__in=Koppeling.LOPEND)
        .select_related("organisatie")
        .annotate(afgelopen_op=Coalesce(einde, F("aangemeld_op"), output_field=models.DateField()))
    )


def _geeindigd_uiterlijk(model: type[Vraaggezin] | type[Steungezin], dag: datetime.date) -> Q:
    """The families whose end (``afgelopen_op``) is on ``dag`` or before: no
    step to a final status and no end of a koppeling after ``dag`` (its date
    in the Netherlands), two anti-joins by index that leave out most others
    cheaply first, and then the end itself, where it can still be later."""
    kant = "vraaggezin" if model is Vraaggezin else "steungezin"
    na = timezone.make_aware(
        datetime.datetime.combine(dag + datetime.timedelta(days=1), datetime.time())
    )
    stappen = Statuswijziging.objects.filter(gezin=OuterRef("pk"), naar__in=model.ENDED)
    einden = Koppeling.objects.filter(**{kant: OuterRef("pk")}, einde_op__gt=dag)
    # Registered by ``dag``, a family whose steps and ends are all by then
    # ended by then too; the others (few) are compared on their end itself.
    return (
        ~Exists(stappen.filter(op__gte=na))
        & ~Exists(einden)
        & (Q(aangemeld_op__lte=dag) | Q(afgelopen_op__lte=dag))
    )


def _termijn(gezin) -> Termijn:
    return Termijn(
        gezin,
        gezin.afgelopen_op,
        add_months(gezin.afgelopen_op, gezin.organisatie.bewaartermijn_maanden),
    )


def termijn(gezin: Gezin) -> Termijn | None:
    """When this family's programme ended and its data go; None while the
    programme runs (no final status yet, or a running koppeling)."""
    model = soort_van(gezin)
    found = _afgelopen(model).filter(pk=gezin.pk).first()
    return _termijn(found) if found else None


def _laatste_einde(grens: datetime.date, maanden: int) -> datetime.date:
    """The last day a programme can have ended for its term (``maanden``
    later, add_months) to come by ``grens``: add_months clamps the day of the
    month, so a few days after ``grens`` minus the months may count too."""
    dag = add_months(grens, -maanden)
    while add_months(dag + datetime.timedelta(days=1), maanden) <= grens:
        dag += datetime.timedelta(days=1)
    return dag


def _te_anonimiseren(organisatie: Organisatie, grens: datetime.date) -> list[models.QuerySet]:
    uiterlijk = _laatste_einde(grens, organisatie.bewaartermijn_maanden)
    return [
        _afgelopen(model)
        .filter(organisatie=organisatie, geanonimiseerd_op=None)
        .filter(_geeindigd_uiterlijk(model, uiterlijk))
        .order_by("afgelopen_op", "pk")
        for model in (Vraaggezin, Steungezin)
    ]


def te_anonimiseren(
    organisatie: Organisatie, dag: datetime.date, *, binnen_dagen: int = 0, tonen: int | None = None
) -> list[Termijn]:
    """The organisation's families whose term ends on ``dag`` or earlier (or
    within ``binnen_dagen`` after it) and are not yet anonymised, soonest
    first; with ``tonen``, only that many. Selected in SQL, exactly."""
    grens = dag + datetime.timedelta(days=binnen_dagen)
    gezinnen = [
        gezin
        for queryset in _te_anonimiseren(organisatie, grens)
        for gezin in (queryset if tonen is None else queryset[:tonen])
    ]
    return _soonest(gezinnen, tonen)


def _soonest(gezinnen: list, tonen: int | None) -> list[Termijn]:
    """Vraaggezinnen and steungezinnen together, the soonest term first."""
    termijnen = sorted(map(_termijn, gezinnen), key=lambda t: (t.anonimiseren_op, t.gezin.pk))
    return termijnen[:tonen]


@dataclass(frozen=True)
class TeAnonimiseren:
    """``te_anonimiseren`` as a sequence that a page slices and counts (the
    dashboard's first rows, a Paginator): each in SQL, for what is shown."""

    organisatie: Organisatie
    dag: datetime.date
    binnen_dagen: int = 0

    def _querysets(self) -> list[models.QuerySet]:
        grens = self.dag + datetime.timedelta(days=self.binnen_dagen)
        return _te_anonimiseren(self.organisatie, grens)

    def __getitem__(self, rows: slice) -> list[Termijn]:
        eerste = te_anonimiseren(
            self.organisatie, self.dag, binnen_dagen=self.binnen_dagen, tonen=rows.stop
        )
        return eerste[rows]

    def eerste(self, tonen: int) -> tuple[list[Termijn], int]:
        """The first ``tonen`` and how many there are, in a query per kind of
        family: the count a window over its selection, before the limit."""
        gezinnen = [
            gezin
            for queryset in self._querysets()
            for gezin in queryset.annotate(lijst_aantal=Window(Count("pk")))[:tonen]
        ]
        aantal = sum({type(gezin): gezin.lijst_aantal for gezin in gezinnen}.values())
        return _soonest(gezinnen, tonen), aantal

    def count(self) -> int:
        return sum(queryset.count() for queryset in self._querysets())

    def __len__(self) -> int:
        return self.count()


def soort_van(gezin: Gezin) -> type[Vraaggezin] | type[Steungezin]:
    if isinstance(gezin, Vraaggezin | Steungezin):
        return type(gezin)
    return Vraaggezin if Vraaggezin.objects.filter(pk=gezin.pk).exists() else Steungezin


# The service ------------------------------------------------------------------


def weigering(
    gezin: Vraaggezin | Steungezin, wijze: str, dag: datetime.date | None = None
) -> str | None:
    """Why this family's data cannot be erased now, or None when they can.
    The confirmation page asks it too, before anyone types anything."""
    if gezin.geanonimiseerd_op:
        return f"{gezin} is al geanonimiseerd."
    if problem := gezin.zonder_lopende_koppeling():
        return problem
    if gezin.status not in gezin.ENDED:
        eind = " of ".join(gezin.Status(status).label for status in sorted(gezin.ENDED))
        return (
            f"{gezin} is nog {gezin.get_status_display()}. Zet het gezin eerst op {eind} "
            "(Status wijzigen); daarna kunnen de gegevens worden gewist."
        )
    if wijze == BEWAARTERMIJN:
        found = termijn(gezin)
        if found is None or found.anonimiseren_op > (dag or today()):
            return f"De bewaartermijn van {gezin} is nog niet verstreken."
    return None


@transaction.atomic
def gezin_anonimiseren(
    *,
    door: User | None,
    gezin: Gezin,
    wijze: str,
    reden: str = "",
    dag: datetime.date | None = None,
) -> Vraaggezin | Steungezin:
    """Erase a family's personal data and keep what the figures need.

    ``wijze`` is "bewaartermijn" for the daily schedule (``door`` None, the
    term must have ended by ``dag``, today by default) or "verzoek" for an
    AVG art. 17 request, with ``reden`` one of VERZOEK_REDENEN. Refused with
    TransitionError for a family that is already anonymised, still has a
    running koppeling or is not closed yet. Everything happens in one
    transaction on the locked family row, and writes one audit entry.
    """
    if wijze not in WIJZEN:
        raise TransitionError("Onbekende wijze van anonimiseren.")
    if wijze == VERZOEK and reden not in dict(VERZOEK_REDENEN):
        raise TransitionError("Kies de reden van het verzoek.")
    model = soort_van(gezin)
    # The lock makes a second erasure (a double click, the schedule at the
    # same moment) wait and then find the family anonymised; a koppeling
    # proposed meanwhile claims the same row, so it cannot slip in between.
    current = claim(model, gezin.pk, versie=None)
    if problem := weigering(current, wijze, dag):
        raise TransitionError(problem)
    _wissen(current)
    nu = timezone.now()
    Gezin.objects.filter(pk=current.pk).update(
        naam=f"Geanonimiseerd gezin nr. {current.pk}",
        geanonimiseerd_op=nu,
        geanonimiseerd_wegens=reden if wijze == VERZOEK else Gezin.Anonimisering.BEWAARTERMIJN,
        gewijzigd_op=nu,
    )
    current = model.objects.get(pk=current.pk)
    audit.geanonimiseerd(door=door, obj=current, wijze=wijze)
    return current


def _wissen(gezin: Vraaggezin | Steungezin) -> None:
    """Empty every WISSEN field on every row about the family, keep only the
    birth year, and take its name out of the other families' timelines."""
    genoemd = str(gezin)
    for model, wissen in WISSEN.items():
        rijen(model, gezin.pk).update(**{naam: _leeg(model, naam) for naam in wissen.velden})
    documenten_weg(Document.objects.over_gezin(gezin.pk))
    # 1 January of the birth year: an age per year stays what it was.
    gezin.leden.update(geboortedatum=TruncYear("geboortedatum"))
    # A step of the other family may name this one ("koppeling met Gezin X").
    partners = {
        pk
        for pair in rijen(Koppeling, gezin.pk).values_list("vraaggezin_id", "steungezin_id")
        for pk in pair
    } - {gezin.pk}
    nieuw = f"Geanonimiseerd gezin nr. {gezin.pk}"
    for stap in Statuswijziging.objects.filter(gezin_id__in=partners, reden__contains=genoemd):
        Statuswijziging.objects.filter(pk=stap.pk).update(reden=stap.reden.replace(genoemd, nieuw))


def _leeg(model: type[models.Model], naam: str) -> str | dict:
    return {} if isinstance(model._meta.get_field(naam), models.JSONField) else ""


# The daily schedule -----------------------------------------------------------


def bewaartermijnen_afhandelen(dag: datetime.date) -> int:
    """Anonymise, in every organisation, each family whose term ended by
    ``dag``; returns how many. Running it twice does nothing twice (an
    anonymised family is no longer due). A family that fails is logged by
    number only, and the others still go."""
    done = 0
    for organisatie in Organisatie.objects.order_by("pk"):
        for due in te_anonimiseren(organisatie, dag):
            try:
                gezin_anonimiseren(door=None, gezin=due.gezin, wijze=BEWAARTERMIJN, dag=dag)
            except Exception as error:
                # The type only: a message can quote the data it failed on.
                logger.error(
                    "Anonimiseren van gezin nr. %s mislukt: %s", due.gezin.pk, type(error).__name__
                )
            else:
                done += 1
    return done
