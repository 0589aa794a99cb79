"""The life of a koppeling: keyword-only functions of the acting user and
plain values, each atomic, validated and audited.

Locks are always taken in the same order, steungezin → koppeling →
vraaggezin, so that two steps on the same families wait for each other
instead of deadlocking. Every step asks the koppeling's transition table
(``Koppeling.STEPS``) first, on the locked row.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts import audit
from accounts.models import Organisatie, User
from gezinnen.integrity import TransitionError, claim, field_labels
from gezinnen.models import Gezin, Gezinslid, Steungezin, Vraaggezin, Wijk, today
from matching.berichten import verwijzer_informeren
from matching.models import (
    AgendaFeed,
    Bericht,
    Contactmoment,
    CoordinatieUren,
    Correctie,
    EindReden,
    Evaluatie,
    Koppeling,
    MeldcodeStap,
    Notitie,
    Signaal,
    UrenWeek,
    maandag_van,
)
from matching.suggestions import uitgesloten_reden
from screening import stand
from screening.rules import herscreening_redenen, with_screening
from steungezinnen.datums import korte_datum

# A step the rules do not allow, with the reason in Dutch: the same error the
# transition tables raise, so that a page catches one kind of refusal.
KoppelingError = TransitionError


def _audit(door: User, koppeling: Koppeling, detail: str) -> None:
    audit.gewijzigd(door=door, obj=koppeling, wat=detail)


def _professional(door: User) -> None:
    if not door.is_coordinator:
        raise KoppelingError("Alleen een professionele coördinator kan dit doen.")


def _claim(
    door: User, koppeling: Koppeling, *, versie: int | None = None, snapshot_token: str = ""
) -> Koppeling:
    """Lock the koppeling as ``door`` may see it, and bump its version."""
    if not Koppeling.objects.visible_to(door).filter(pk=koppeling.pk).exists():
        raise KoppelingError("Deze koppeling bestaat niet of is niet van u.")
    return claim(
        Koppeling,
        koppeling.pk,
        versie=versie,
        snapshot_token=snapshot_token,
        labels=field_labels(Koppeling),
    )


def _lock(door: User, koppeling: Koppeling) -> Koppeling:
    """Lock the koppeling without a new version: for what is added to it
    (contactmoment, signaal, evaluatie), which must not land on a koppeling
    that is being closed at the same moment."""
    try:
        return (
            Koppeling.objects.visible_to(door).select_for_update(no_key=True).get(pk=koppeling.pk)
        )
    except ObjectDoesNotExist as error:
        raise KoppelingError("Deze koppeling bestaat niet of is niet van u.") from error


def _lock_steungezin(steungezin_id: int) -> Steungezin:
    return Steungezin.objects.select_for_update(no_key=True).get(pk=steungezin_id)


def _check_steungezin(steungezin: Steungezin, day: datetime.date) -> None:
    fresh = with_screening(Steungezin.objects.filter(pk=steungezin.pk)).get()
    if redenen := uitgesloten_reden(fresh, day):
        raise KoppelingError(f"{steungezin} kan nu geen koppeling aan: {'; '.join(redenen)}.")


def _sync(koppeling: Koppeling, current: Koppeling) -> Koppeling:
    """The caller's object shows what was written."""
    koppeling.__dict__.update(
        {f.attname: getattr(current, f.attname) for f in Koppeling._meta.concrete_fields}
    )
    return current


@transaction.atomic
def koppeling_voorstellen(
    *,
    door: User,
    vraaggezin: Vraaggezin,
    steungezin: Steungezin,
    op: datetime.date | None = None,
) -> Koppeling:
    """Propose a match between a waiting vraaggezin and an available steungezin;
    ``op`` the day it was proposed when that was before today (an imported
    programme's running matches)."""
    _professional(door)
    op = op or today()
    if op > today():
        raise ValidationError({"voorgesteld_op": "Een voorstel kan niet vooruit worden gedaan."})
    if not (vraaggezin.organisatie_id == steungezin.organisatie_id == door.organisatie_id):
        raise KoppelingError("Deze gezinnen horen niet bij dezelfde organisatie.")
    steun = _lock_steungezin(steungezin.pk)
    vraag = Vraaggezin.objects.select_for_update(no_key=True).get(pk=vraaggezin.pk)
    if vraag.status != Vraaggezin.Status.WACHTEND:
        raise KoppelingError(
            f"{vraag} is {vraag.get_status_display()}; voorstellen kan alleen bij een "
            "wachtend gezin (na de intake)."
        )
    _check_steungezin(steun, today())
    koppeling = Koppeling(
        organisatie_id=vraag.organisatie_id,
        vraaggezin=vraag,
        steungezin=steun,
        coordinator=door,
        voorgesteld_op=op,
    )
    koppeling.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            koppeling.save()
    except IntegrityError as error:
        raise KoppelingError(f"{vraag} heeft al een lopende koppeling.") from error
    audit.aangemaakt(door=door, obj=koppeling, toelichting="voorgesteld")
    return koppeling


