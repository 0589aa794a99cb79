"""The life of a koppeling: each step atomic, validated and audited."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts import audit
from accounts.models import AuditEntry
from gezinnen.models import Gezinslid, Steungezin, Vraaggezin, today
from matching.models import (
    Contactmoment,
    EindReden,
    Evaluatie,
    Koppeling,
    MeldcodeStap,
    Signaal,
)
from matching.suggestions import uitgesloten_reden
from screening.rules import with_screening


class KoppelingError(Exception):
    """A step the rules do not allow, with the reason in Dutch."""


def _audit(request: HttpRequest, koppeling: Koppeling, detail: str, action=None) -> None:
    audit.record(request, action or AuditEntry.Action.CHANGE, koppeling, detail=detail)


def _check_steungezin(steungezin: Steungezin, day: datetime.date) -> None:
    fresh = with_screening(Steungezin.objects.filter(pk=steungezin.pk)).get()
    if redenen := uitgesloten_reden(fresh, day):
        raise KoppelingError(f"{steungezin} kan nu geen koppeling aan: {'; '.join(redenen)}.")


@transaction.atomic
def koppeling_voorstellen(
    *, request: HttpRequest, vraaggezin: Vraaggezin, steungezin: Steungezin
) -> Koppeling:
    """Propose a match between a waiting vraaggezin and an available steungezin."""
    if vraaggezin.organisatie_id != steungezin.organisatie_id:
        raise KoppelingError("Deze gezinnen horen niet bij dezelfde organisatie.")
    if vraaggezin.status != Vraaggezin.Status.WACHTEND:
        raise KoppelingError(
            f"{vraaggezin} is {vraaggezin.get_status_display()}; voorstellen kan alleen bij een "
            "wachtend gezin (na de intake)."
        )
    _check_steungezin(steungezin, today())
    try:
        with transaction.atomic():
            koppeling = Koppeling.objects.create(
                organisatie_id=vraaggezin.organisatie_id,
                vraaggezin=vraaggezin,
                steungezin=steungezin,
                coordinator=request.user,
            )
    except IntegrityError as error:
        raise KoppelingError(f"{vraaggezin} heeft al een lopende koppeling.") from error
    _audit(request, koppeling, "voorgesteld", AuditEntry.Action.CREATE)
    return koppeling


@transaction.atomic
def kennismaking_plannen(
    *, request: HttpRequest, koppeling: Koppeling, datum: datetime.date
) -> Koppeling:
    koppeling = Koppeling.objects.select_for_update().get(pk=koppeling.pk)
    if koppeling.status not in (Koppeling.Status.VOORGESTELD, Koppeling.Status.KENNISMAKING):
        raise KoppelingError("Een kennismaking plannen kan alleen bij een voorstel.")
    koppeling.status = Koppeling.Status.KENNISMAKING
    koppeling.kennismaking_op = datum
    koppeling.save(update_fields=["status", "kennismaking_op"])
    _audit(request, koppeling, f"kennismaking op {datum:%d-%m-%Y}")
    return koppeling


@transaction.atomic
def kennismaking_uitkomst(
    *, request: HttpRequest, koppeling: Koppeling, uitkomst: str, notities: str
) -> Koppeling:
    """Go: ready to start. No-go: the koppeling ends before it began and the
    families stay as they were (waiting, available)."""
    koppeling = Koppeling.objects.select_for_update().get(pk=koppeling.pk)
    if koppeling.status != Koppeling.Status.KENNISMAKING:
        raise KoppelingError("Eerst de kennismaking plannen.")
    if koppeling.kennismaking_op and koppeling.kennismaking_op > today():
        raise KoppelingError("De kennismaking is nog niet geweest.")
    koppeling.kennismaking_uitkomst = uitkomst
    koppeling.kennismaking_notities = notities
    fields = ["kennismaking_uitkomst", "kennismaking_notities"]
    if uitkomst == Koppeling.Uitkomst.NO_GO:
        koppeling.status = Koppeling.Status.AFGESLOTEN
        koppeling.einde_op = today()
        koppeling.einde_reden = Koppeling.Reden.KLIK
        koppeling.einde_uitkomst = "Geen doorgang na de kennismaking."
        fields += ["status", "einde_op", "einde_reden", "einde_uitkomst"]
    koppeling.save(update_fields=fields)
    _audit(request, koppeling, f"kennismaking: {koppeling.get_kennismaking_uitkomst_display()}")
    return koppeling


@transaction.atomic
def koppeling_starten(
    *,
    request: HttpRequest,
    koppeling: Koppeling,
    start_op: datetime.date,
    afspraken: str,
    frequentie: str,
    kinderen: list[Gezinslid],
    gepland_einde: datetime.date | None,
    proefperiode_tot: datetime.date | None,
) -> Koppeling:
    """Start the match. The steungezin's row is locked first, so two
    coordinators starting a koppeling with it at the same moment are counted
    one after the other and its capacity is never exceeded."""
    Steungezin.objects.select_for_update().filter(pk=koppeling.steungezin_id).first()
    koppeling = Koppeling.objects.select_for_update().get(pk=koppeling.pk)
    if koppeling.status != Koppeling.Status.KENNISMAKING or (
        koppeling.kennismaking_uitkomst != Koppeling.Uitkomst.GO
    ):
        raise KoppelingError("Starten kan na een kennismaking met uitkomst 'go'.")
    # The VOGs and the re-screening flag are checked again, now.
    _check_steungezin(koppeling.steungezin, start_op)
    if any(kind.gezin_id != koppeling.vraaggezin_id for kind in kinderen):
        raise KoppelingError("Kies alleen kinderen van het vraaggezin.")
    koppeling.status = Koppeling.Status.ACTIEF
    koppeling.start_op = start_op
    koppeling.afspraken = afspraken
    koppeling.frequentie = frequentie
    koppeling.gepland_einde = gepland_einde
    koppeling.proefperiode_tot = proefperiode_tot
    koppeling.volgende_contact_op = koppeling.next_checkin(None)
    koppeling.save()
    koppeling.kinderen.set(kinderen)
    koppeling.vraaggezin.change_status(
        Vraaggezin.Status.GEKOPPELD,
        door=request.user,
        reden=f"koppeling met {koppeling.steungezin}",
    )
    _audit(request, koppeling, f"gestart op {start_op:%d-%m-%Y}")
    return koppeling


@transaction.atomic
def koppeling_afsluiten(
    *,
    request: HttpRequest,
    koppeling: Koppeling,
    einde_op: datetime.date,
    reden: str,
    uitkomst: str,
    vraaggezin_naar: str,
    steungezin_naar: str,
) -> Koppeling:
    """End the match with a reason; each family goes back (waiting /
    available) or leaves the programme."""
    koppeling = Koppeling.objects.select_for_update().get(pk=koppeling.pk)
    if koppeling.status == Koppeling.Status.AFGESLOTEN:
        raise KoppelingError("Deze koppeling is al afgesloten.")
    redenen = {r.code: r.tekst for r in EindReden.objects.voor(koppeling.organisatie)}
    if reden not in redenen:
        raise KoppelingError("Kies een reden voor het einde.")
    if koppeling.start_op and einde_op < koppeling.start_op:
        raise KoppelingError("Het einde kan niet vóór de start liggen.")
    koppeling.status = Koppeling.Status.AFGESLOTEN
    koppeling.einde_op = einde_op
    koppeling.einde_reden = reden
    koppeling.einde_uitkomst = uitkomst
    koppeling.volgende_contact_op = None
    koppeling.save()
    label = redenen[reden]
    vraag = koppeling.vraaggezin
    if vraag.status != vraaggezin_naar:
        vraag.change_status(
            vraaggezin_naar, door=request.user, reden=f"koppeling beëindigd: {label}"
        )
    steun = koppeling.steungezin
    if steungezin_naar != steun.status:
        steun.change_status(
            steungezin_naar, door=request.user, reden=f"koppeling beëindigd: {label}"
        )
    _audit(request, koppeling, f"afgesloten: {label}")
    return koppeling


def _refresh_next_checkin(koppeling: Koppeling) -> None:
    last = koppeling.contactmomenten.order_by("-datum", "-id").first()
    if last and last.volgende_op:
        koppeling.volgende_contact_op = last.volgende_op
    else:
        koppeling.volgende_contact_op = koppeling.next_checkin(last.datum if last else None)
    koppeling.save(update_fields=["volgende_contact_op"])


@transaction.atomic
def contactmoment_vastleggen(
    *, request: HttpRequest, koppeling: Koppeling, contact: Contactmoment
) -> Contactmoment:
    """Log a check-in; the next one follows from the cadence unless set by hand."""
    if koppeling.status != Koppeling.Status.ACTIEF:
        raise KoppelingError("Contactmomenten horen bij een actieve koppeling.")
    contact.koppeling = koppeling
    contact.door = request.user
    contact.full_clean()
    contact.save()
    _refresh_next_checkin(koppeling)
    _audit(request, koppeling, f"contactmoment {contact.datum:%d-%m-%Y}")
    return contact


@transaction.atomic
def signaal_melden(
    *,
    request: HttpRequest,
    koppeling: Koppeling,
    omschrijving: str,
    contactmoment: Contactmoment | None = None,
) -> Signaal:
    signaal = Signaal.objects.create(
        koppeling=koppeling,
        contactmoment=contactmoment,
        omschrijving=omschrijving,
        gemeld_door=request.user,
    )
    _audit(request, koppeling, "signaal gemeld", AuditEntry.Action.CREATE)
    return signaal


@transaction.atomic
def meldcode_stap_vastleggen(
    *, request: HttpRequest, signaal: Signaal, stap: MeldcodeStap
) -> MeldcodeStap:
    """Record a step of the Meldcode; the decision (step 5) closes the signal."""
    if not request.user.is_coordinator:
        raise KoppelingError("Alleen een professionele coördinator handelt signalen af.")
    if not signaal.is_open:
        raise KoppelingError("Dit signaal is al afgehandeld.")
    stap.signaal = signaal
    stap.door = request.user
    stap.full_clean()
    stap.save()
    if stap.stap == MeldcodeStap.Stap.BESLUIT:
        signaal.afgehandeld_op = stap.datum
        signaal.save(update_fields=["afgehandeld_op"])
    _audit(request, signaal.koppeling, f"signaal: {stap.get_stap_display()}")
    return stap


@transaction.atomic
def evaluatie_vastleggen(
    *, request: HttpRequest, koppeling: Koppeling, evaluatie: Evaluatie
) -> Evaluatie:
    evaluatie.koppeling = koppeling
    evaluatie.door = request.user
    evaluatie.full_clean()
    evaluatie.save()
    _audit(request, koppeling, f"evaluatie: {evaluatie.get_soort_display()}")
    return evaluatie
