"""Screening workflows: keyword-only functions of the acting user and plain
values, each atomic, validated and audited on the steungezin.

Every one of them locks the steungezin's row first, so that the screening
cannot change under an approval that is being decided at the same moment.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts.models import Organisatie, User
from gezinnen.integrity import (
    SNAPSHOT_SALT,
    EditConflict,
    TransitionError,
    claim,
    field_labels,
    sign_snapshot,
    snapshot,
)
from gezinnen.models import Gezinslid, Statuswijziging, Steungezin, today
from screening import stand
from screening.models import (
    VOG,
    Criterium,
    CriteriumBeoordeling,
    Referentie,
    ScreeningGesprek,
    Training,
    TrainingDeelname,
)
from screening.rules import latest_vog, tekorten_voor_goedkeuring, with_screening
from steungezinnen.datums import korte_datum

__all__ = ["ApprovalRefused", "EditConflict", "TransitionError"]

# What a VOG form edits (``VOGForm``), and what it shows of the record to tell
# later whether somebody else changed it meanwhile: its number too, so a VOG
# started by someone else since the form was opened counts as a change.
VOG_VELDEN = [
    "status",
    "klaargezet_op",
    "aangevraagd_op",
    "ontvangen_op",
    "afgegeven_op",
    "geweigerd_op",
    "screeningsprofiel",
    "gratis",
    "notitie",
]
VOG_GEZIEN = ["id", *VOG_VELDEN]
VOG_AF = (
    "Deze VOG is ontvangen of geweigerd en wordt niet meer bijgewerkt. Klopt er iets niet, "
    "corrigeer hem dan met een reden; verloopt hij, vraag dan een nieuwe aan."
)


class ApprovalRefused(TransitionError):
    def __init__(self, tekorten: list[str]):
        self.tekorten = tekorten
        super().__init__("Nog niet alles is rond: " + " ".join(tekorten))


def _lock(steungezin_id: int) -> Steungezin:
    gezin = Steungezin.objects.select_for_update(no_key=True).get(pk=steungezin_id)
    # A ValidationError, as every refusal of these forms: the page shows it.
    if problem := gezin.niet_geanonimiseerd():
        raise ValidationError(problem)
    return gezin


def _afronden(door: User, steungezin: Steungezin, detail: str) -> None:
    """Every screening write ends here, under the steungezin's lock: an
    aangemeld family whose screening gets its first record is taken into
    screening, the table's own step in its timeline (nobody sets that status
    by hand, and the screening lists see it from then on); then its stored
    verdict recomputed in the same transaction, and the audit event."""
    huidig = Steungezin.objects.only("status").get(pk=steungezin.pk)
    if huidig.status == Steungezin.Status.AANGEMELD:
        locked = claim(Steungezin, steungezin.pk, versie=None)
        begin = locked.apply_step(
            "screening_beginnen", door=door, reden=f"Screening begonnen: {detail}."
        )
        audit.gewijzigd(door=door, obj=locked, wat=f"status: {begin.van} → {begin.naar}")
        steungezin.status, steungezin.versie = locked.status, locked.versie
    stand.bijwerken([steungezin.pk], today())
    audit.gewijzigd(door=door, obj=steungezin, wat=detail)


def vog_gezien(vog: VOG) -> str:
    """The signed snapshot a VOG form carries (``vog_bijwerken(gezien=...)``)."""
    return sign_snapshot(vog, VOG_GEZIEN)


def _vog_ongewijzigd(lid: Gezinslid, gezien: str) -> None:
    """EditConflict when the member's latest VOG is no longer what the form
    showed: another coordinator saved it, or started a new one, meanwhile."""
    try:
        before = signing.loads(gezien, salt=SNAPSHOT_SALT)
    except signing.BadSignature:
        return
    current = VOG.objects.filter(gezinslid=lid).order_by("-pk").first() or VOG(gezinslid=lid)
    now = snapshot(current, list(before))
    labels = {**field_labels(VOG), "id": "een nieuwere VOG"}
    if changed := [labels[name] for name, value in now.items() if before[name] != value]:
        raise EditConflict(changed, current.bijgewerkt_door, current)


@transaction.atomic
def vog_aanvragen(*, door: User, lid: Gezinslid) -> VOG:
    """A new VOG for a member: the first, or a renewal once the last one is
    final (received or refused). A request still open is returned as it is."""
    _lock(lid.gezin_id)
    vog = latest_vog(lid)
    if vog is not None and vog.status not in VOG.FINAL:
        return vog
    vog = VOG(gezinslid=lid, bijgewerkt_door=door)
    vog.full_clean()
    vog.save()
    _afronden(door, lid.gezin, f"VOG {audit.label(lid)}: nieuwe aanvraag")
    return vog


@transaction.atomic
def vog_bijwerken(
    *,
    door: User,
    lid: Gezinslid,
    vog_id: int | None,
    gegevens: dict[str, Any],
    gezien: str = "",
) -> VOG:
    """Record the status and dates of a member's VOG (``vog_id`` None: the
    member's first one). ``gezien`` (``vog_gezien`` of the VOG the form showed)
    refuses to save over somebody else's change made since."""
    _lock(lid.gezin_id)
    if gezien:
        _vog_ongewijzigd(lid, gezien)
    vog = (
        VOG.objects.select_for_update(no_key=True).get(pk=vog_id, gezinslid=lid)
        if vog_id
        else VOG(gezinslid=lid)
    )
    if vog.status in VOG.FINAL:
        # Its progress is over: what was wrong in it is a correction, with a
        # reason and its history (matching.correcties), not silently replaced.
        raise ValidationError(VOG_AF)
    for name, value in gegevens.items():
        setattr(vog, name, value)
    vog.bijgewerkt_door = door
    if vog.pk:
        # Locked above: a correction page opened before now gets the conflict.
        vog.versie += 1
    vog.full_clean()
    vog.save()
    _afronden(door, lid.gezin, f"VOG {audit.label(lid)}: {vog.get_status_display()}")
    return vog