@transaction.atomic
def kennismaking_plannen(
    *, door: User, koppeling: Koppeling, datum: datetime.date, versie: int | None = None
) -> Koppeling:
    _professional(door)
    current = _claim(door, koppeling, versie=versie)
    current.check_step("kennismaking_plannen")
    if datum < current.voorgesteld_op:
        raise ValidationError({"datum": "De kennismaking kan niet vóór het voorstel liggen."})
    current.status = Koppeling.Status.KENNISMAKING
    current.kennismaking_op = datum
    current.full_clean()
    current.save(update_fields=["status", "kennismaking_op"])
    _audit(door, current, f"kennismaking op {datum:%d-%m-%Y}")
    return _sync(koppeling, current)


@transaction.atomic
def kennismaking_uitkomst_vastleggen(
    *, door: User, koppeling: Koppeling, uitkomst: str, notities: str, versie: int | None = None
) -> Koppeling:
    """Go: ready to start. No-go: the koppeling ends before it began and the
    families stay as they were (waiting, available)."""
    _professional(door)
    current = _claim(door, koppeling, versie=versie)
    current.check_step("kennismaking_uitkomst")
    current.kennismaking_uitkomst = uitkomst
    current.kennismaking_notities = notities
    fields = ["kennismaking_uitkomst", "kennismaking_notities"]
    if uitkomst == Koppeling.Uitkomst.NO_GO:
        current.check_step("afsluiten", reden=Koppeling.Reden.KLIK)
        current.status = Koppeling.Status.AFGESLOTEN
        current.einde_op = today()
        current.einde_reden = Koppeling.Reden.KLIK
        current.einde_uitkomst = "Geen doorgang na de kennismaking."
        fields += ["status", "einde_op", "einde_reden", "einde_uitkomst"]
    current.full_clean()
    current.save(update_fields=fields)
    _audit(door, current, f"kennismaking: {current.get_kennismaking_uitkomst_display()}")
    return _sync(koppeling, current)


@transaction.atomic
def koppeling_starten(
    *,
    door: User,
    koppeling: Koppeling,
    start_op: datetime.date,
    afspraken: str,
    frequentie: str,
    kinderen: list[int],
    gepland_einde: datetime.date | None,
    proefperiode_tot: datetime.date | None,
    versie: int | None = None,
    verwijzer_bericht: bool = True,
) -> Koppeling:
    """Start the match. The steungezin's row is locked first, so two
    coordinators starting a koppeling with it at the same moment are counted
    one after the other and its capacity is never exceeded.

    ``verwijzer_bericht`` False: the referrer is not told (an imported match
    that began before the programme came into the app is no news)."""
    _professional(door)
    steun = _lock_steungezin(koppeling.steungezin_id)
    current = _claim(door, koppeling, versie=versie)
    current.check_step("starten")
    vraag = claim(Vraaggezin, current.vraaggezin_id, versie=None)
    vraag.check_step("koppelen")
    if problem := current.start_refusal(start_op, today()):
        raise ValidationError({"start_op": problem})
    # The VOGs, the re-screening flag and the capacity are checked again, now.
    _check_steungezin(steun, start_op)
    _check_steungezin(steun, today())
    children = set(vraag.leden.filter(soort=Gezinslid.Soort.KIND).values_list("pk", flat=True))
    if not kinderen or set(kinderen) - children:
        raise ValidationError({"kinderen": "Kies een of meer kinderen van het vraaggezin."})
    current.status = Koppeling.Status.ACTIEF
    current.start_op = start_op
    current.afspraken = afspraken
    current.frequentie = frequentie
    current.gepland_einde = gepland_einde
    current.proefperiode_tot = proefperiode_tot
    current.volgende_contact_op = current.next_checkin(None)
    current.full_clean()
    current.save(
        update_fields=[
            "status",
            "start_op",
            "afspraken",
            "frequentie",
            "gepland_einde",
            "proefperiode_tot",
            "volgende_contact_op",
        ]
    )
    current.kinderen.set(kinderen)
    current.evaluatie_plannen()
    vraag.apply_step("koppelen", door=door, reden=f"koppeling nr. {current.pk} gestart")
    _audit(door, current, f"gestart op {start_op:%d-%m-%Y}")
    if verwijzer_bericht:
        verwijzer_informeren(
            door=door,
            koppeling=current,
            vraag=vraag,
            soort=Bericht.Soort.VERWIJZER_START,
            dag=start_op,
        )
    return _sync(koppeling, current)


