"""Screening workflows: keyword-only functions of the acting user and plain
values, each atomic, validated and audited on the steungezin.

Every one of them locks the steungezin's row first, so that the screening
cannot change under an approval that is being decided at the same moment.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts.models import Organisatie, User
from gezinnen.integrity import TransitionError, claim
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

__all__ = ["ApprovalRefused", "TransitionError"]


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
    """Every screening write ends here, under the steungezin's lock: its
    stored verdict recomputed in the same transaction, and the audit event."""
    stand.bijwerken([steungezin.pk], today())
    audit.gewijzigd(door=door, obj=steungezin, wat=detail)


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
    *, door: User, lid: Gezinslid, vog_id: int | None, gegevens: dict[str, Any]
) -> VOG:
    """Record the status and dates of a member's VOG (``vog_id`` None: the
    member's first one)."""
    _lock(lid.gezin_id)
    vog = (
        VOG.objects.select_for_update(no_key=True).get(pk=vog_id, gezinslid=lid)
        if vog_id
        else VOG(gezinslid=lid)
    )
    for name, value in gegevens.items():
        setattr(vog, name, value)
    vog.bijgewerkt_door = door
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
    gezin = _lock(steungezin.pk)
    if gevoerd_door.organisatie_id != gezin.organisatie_id:
        raise ValidationError({"door": "Kies een coördinator van de eigen organisatie."})
    gesprek = ScreeningGesprek(
        steungezin=gezin, soort=soort, datum=datum, door=gevoerd_door, notities=notities
    )
    gesprek.full_clean()
    gesprek.save()
    _afronden(door, gezin, gesprek.get_soort_display())
    return gesprek


@transaction.atomic
def referentie_vastleggen(*, door: User, steungezin: Steungezin, **gegevens: Any) -> Referentie:
    """A reference that was approached: naam, relatie, benaderd_op, uitkomst, notitie."""
    gezin = _lock(steungezin.pk)
    referentie = Referentie(steungezin=gezin, door=door, **gegevens)
    referentie.full_clean()
    referentie.save()
    _afronden(door, gezin, "referentie")
    return referentie


@transaction.atomic
def criteria_beoordelen(
    *, door: User, steungezin: Steungezin, antwoorden: list[tuple[Criterium, str, str]]
) -> None:
    """Per criterion of the organisation 'ja', 'nee' or '' (not yet), with a note."""
    gezin = _lock(steungezin.pk)
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


@transaction.atomic
def steungezin_goedkeuren(
    *, door: User, steungezin: Steungezin, versie: int | None = None
) -> Statuswijziging:
    """Approve a steungezin (→ beschikbaar) when DESIGN §4 holds today;
    otherwise ApprovalRefused lists exactly what is missing.

    The row lock comes first: two coordinators approving at once are taken
    one after the other (the second finds it approved), and a screening
    record saved meanwhile waits for the decision.
    """
    locked = claim(Steungezin, steungezin.pk, versie=versie)
    locked.check_step("goedkeuren")
    fresh = with_screening(Steungezin.objects.filter(pk=steungezin.pk)).get()
    if tekorten := tekorten_voor_goedkeuring(fresh, today()):
        raise ApprovalRefused(tekorten)
    stap = locked.apply_step("goedkeuren", door=door, reden="Screening afgerond: goedgekeurd.")
    _afronden(door, locked, "goedgekeurd: beschikbaar")
    steungezin.status, steungezin.versie = locked.status, locked.versie
    return stap