@transaction.atomic
def gesprek_vastleggen(
    *,
    door: User,
    steungezin: Steungezin,
    soort: str,
    datum: datetime.date,
    gevoerd_door: User,
    notities: str = "",
) -> ScreeningGesprek:
    """A kennismakingsgesprek (the intake) or a huisbezoek."""
    return gesprekken_vastleggen(
        door=door,
        steungezin=steungezin,
        soorten=[soort],
        datum=datum,
        gevoerd_door=gevoerd_door,
        notities=notities,
    )[0]


@transaction.atomic
def gesprekken_vastleggen(
    *,
    door: User,
    steungezin: Steungezin,
    soorten: list[str],
    datum: datetime.date,
    gevoerd_door: User,
    notities: str = "",
) -> list[ScreeningGesprek]:
    """One conversation that counts as each of ``soorten``: an intake held at
    the family's home is the huisbezoek too."""
    gezin = _lock(steungezin.pk)
    if gevoerd_door.organisatie_id != gezin.organisatie_id:
        raise ValidationError({"door": "Kies een coördinator van de eigen organisatie."})
    if not soorten:
        raise ValidationError({"soorten": "Kies wat voor gesprek het was."})
    gesprekken = []
    for soort in dict.fromkeys(soorten):
        gesprek = ScreeningGesprek(
            steungezin=gezin, soort=soort, datum=datum, door=gevoerd_door, notities=notities
        )
        gesprek.full_clean()
        gesprek.save()
        gesprekken.append(gesprek)
    _afronden(door, gezin, " en ".join(g.get_soort_display() for g in gesprekken))
    return gesprekken


@transaction.atomic
def referentie_vastleggen(*, door: User, steungezin: Steungezin, **gegevens: Any) -> Referentie:
    """A reference that was approached: naam, relatie, benaderd_op, uitkomst, notitie."""
    gezin = _lock(steungezin.pk)
    referentie = Referentie(steungezin=gezin, door=door, **gegevens)
    referentie.full_clean()
    referentie.save()
    _afronden(door, gezin, "referentie")
    return referentie


def _beoordelingen(beoordelingen) -> dict[str, str]:
    return {str(b.criterium_id): f"{b.voldoet}|{b.notitie}" for b in beoordelingen}


def criteria_gezien(beoordelingen) -> str:
    """The signed answers a criteria form showed (``criteria_beoordelen(gezien=...)``)."""
    return signing.dumps(_beoordelingen(beoordelingen), salt=SNAPSHOT_SALT, compress=True)


@transaction.atomic
def criteria_beoordelen(
    *,
    door: User,
    steungezin: Steungezin,
    antwoorden: list[tuple[Criterium, str, str]],
    gezien: str = "",
) -> None:
    """Per criterion of the organisation 'ja', 'nee' or '' (not yet), with a
    note. ``gezien`` (``criteria_gezien`` of what the form showed) refuses to
    save over answers somebody else changed since."""
    gezin = _lock(steungezin.pk)
    if gezien:
        try:
            before = signing.loads(gezien, salt=SNAPSHOT_SALT)
        except signing.BadSignature:
            before = None
        current = list(gezin.criteriumbeoordelingen.select_related("criterium", "door"))
        now = _beoordelingen(current)
        if before is not None and before != now:
            changed = [
                b for b in current if before.get(str(b.criterium_id)) != now[str(b.criterium_id)]
            ]
            raise EditConflict(
                [b.criterium.tekst for b in changed] or ["een beoordeling is gewist"],
                max(changed, key=lambda b: b.pk).door if changed else None,
                gezin,
            )
    for criterium, antwoord, notitie in antwoorden:
        if criterium.organisatie_id != gezin.organisatie_id:
            raise ValidationError("Dit criterium hoort niet bij de organisatie.")
        current = CriteriumBeoordeling.objects.filter(steungezin=gezin, criterium=criterium)
        if not antwoord:
            current.delete()
            continue
        if antwoord not in ("ja", "nee"):
            raise ValidationError("Een criterium is 'ja', 'nee' of nog niet beoordeeld.")
        beoordeling = current.first() or CriteriumBeoordeling(steungezin=gezin, criterium=criterium)
        beoordeling.voldoet = antwoord == "ja"
        beoordeling.notitie = notitie
        beoordeling.door = door
        beoordeling.op = today()
        beoordeling.full_clean()
        beoordeling.save()
    _afronden(door, gezin, "criteria beoordeeld")