@transaction.atomic
def koppeling_begeleiding(
    *,
    door: User,
    koppeling: Koppeling,
    coordinator: User,
    vrijwilliger: User | None,
    professional_nodig: bool,
    versie: int | None = None,
    snapshot_token: str = "",
) -> Koppeling:
    """Who guides the koppeling. A koppeling that needs a professional never
    gets a volunteer coordinator (also a database constraint)."""
    _professional(door)
    current = _claim(door, koppeling, versie=versie, snapshot_token=snapshot_token)
    current.check_step("begeleiding")
    values = {
        "coordinator_id": coordinator.pk,
        "vrijwilliger_id": vrijwilliger.pk if vrijwilliger else None,
        "professional_nodig": professional_nodig,
    }
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, values[name])
    current.full_clean()
    current.save(update_fields=changed)
    labels = {"coordinator_id": "coördinator", "vrijwilliger_id": "vrijwillige coördinator"}
    what = ", ".join(labels.get(name, name.replace("_", " ")) for name in changed)
    _audit(door, current, f"begeleiding: {what or 'niets gewijzigd'}")
    return _sync(koppeling, current)


@transaction.atomic
def koppeling_afsluiten(
    *,
    door: User,
    koppeling: Koppeling,
    einde_op: datetime.date,
    reden: str,
    uitkomst: str,
    vraaggezin_naar: str,
    steungezin_naar: str,
    doel_bereikt: str = "",
    versie: int | None = None,
) -> Koppeling:
    """End the match with a reason; each family goes back (waiting /
    available) or leaves the programme. A koppeling that started says
    whether its goal was reached (ja, deels, nee); one that ends before the
    start leaves that blank.

    A steungezin stays available only if it still passes the screening rules
    on that day; otherwise it goes back to screening with the reason.
    """
    _professional(door)
    steun = _lock_steungezin(koppeling.steungezin_id)
    current = _claim(door, koppeling, versie=versie)
    redenen = {r.code: r.tekst for r in EindReden.objects.voor(current.organisatie)}
    if reden not in redenen:
        raise KoppelingError("Kies een reden voor het einde.")
    current.check_step("afsluiten", reden=reden)
    if vraaggezin_naar not in (Vraaggezin.Status.WACHTEND, Vraaggezin.Status.AFGESLOTEN):
        raise ValidationError({"vraaggezin_naar": "Kies wat er met het vraaggezin gebeurt."})
    if steungezin_naar not in (Steungezin.Status.BESCHIKBAAR, Steungezin.Status.GESTOPT):
        raise ValidationError({"steungezin_naar": "Kies wat er met het steungezin gebeurt."})
    if einde_op > today():
        raise ValidationError({"einde_op": "Het einde kan niet in de toekomst liggen."})
    if current.doel_bereikt_nodig and doel_bereikt not in Koppeling.DoelBereikt.values:
        raise ValidationError(
            {"doel_bereikt": "Geef aan of het doel van de koppeling bereikt is: ja, deels of nee."}
        )
    if not current.doel_bereikt_nodig and doel_bereikt:
        raise ValidationError(
            {"doel_bereikt": "Een koppeling die niet gestart is, heeft geen doel om te bereiken."}
        )
    was_actief = current.status == Koppeling.Status.ACTIEF
    current.status = Koppeling.Status.AFGESLOTEN
    current.einde_op = einde_op
    current.einde_reden = reden
    current.einde_uitkomst = uitkomst
    current.doel_bereikt = doel_bereikt
    current.volgende_contact_op = None
    current.full_clean()
    current.save(
        update_fields=[
            "status",
            "einde_op",
            "einde_reden",
            "einde_uitkomst",
            "doel_bereikt",
            "volgende_contact_op",
        ]
    )
    current.evaluatie_plannen()
    label = redenen[reden]
    vraag = claim(Vraaggezin, current.vraaggezin_id, versie=None)
    if was_actief:
        vraag.apply_step(
            "weer_wachten"
            if vraaggezin_naar == Vraaggezin.Status.WACHTEND
            else "koppeling_verlaten",
            door=door,
            reden=f"koppeling beëindigd: {label}",
        )
    elif vraaggezin_naar == Vraaggezin.Status.AFGESLOTEN:
        vraag.apply_step("afsluiten", door=door, reden=f"koppeling beëindigd: {label}")
    _steungezin_na_afloop(door, steun, steungezin_naar, f"koppeling beëindigd: {label}")
    doel = f"; doel bereikt: {current.get_doel_bereikt_display()}" if doel_bereikt else ""
    _audit(door, current, f"afgesloten: {label}{doel}")
    if was_actief:  # a referrer was told of the start, so it hears of the end
        verwijzer_informeren(
            door=door,
            koppeling=current,
            vraag=vraag,
            soort=Bericht.Soort.VERWIJZER_EINDE,
            dag=einde_op,
        )
    return _sync(koppeling, current)


