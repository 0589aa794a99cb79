"""The screening rules of DESIGN §4, on one steungezin and one day.

They read only what ``with_screening`` prefetches, so a page can apply them
to many families in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from accounts.models import Organisatie
from gezinnen.models import Gezinslid, Steungezin, age_on
from screening.models import VOG, ScreeningGesprek, TrainingDeelname, add_months, needs_vog
from steungezinnen.datums import korte_datum

VERLOOPT_BINNEN_DAGEN = 60


def _screening() -> tuple:
    """What the rules read of a steungezin, besides its organisation."""
    return (
        Prefetch(
            "leden",
            queryset=Gezinslid.objects.prefetch_related(
                Prefetch("vogs", queryset=VOG.objects.select_related("bijgewerkt_door")),
                Prefetch("deelnames", queryset=TrainingDeelname.objects.select_related("training")),
            ),
        ),
        Prefetch("screeningsgesprekken", queryset=ScreeningGesprek.objects.select_related("door")),
        "referenties",
        "criteriumbeoordelingen",
    )


# What the VOG rules alone read (``vog_werk``, ``herscreening_redenen``).
_VOGS = ("leden__vogs",)


def with_screening(steungezinnen: QuerySet) -> QuerySet:
    return steungezinnen.select_related("organisatie").prefetch_related(*_screening())


def with_vogs(steungezinnen: QuerySet) -> QuerySet:
    """What the VOG rules alone read: the organisation, the members and their VOGs."""
    return steungezinnen.select_related("organisatie").prefetch_related(*_VOGS)


def screening_ophalen(gezinnen: list[Steungezin]) -> None:
    """What ``with_screening`` prefetches, fetched onto families a page
    selected first (the rows it shows), in place."""
    prefetch_related_objects(gezinnen, "organisatie", *_screening())


def vogs_ophalen(gezinnen: list[Steungezin]) -> None:
    """What ``with_vogs`` prefetches, onto families already fetched."""
    prefetch_related_objects(gezinnen, "organisatie", *_VOGS)


def reloaded(gezinnen: list[Steungezin], loader=with_screening) -> list[Steungezin]:
    """The same families in the same order, fetched again with what ``loader``
    prefetches: for a page that selected its rows first and now applies the
    rules to those rows only."""
    by_pk = {
        gezin.pk: gezin
        for gezin in loader(Steungezin.objects.filter(pk__in=[g.pk for g in gezinnen]))
    }
    return [by_pk[gezin.pk] for gezin in gezinnen if gezin.pk in by_pk]


def latest_vog(lid: Gezinslid) -> VOG | None:
    """The VOG record entered last: the one the edit page shows and a renewal
    follows on. Not necessarily the one that counts: see ``vog_stand``."""
    return max(lid.vogs.all(), key=lambda vog: vog.pk, default=None)


@dataclass(frozen=True)
class VogStand:
    """Where a member's VOG stood on one day, from what was dated by then."""

    day: datetime.date
    vog: VOG | None  # the one that counts: received by then, the most recently issued
    geweigerd: VOG | None  # a refusal by then, after that issue: no valid VOG
    lopend: VOG | None  # a request not final by then, or one still to be made

    @property
    def aanvraag(self) -> str | None:
        """The request at Justis on that day, in words."""
        since = self.lopend.at_justis_on(self.day) if self.lopend else None
        if since is None:
            return None
        status = self.lopend.status_on(self.day)
        return f"{status.label} op {korte_datum(since)}, nog niet ontvangen"


def vog_stand(lid: Gezinslid, day: datetime.date) -> VogStand:
    """A pending renewal never voids a valid VOG, nor does an older one typed
    in later; a refusal dated after the issue of the newest one does."""
    on_day = [(vog, vog.status_on(day)) for vog in lid.vogs.all()]
    received = max(
        (vog for vog, status in on_day if status == VOG.Status.ONTVANGEN),
        key=lambda vog: (vog.afgegeven_op, vog.pk),
        default=None,
    )
    refused = max(
        (
            vog
            for vog, status in on_day
            if status == VOG.Status.GEWEIGERD
            and (received is None or vog.geweigerd_op > received.afgegeven_op)
        ),
        key=lambda vog: (vog.geweigerd_op, vog.pk),
        default=None,
    )
    pending = max(
        (vog for vog, status in on_day if status is not None and status not in VOG.FINAL),
        key=lambda vog: vog.pk,
        default=None,
    )
    return VogStand(day, None if refused else received, refused, pending)


def counting_vog(lid: Gezinslid, day: datetime.date) -> VOG | None:
    """The VOG that counts for this member on that day (it may have expired);
    None when there is none or a later refusal voids it."""
    return vog_stand(lid, day).vog


