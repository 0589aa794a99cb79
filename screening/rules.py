"""The screening rules of DESIGN §4, on one steungezin and one day.

They read only what ``with_screening`` prefetches, so a page can apply them
to many families in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from gezinnen.models import Gezinslid, Steungezin, age_on
from screening.models import VOG, ScreeningGesprek, TrainingDeelname, add_months, needs_vog

VERLOOPT_BINNEN_DAGEN = 60


def with_screening(steungezinnen: QuerySet) -> QuerySet:
    return steungezinnen.select_related("organisatie").prefetch_related(
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


def current_vog(lid: Gezinslid) -> VOG | None:
    return max(lid.vogs.all(), key=lambda vog: vog.pk, default=None)


def last_gesprek(steungezin: Steungezin, soort: str) -> ScreeningGesprek | None:
    done = [g for g in steungezin.screeningsgesprekken.all() if g.soort == soort]
    return max(done, key=lambda g: (g.datum, g.pk), default=None)


def vog_members(steungezin: Steungezin, day: datetime.date) -> list[Gezinslid]:
    return [lid for lid in steungezin.leden.all() if needs_vog(lid, day)]


def trained_adults(steungezin: Steungezin) -> list[tuple[Gezinslid, TrainingDeelname]]:
    return [
        (lid, deelname)
        for lid in steungezin.leden.all()
        if lid.soort == Gezinslid.Soort.VOLWASSENE
        for deelname in lid.deelnames.all()
    ]


def vog_problem(lid: Gezinslid, day: datetime.date, *, for_approval: bool) -> str | None:
    """What is wrong with this member's VOG on that day, in words; None if fine."""
    vog = current_vog(lid)
    organisatie = lid.gezin.organisatie
    if vog is None:
        return f"Van {lid} is nog geen VOG aangevraagd."
    if vog.status != VOG.Status.ONTVANGEN:
        return f"De VOG van {lid} is nog niet ontvangen (status: {vog.get_status_display()})."
    if not vog.is_valid_on(day, organisatie):
        return f"De VOG van {lid} is verlopen op {vog.geldig_tot(organisatie):%d-%m-%Y}."
    if for_approval and not vog.is_recent_enough_on(day, organisatie):
        return (
            f"De VOG van {lid} is afgegeven op {vog.afgegeven_op:%d-%m-%Y}: langer dan "
            f"{organisatie.vog_hoogstens_maanden_oud} maanden geleden. Vraag een nieuwe aan."
        )
    return None


def tekorten_voor_goedkeuring(steungezin: Steungezin, day: datetime.date) -> list[str]:
    """Everything that stands between this steungezin and approval; empty when
    it can be approved."""
    tekorten = []
    if last_gesprek(steungezin, ScreeningGesprek.Soort.KENNISMAKING) is None:
        tekorten.append("Het kennismakingsgesprek (intake) is nog niet gedaan.")
    if last_gesprek(steungezin, ScreeningGesprek.Soort.HUISBEZOEK) is None:
        tekorten.append("Het huisbezoek is nog niet gedaan.")
    adults_today = [lid for lid in steungezin.leden.all() if age_on(lid.geboortedatum, day) >= 18]
    if not adults_today:
        tekorten.append("Er staat geen volwassene bij dit gezin.")
    for lid in adults_today:
        problem = vog_problem(lid, day, for_approval=True)
        if problem:
            tekorten.append(problem)
    if not trained_adults(steungezin):
        tekorten.append("Nog geen enkele volwassene van het gezin heeft de training gevolgd.")
    return tekorten


def herscreening_redenen(steungezin: Steungezin, day: datetime.date) -> list[str]:
    """Why an approved steungezin must be screened again before a new
    koppeling: an adult (a new one, or a child who turned 18) without a VOG,
    or a VOG that expired."""
    return [
        problem
        for lid in steungezin.leden.all()
        if age_on(lid.geboortedatum, day) >= 18
        and (problem := vog_problem(lid, day, for_approval=False))
    ]


@dataclass(frozen=True)
class Item:
    """One line of the screening overview."""

    label: str
    state: str  # "done", "missing", "expiring", "attention"
    detail: str = ""


def overzicht(steungezin: Steungezin, day: datetime.date) -> list[Item]:
    """Every screening item: done, missing or expiring, with date and who."""
    organisatie = steungezin.organisatie
    items = []
    for soort in ScreeningGesprek.Soort:
        gesprek = last_gesprek(steungezin, soort)
        items.append(
            Item(
                soort.label.capitalize(),
                "done",
                f"{gesprek.datum:%d-%m-%Y} door {gesprek.door.get_full_name()}",
            )
            if gesprek
            else Item(soort.label.capitalize(), "missing", "nog niet gedaan")
        )
    for lid in vog_members(steungezin, day):
        vog = current_vog(lid)
        label = f"VOG {lid}"
        if age_on(lid.geboortedatum, day) < 18:
            label += f" (wordt 18 op {add_months(lid.geboortedatum, 12 * 18):%d-%m-%Y})"
        if vog is None:
            items.append(Item(label, "missing", "nog niet aangevraagd"))
            continue
        who = f" ({vog.bijgewerkt_door.get_full_name()})" if vog.bijgewerkt_door else ""
        until = vog.geldig_tot(organisatie)
        if vog.status == VOG.Status.ONTVANGEN and until and until <= day:
            items.append(Item(label, "missing", f"verlopen op {until:%d-%m-%Y}"))
        elif until and (until - day).days <= VERLOOPT_BINNEN_DAGEN:
            items.append(
                Item(label, "expiring", f"verloopt {until:%d-%m-%Y}; vraag een nieuwe aan{who}")
            )
        elif vog.status == VOG.Status.ONTVANGEN:
            items.append(
                Item(
                    label,
                    "done",
                    f"afgegeven {vog.afgegeven_op:%d-%m-%Y}, geldig tot {until:%d-%m-%Y}{who}",
                )
            )
        elif vog.status == VOG.Status.GEWEIGERD:
            items.append(Item(label, "attention", f"geweigerd op {vog.geweigerd_op:%d-%m-%Y}{who}"))
        else:
            since = vog.at_justis_since()
            detail = vog.get_status_display() + (f" sinds {since:%d-%m-%Y}" if since else "") + who
            items.append(Item(label, "missing", detail))
    trained = trained_adults(steungezin)
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
            vog = current_vog(lid)
            if age_on(lid.geboortedatum, day) < 18:
                werk.wordt_18.append((gezin, lid))
            if vog is None or vog.status == VOG.Status.AAN_TE_VRAGEN:
                werk.aan_te_vragen.append((gezin, lid))
            elif (since := vog.at_justis_since()) and (day - since).days > JUSTIS_WACHT_DAGEN:
                werk.bij_justis.append((gezin, lid, vog, since))
            elif (until := vog.geldig_tot(gezin.organisatie)) and (
                until - day
            ).days <= VERLOOPT_BINNEN_DAGEN:
                werk.verlopend.append((gezin, lid, vog, until))
    return werk