@transaction.atomic
def koppeling_heropenen(
    *, door: User, koppeling: Koppeling, reden: str, versie: int | None = None
) -> Koppeling:
    """Undo the end of a koppeling that ran: closed by mistake, or the
    families go on after all. It runs again from today with its agreements;
    the end as it was stays in its history (a Correctie "heropend"), the
    reason in the vraaggezin's timeline. The rules of a start hold again: the
    vraaggezin has no other koppeling, the steungezin is available, passes the
    screening today and has room (its row locked first, as at a start)."""
    _professional(door)
    steun = _lock_steungezin(koppeling.steungezin_id)
    current = _claim(door, koppeling, versie=versie)
    current.check_step("heropenen", reden=reden)
    vraag = claim(Vraaggezin, current.vraaggezin_id, versie=None)
    if vraag.refusal("koppeling_hervatten"):
        raise KoppelingError(
            f"{vraag} is nu {vraag.get_status_display()}: heropenen kan als het gezin wacht "
            "of na deze koppeling het programma verliet."
        )
    if steun.status != Steungezin.Status.BESCHIKBAAR:
        raise KoppelingError(
            f"{steun} is {steun.get_status_display()}: heropen eerst het steungezin en rond "
            "de screening af."
        )
    _check_steungezin(steun, today())
    redenen = {r.code: r.tekst for r in EindReden.objects.voor(current.organisatie)}
    oud = {
        "einde_op": korte_datum(current.einde_op),
        "einde_reden": redenen.get(current.einde_reden, current.einde_reden),
        "einde_uitkomst": current.einde_uitkomst or "—",
        "doel_bereikt": current.get_doel_bereikt_display() or "—",
    }
    current.status = Koppeling.Status.ACTIEF
    current.einde_op = None
    current.einde_reden = current.einde_uitkomst = current.doel_bereikt = ""
    current.full_clean()
    try:
        with transaction.atomic():
            current.save(
                update_fields=[
                    "status",
                    "einde_op",
                    "einde_reden",
                    "einde_uitkomst",
                    "doel_bereikt",
                ]
            )
    except IntegrityError as error:
        raise KoppelingError(f"{vraag} heeft al een andere lopende koppeling.") from error
    current.contact_plannen()
    # It runs again from today: a check-in the cadence had due long ago is
    # due now, not "over tijd" since then.
    if current.volgende_contact_op < today():
        current.volgende_contact_op = today()
        current.save(update_fields=["volgende_contact_op"])
    current.evaluatie_plannen()
    Correctie.objects.create(
        organisatie_id=current.organisatie_id,
        item_type=Koppeling._meta.label_lower,
        item_id=current.pk,
        koppeling=current,
        soort=Correctie.Soort.HEROPEND,
        reden=reden.strip(),
        door=door,
        oud=oud,
    )
    vraag.apply_step(
        "koppeling_hervatten", door=door, reden=f"koppeling nr. {current.pk} heropend: {reden}"
    )
    _audit(door, current, "heropend")
    # The referrer heard that support stopped: it hears that it runs again,
    # or it would go on believing the family is without support.
    verwijzer_informeren(
        door=door, koppeling=current, vraag=vraag, soort=Bericht.Soort.VERWIJZER_START, dag=today()
    )
    return _sync(koppeling, current)