def last_gesprek(steungezin: Steungezin, soort: str, day: datetime.date) -> ScreeningGesprek | None:
    done = [g for g in steungezin.screeningsgesprekken.all() if g.soort == soort and g.datum <= day]
    return max(done, key=lambda g: (g.datum, g.pk), default=None)


def vog_members(steungezin: Steungezin, day: datetime.date) -> list[Gezinslid]:
    return [lid for lid in steungezin.leden.all() if needs_vog(lid, day)]


def trained_adults(
    steungezin: Steungezin, day: datetime.date
) -> list[tuple[Gezinslid, TrainingDeelname]]:
    """Members who are adults on that day, by birth date, with each training
    they attended by then."""
    return [
        (lid, deelname)
        for lid in steungezin.leden.all()
        if age_on(lid.geboortedatum, day) >= 18
        for deelname in lid.deelnames.all()
        if deelname.training.datum <= day
    ]


def vog_problem(lid: Gezinslid, day: datetime.date, *, for_approval: bool) -> str | None:
    """What is wrong with this member's VOG on that day, in words; None if fine."""
    stand = vog_stand(lid, day)
    vog, aanvraag = stand.vog, stand.aanvraag
    organisatie = lid.gezin.organisatie
    nieuwe = f" Een nieuwe is {aanvraag}." if aanvraag else ""
    if stand.geweigerd:
        return (
            f"De VOG van {lid} is geweigerd op {korte_datum(stand.geweigerd.geweigerd_op)}.{nieuwe}"
        )
    if vog is None:
        return (
            f"De VOG van {lid} is {aanvraag}."
            if aanvraag
            else f"Van {lid} is nog geen VOG aangevraagd."
        )
    if not vog.is_valid_on(day, organisatie):
        return (
            f"De VOG van {lid} is verlopen op {korte_datum(vog.geldig_tot(organisatie))}.{nieuwe}"
        )
    if for_approval and not vog.is_recent_enough_on(day, organisatie):
        return (
            f"De VOG van {lid} is afgegeven op {korte_datum(vog.afgegeven_op)}: langer dan "
            f"{organisatie.vog_hoogstens_maanden_oud} maanden geleden."
            + (nieuwe or " Vraag een nieuwe aan.")
        )
    return None


def tekorten_voor_goedkeuring(steungezin: Steungezin, day: datetime.date) -> list[str]:
    """Everything that stands between this steungezin and approval on that
    day; empty when it can be approved. Only what is dated by then counts."""
    tekorten = []
    if last_gesprek(steungezin, ScreeningGesprek.Soort.KENNISMAKING, day) is None:
        tekorten.append("Het kennismakingsgesprek (intake) is nog niet gedaan.")
    if last_gesprek(steungezin, ScreeningGesprek.Soort.HUISBEZOEK, day) is None:
        tekorten.append("Het huisbezoek is nog niet gedaan.")
    if not any(age_on(lid.geboortedatum, day) >= 18 for lid in steungezin.leden.all()):
        tekorten.append("Er staat geen volwassene bij dit gezin.")
    for lid in vog_members(steungezin, day):
        problem = vog_problem(lid, day, for_approval=True)
        if problem:
            tekorten.append(problem)
    if not trained_adults(steungezin, day):
        tekorten.append("Nog geen enkele volwassene van het gezin heeft de training gevolgd.")
    return tekorten


def herscreening_redenen(steungezin: Steungezin, day: datetime.date) -> list[str]:
    """Why an approved steungezin must be screened again before a new
    koppeling: a member who needs a VOG (a new adult, or a child who turns 18
    within the organisation's window) without a valid one."""
    return [
        problem
        for lid in vog_members(steungezin, day)
        if (problem := vog_problem(lid, day, for_approval=False))
    ]


@dataclass(frozen=True)
class Item:
    """One line of the screening overview."""

    label: str
    state: str  # "done", "missing", "expiring", "attention"
    detail: str = ""


def _vog_state(stand: VogStand, organisatie: Organisatie) -> tuple[str, str]:
    """The state and detail of one VOG line of the overview."""
    vog, aanvraag, day = stand.vog, stand.aanvraag, stand.day
    shown = stand.geweigerd or vog or stand.lopend
    who = f" ({shown.bijgewerkt_door.get_full_name()})" if shown and shown.bijgewerkt_door else ""
    nieuwe = f"; nieuwe {aanvraag}" if aanvraag else ""
    if stand.geweigerd:
        return "attention", f"geweigerd op {korte_datum(stand.geweigerd.geweigerd_op)}{who}{nieuwe}"
    if vog is None:
        return "missing", f"{aanvraag}{who}" if aanvraag else "nog niet aangevraagd"
    until = vog.geldig_tot(organisatie)
    if until <= day:
        return "missing", f"verlopen op {korte_datum(until)}{who}{nieuwe}"
    if not aanvraag and (until - day).days <= VERLOOPT_BINNEN_DAGEN:
        return "expiring", f"verloopt {korte_datum(until)}; vraag een nieuwe aan{who}"
    return (
        "done",
        f"afgegeven {korte_datum(vog.afgegeven_op)}, geldig tot {korte_datum(until)}{who}{nieuwe}",
    )