@transaction.atomic
def training_aanmaken(
    *,
    door: User,
    organisatie: Organisatie,
    datum: datetime.date,
    titel: str,
    trainer: str,
    plaats: str,
) -> Training:
    training = Training(
        organisatie=organisatie, datum=datum, titel=titel, trainer=trainer, plaats=plaats
    )
    training.full_clean()
    training.save()
    audit.aangemaakt(door=door, obj=training)
    return training


@transaction.atomic
def deelname_vastleggen(
    *, door: User, steungezin: Steungezin, training: Training, leden: list[Gezinslid]
) -> None:
    gezin = _lock(steungezin.pk)
    if any(lid.gezin_id != gezin.pk for lid in leden):
        raise ValidationError("Alleen leden van dit gezin kunnen als deelnemer worden vastgelegd.")
    if training.organisatie_id != gezin.organisatie_id:
        raise ValidationError("Deze training hoort niet bij de organisatie.")
    if training.datum > today():
        raise ValidationError("Een training die nog moet komen kan nog niet gevolgd zijn.")
    for lid in leden:
        if not TrainingDeelname.objects.filter(training=training, gezinslid=lid).exists():
            deelname = TrainingDeelname(training=training, gezinslid=lid)
            deelname.full_clean()
            deelname.save()
    _afronden(door, gezin, f"{audit.label(training)}: " + ", ".join(map(audit.label, leden)))


def _stappen_naar_goedkeuring(steungezin: Steungezin) -> list[str]:
    """The steps of the transition table an approval takes: from aangemeld
    the screening begins first, so nobody has to set that status by hand."""
    if steungezin.refusal("screening_beginnen") is None:
        return ["screening_beginnen", "goedkeuren"]
    return ["goedkeuren"]


def goedkeuren_kan_niet(steungezin: Steungezin) -> str | None:
    """Why the steungezin's status allows no approval now (None: it does;
    whether the screening is complete is ``tekorten_voor_goedkeuring``)."""
    return steungezin.refusal(_stappen_naar_goedkeuring(steungezin)[0])


@transaction.atomic
def steungezin_goedkeuren(
    *,
    door: User,
    steungezin: Steungezin,
    versie: int | None = None,
    op: datetime.date | None = None,
) -> Statuswijziging:
    """Approve a steungezin (→ beschikbaar) when DESIGN §4 holds today, or on
    ``op`` when it was decided before (an imported programme's families);
    otherwise ApprovalRefused lists exactly what is missing. An aangemeld
    family is taken into screening first, as its own step in the timeline.

    The row lock comes first: two coordinators approving at once are taken
    one after the other (the second finds it approved), and a screening
    record saved meanwhile waits for the decision.
    """
    if op is not None and op > today():
        raise ValidationError("Een goedkeuring kan niet vooruit worden vastgelegd.")
    locked = claim(Steungezin, steungezin.pk, versie=versie)
    stappen = _stappen_naar_goedkeuring(locked)
    locked.check_step(stappen[0])
    fresh = with_screening(Steungezin.objects.filter(pk=steungezin.pk)).get()
    if tekorten := tekorten_voor_goedkeuring(fresh, op or today()):
        raise ApprovalRefused(tekorten)
    for naam in stappen[:-1]:
        begin = locked.apply_step(naam, door=door, reden="Screening begonnen bij het besluit.")
        audit.gewijzigd(door=door, obj=locked, wat=f"status: {begin.van} → {begin.naar}")
    besluit = f" op {korte_datum(op)}" if op else ""
    stap = locked.apply_step(
        stappen[-1], door=door, reden=f"Screening afgerond: goedgekeurd{besluit}."
    )
    _afronden(door, locked, "goedgekeurd: beschikbaar")
    steungezin.status, steungezin.versie = locked.status, locked.versie
    return stap