def _steungezin_na_afloop(door: User, steun: Steungezin, naar: str, reden: str) -> None:
    steun = claim(Steungezin, steun.pk, versie=None)
    if naar == Steungezin.Status.GESTOPT:
        steun.apply_step("stoppen", door=door, reden=reden)
    elif steun.status == Steungezin.Status.BESCHIKBAAR:
        fresh = with_screening(Steungezin.objects.filter(pk=steun.pk)).get()
        if problemen := herscreening_redenen(fresh, today()):
            steun.apply_step(
                "opnieuw_screenen",
                door=door,
                reden=f"{reden}; opnieuw screenen: {' '.join(problemen)}",
            )
    # else: in screening already, it stays there
    stand.bijwerken([steun.pk], today())


@transaction.atomic
def contactmoment_vastleggen(
    *,
    door: User,
    koppeling: Koppeling,
    datum: datetime.date,
    met: str,
    hoe: str,
    verloop: str,
    notities: str = "",
    volgende_op: datetime.date | None = None,
) -> Contactmoment:
    """Log a check-in; the next one follows from the cadence unless set by hand."""
    current = _lock(door, koppeling)
    current.check_step("contactmoment")
    if current.start_op and datum < current.start_op:
        raise ValidationError({"datum": "Een contactmoment kan niet vóór de start liggen."})
    contact = Contactmoment(
        koppeling=current,
        door=door,
        datum=datum,
        met=met,
        hoe=hoe,
        verloop=verloop,
        notities=notities,
        volgende_op=volgende_op,
    )
    contact.full_clean()
    contact.save()
    current.contact_plannen()
    koppeling.volgende_contact_op = current.volgende_contact_op
    _audit(door, current, f"contactmoment {contact.datum:%d-%m-%Y}")
    return contact


@transaction.atomic
def signaal_melden(
    *,
    door: User,
    koppeling: Koppeling,
    omschrijving: str,
    contactmoment: Contactmoment | None = None,
) -> Signaal:
    current = _lock(door, koppeling)
    current.check_step("signaal_melden")
    if contactmoment is not None and contactmoment.koppeling_id != current.pk:
        raise ValidationError("Dit contactmoment hoort niet bij deze koppeling.")
    signaal = Signaal(
        koppeling=current, contactmoment=contactmoment, omschrijving=omschrijving, gemeld_door=door
    )
    signaal.full_clean()
    signaal.save()
    audit.aangemaakt(door=door, obj=current, toelichting="signaal gemeld")
    return signaal


@transaction.atomic
def notitie_toevoegen(
    *,
    door: User,
    tekst: str,
    gezin: Gezin | None = None,
    koppeling: Koppeling | None = None,
    alleen_professionals: bool = False,
) -> Notitie:
    """A note in a family's file (a professional coordinator) or in a
    koppeling's (also its volunteer coordinator, though never one marked for
    professionals only). Nothing is added to a closed koppeling or to an
    anonymised family; the parent row is locked, so that a note cannot land
    while the koppeling is being closed or the family erased."""
    if (gezin is None) == (koppeling is None):
        raise ValueError("Een notitie hoort bij een gezin of bij een koppeling.")
    if gezin is not None or alleen_professionals:
        _professional(door)
    if gezin is not None:
        try:
            parent = Gezin.objects.visible_to(door).select_for_update(no_key=True).get(pk=gezin.pk)
        except ObjectDoesNotExist as error:
            raise KoppelingError("Dit gezin bestaat niet of is niet van u.") from error
        if refusal := parent.niet_geanonimiseerd():
            raise KoppelingError(refusal)
    else:
        parent = _lock(door, koppeling)
        parent.check_step("notitie")
    notitie = Notitie(
        organisatie_id=parent.organisatie_id,
        gezin=parent if gezin is not None else None,
        koppeling=parent if koppeling is not None else None,
        tekst=tekst.strip(),
        alleen_professionals=alleen_professionals,
        door=door,
    )
    notitie.full_clean()
    notitie.save()
    # Which record it is about, never what it says.
    bij = audit.label(gezin if gezin is not None else parent)
    merk = ", alleen voor professionals" if alleen_professionals else ""
    audit.aangemaakt(door=door, obj=notitie, toelichting=f"notitie bij {bij}{merk}")
    return notitie