def overzicht(steungezin: Steungezin, day: datetime.date) -> list[Item]:
    """Every screening item: done, missing or expiring, with date and who."""
    organisatie = steungezin.organisatie
    items = []
    for soort in ScreeningGesprek.Soort:
        gesprek = last_gesprek(steungezin, soort, day)
        items.append(
            Item(
                soort.label.capitalize(),
                "done",
                f"{korte_datum(gesprek.datum)} door {gesprek.door.get_full_name()}",
            )
            if gesprek
            else Item(soort.label.capitalize(), "missing", "nog niet gedaan")
        )
    for lid in vog_members(steungezin, day):
        label = f"VOG {lid}"
        if age_on(lid.geboortedatum, day) < 18:
            label += f" (wordt 18 op {korte_datum(add_months(lid.geboortedatum, 12 * 18))})"
        items.append(Item(label, *_vog_state(vog_stand(lid, day), organisatie)))
    trained = trained_adults(steungezin, day)
    items.append(
        Item("Training", "done", "; ".join(f"{lid.voornaam}: {d.training}" for lid, d in trained))
        if trained
        else Item("Training", "missing", "nog geen volwassene getraind")
    )
    referenties = list(steungezin.referenties.all())
    negatief = [r for r in referenties if r.uitkomst != "positief"]
    items.append(
        Item(
            "Referenties",
            "attention" if negatief else ("done" if referenties else "missing"),
            f"{len(referenties)} benaderd"
            + (f", {len(negatief)} niet positief" if negatief else "")
            if referenties
            else "nog niemand benaderd",
        )
    )
    beoordelingen = list(steungezin.criteriumbeoordelingen.all())
    nee = [b for b in beoordelingen if not b.voldoet]
    items.append(
        Item(
            "Criteria",
            "attention" if nee else ("done" if beoordelingen else "missing"),
            f"{len(beoordelingen)} beoordeeld" + (f", {len(nee)} keer 'nee'" if nee else "")
            if beoordelingen
            else "nog niet beoordeeld",
        )
    )
    return items


JUSTIS_WACHT_DAGEN = 28


@dataclass
class VogWerk:
    """The VOG work for a set of steungezinnen on one day."""

    aan_te_vragen: list = field(default_factory=list)  # (steungezin, lid)
    bij_justis: list = field(default_factory=list)  # (steungezin, lid, vog, since)
    verlopend: list = field(default_factory=list)  # (steungezin, lid, vog, until)
    wordt_18: list = field(default_factory=list)  # (steungezin, lid)


def vog_werk(steungezinnen, day: datetime.date) -> VogWerk:
    """VOGs to request, requests long at Justis, VOGs that expire within 60
    days, and members turning 18: for the screening page and the dashboard.
    Reads only what ``with_screening`` prefetches."""
    werk = VogWerk()
    for gezin in steungezinnen:
        for lid in vog_members(gezin, day):
            stand = vog_stand(lid, day)
            if age_on(lid.geboortedatum, day) < 18:
                werk.wordt_18.append((gezin, lid))
            if stand.lopend and (since := stand.lopend.at_justis_on(day)):
                if (day - since).days > JUSTIS_WACHT_DAGEN:
                    werk.bij_justis.append((gezin, lid, stand.lopend, since))
            elif stand.geweigerd is None and (stand.vog is None or stand.lopend):
                werk.aan_te_vragen.append((gezin, lid))
            elif stand.vog:
                until = stand.vog.geldig_tot(gezin.organisatie)
                if (until - day).days <= VERLOOPT_BINNEN_DAGEN:
                    werk.verlopend.append((gezin, lid, stand.vog, until))
    return werk


def laatste_activiteit(steungezin: Steungezin) -> datetime.date:
    """The last day anything happened in the screening: a status step, a
    conversation, a reference, a VOG update or a training. Reads the family's
    ``statuswijzigingen`` too, prefetched beside ``with_screening``."""
    dates = [timezone.localdate(s.op) for s in steungezin.statuswijzigingen.all()]
    dates += [g.datum for g in steungezin.screeningsgesprekken.all()]
    dates += [r.benaderd_op for r in steungezin.referenties.all()]
    dates += [
        timezone.localdate(v.bijgewerkt_op)
        for lid in steungezin.leden.all()
        for v in lid.vogs.all()
    ]
    dates += [d.training.datum for lid in steungezin.leden.all() for d in lid.deelnames.all()]
    return max(dates, default=steungezin.aangemeld_op)