@transaction.atomic
def meldcode_stap_vastleggen(
    *,
    door: User,
    signaal: Signaal,
    stap: int,
    datum: datetime.date,
    notitie: str,
    hulp_georganiseerd: bool = False,
    melding_veilig_thuis: bool = False,
) -> MeldcodeStap:
    """Record a step of the Meldcode; the decision (step 5), which comes after
    steps 1 to 4, closes the signal."""
    _professional(door)
    try:
        current = (
            Signaal.objects.filter(koppeling__in=Koppeling.objects.visible_to(door))
            .select_for_update(no_key=True)
            .get(pk=signaal.pk)
        )
    except ObjectDoesNotExist as error:
        raise KoppelingError("Dit signaal bestaat niet of is niet van u.") from error
    current.check_step("stap_vastleggen")
    besluit = stap == MeldcodeStap.Stap.BESLUIT
    if besluit:
        current.check_step("afhandelen")
    record = MeldcodeStap(
        signaal=current,
        stap=stap,
        datum=datum,
        door=door,
        notitie=notitie,
        hulp_georganiseerd=hulp_georganiseerd,
        melding_veilig_thuis=melding_veilig_thuis,
    )
    record.full_clean()
    record.save()
    if besluit:
        current.status = Signaal.Status.AFGEHANDELD
        current.afgehandeld_op = datum
        current.save(update_fields=["status", "afgehandeld_op"])
        signaal.status, signaal.afgehandeld_op = current.status, current.afgehandeld_op
    _audit(door, current.koppeling, f"signaal: {record.get_stap_display()}")
    return record


@transaction.atomic
def evaluatie_vastleggen(
    *,
    door: User,
    koppeling: Koppeling,
    soort: str,
    datum: datetime.date,
    vraag_scores: dict[str, int],
    steun_scores: dict[str, int],
    conclusie: str,
    vraag_goed: str = "",
    vraag_beter: str = "",
    vraag_doorgaan: bool | None = None,
    steun_goed: str = "",
    steun_beter: str = "",
    steun_doorgaan: bool | None = None,
) -> Evaluatie:
    _professional(door)
    current = _lock(door, koppeling)
    current.check_step("evaluatie")
    if current.start_op and datum < current.start_op:
        raise ValidationError({"datum": "Een evaluatie kan niet vóór de start liggen."})
    for scores in (vraag_scores, steun_scores):
        if any(not 1 <= int(score) <= 5 for score in scores.values()):
            raise ValidationError("Een score is 1 tot en met 5.")
    evaluatie = Evaluatie(
        koppeling=current,
        door=door,
        soort=soort,
        datum=datum,
        vraag_scores=vraag_scores,
        steun_scores=steun_scores,
        conclusie=conclusie,
        vraag_goed=vraag_goed,
        vraag_beter=vraag_beter,
        vraag_doorgaan=vraag_doorgaan,
        steun_goed=steun_goed,
        steun_beter=steun_beter,
        steun_doorgaan=steun_doorgaan,
    )
    evaluatie.full_clean()
    evaluatie.save()
    current.evaluatie_plannen()
    _audit(door, current, f"evaluatie: {evaluatie.get_soort_display()}")
    return evaluatie


MAX_UREN_PER_WEEK = Decimal(80)


def _uren(aantal: Decimal) -> str:
    """Hours as the audit log and the messages write them: "3,5"."""
    return f"{aantal:.1f}".replace(".", ",")


def uren_problemen(organisatie: Organisatie, uren: dict[str, Decimal]) -> list[str]:
    """What is wrong with hours per gemeente ("" for algemeen), in Dutch:
    a gemeente the organisation's wijken lack, a negative number, more
    than one decimal. Recording and correcting hours share it."""
    gemeenten = {"", *Wijk.objects.filter(organisatie=organisatie).gemeenten()}
    problemen = []
    for gemeente, aantal in uren.items():
        naam = gemeente or "algemeen"
        if gemeente not in gemeenten:
            problemen.append(f"{gemeente} is geen gemeente van de wijken van uw organisatie.")
        elif not aantal.is_finite() or aantal < 0:
            problemen.append(f"{naam}: vul 0 of meer uren in.")
        elif aantal.normalize().as_tuple().exponent < -1:
            problemen.append(f"{naam}: vul de uren in op een tiende uur (bijvoorbeeld 2,5).")
    return problemen


UREN_REDEN_NODIG = (
    "Deze week had al uren. Geef de reden waarom u uren wijzigt of weghaalt; "
    "die komt in de geschiedenis."
)


@transaction.atomic
def uren_vastleggen(
    *,
    door: User,
    week: datetime.date,
    uren: dict[str, Decimal],
    notitie: str = "",
    reden: str = "",
) -> list[CoordinatieUren]:
    """A coordinator's hours in one week (the Monday), per gemeente of the
    organisation and "" for algemeen. They replace what the week held: a
    gemeente left out or at 0 has no row. The week's total is at most 80.

    A saved row whose hours change or go is corrected or withdrawn with
    ``reden`` (matching.correcties), so that the hours' history shows it; a
    week's first hours, or a gemeente added, need no reason."""
    _professional(door)
    # Two submissions for one week each replace the other's rows; without a
    # lock both could land, and the week would hold the hours of both.
    User.objects.select_for_update(no_key=True).get(pk=door.pk)
    maandag = maandag_van(week)
    if problemen := uren_problemen(door.organisatie, uren):
        raise ValidationError(problemen)
    totaal = sum(uren.values(), Decimal(0))
    if totaal > MAX_UREN_PER_WEEK:
        raise ValidationError(
            f"Een week heeft hoogstens {MAX_UREN_PER_WEEK} uur coördinatie; "
            f"samen is dit {_uren(totaal)} uur."
        )
    regels = {
        gemeente: aantal.quantize(Decimal("0.1")) for gemeente, aantal in uren.items() if aantal
    }
    opgeslagen = CoordinatieUren.objects.filter(coordinator=door, week=maandag)
    gewijzigd = [regel for regel in opgeslagen if regels.get(regel.gemeente) != regel.uren]
    if gewijzigd and not reden.strip():
        raise ValidationError({"reden": UREN_REDEN_NODIG})
    # Imported here: matching.correcties builds on this module.
    from matching import correcties

    # Fewer hours first, so that no step on the way passes the week's limit.
    for regel in sorted(gewijzigd, key=lambda r: regels.get(r.gemeente, 0) - r.uren):
        if regel.gemeente in regels:
            correcties.corrigeren(door=door, item=regel, reden=reden, uren=regels[regel.gemeente])
        else:
            correcties.intrekken(door=door, item=regel, reden=reden)
    records = []
    for gemeente, aantal in regels.items():
        record = CoordinatieUren(
            organisatie=door.organisatie,
            coordinator=door,
            week=maandag,
            gemeente=gemeente,
            uren=aantal,
            notitie=notitie,
        )
        # The one-row-per-gemeente rule is update_or_create's, below.
        record.full_clean(exclude=["coordinator"])
        # A new version, so that a correction page opened before this answers
        # with the conflict instead of overwriting what the week now holds.
        waarden = {"organisatie": door.organisatie, "uren": aantal, "notitie": notitie}
        record, _ = CoordinatieUren.objects.update_or_create(
            coordinator=door,
            week=maandag,
            gemeente=gemeente,
            defaults={**waarden, "versie": F("versie") + 1},
            create_defaults=waarden,
        )
        record.refresh_from_db(fields=["versie"])
        records.append(record)
    records = UrenWeek(maandag, records).regels
    verdeling = "; ".join(f"{r.gemeente_label} {_uren(r.uren)}" for r in records) or "geen"
    audit.gewijzigd(door=door, obj=door, wat=f"uren week {maandag:%Y-%m-%d}: {verdeling}")
    return records


@transaction.atomic
def agenda_feed_vernieuwen(*, door: User) -> AgendaFeed:
    """A new secret address; the old one stops working at once."""
    feed, _ = AgendaFeed.objects.update_or_create(
        user=door, defaults={"token": secrets.token_urlsafe(32)}
    )
    audit.rechten_gewijzigd(door=door, gebruiker=door, wijzigingen="agenda-adres aangemaakt")
    return feed


@transaction.atomic
def agenda_feed_intrekken(*, door: User) -> None:
    AgendaFeed.objects.filter(user=door).delete()
    audit.rechten_gewijzigd(door=door, gebruiker=door, wijzigingen="agenda-adres ingetrokken")
