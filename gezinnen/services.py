"""Workflows on families: each a keyword-only function of the acting user and
plain values, atomic, on a locked and versioned row, validated and audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from accounts import audit
from accounts.models import Organisatie, User
from gezinnen.integrity import EditConflict, TransitionError, claim, field_labels, same
from gezinnen.models import (
    Gezin,
    Gezinslid,
    Statuswijziging,
    Steungezin,
    Vraaggezin,
    Wijk,
    WijkPeriode,
    today,
)
from screening import stand

__all__ = ["EditConflict", "TransitionError"]

LID_FIELDS = ("voornaam", "achternaam", "soort", "geboortedatum", "krijgt_steun")


def _labels(model: type[Gezin]) -> dict[str, str]:
    return field_labels(model) | {"gezinsleden": "gezinsleden"}


def _wijk_from_postcode(organisatie_id: int, gegevens: dict[str, Any]) -> None:
    """No wijk chosen: the one whose PC4 areas hold the postcode, if any."""
    if gegevens.get("wijk") is None and gegevens.get("postcode"):
        gegevens["wijk"] = Wijk.objects.filter(organisatie_id=organisatie_id).for_postcode(
            gegevens["postcode"]
        )


def _screeningstand_bijwerken(gezin: Gezin) -> None:
    """A steungezin's stored screening verdict follows its members and status
    in the same transaction (screening.stand)."""
    if isinstance(gezin, Steungezin):
        stand.bijwerken([gezin.pk], today())


def _wijk_vastleggen(gezin: Gezin, vanaf: datetime.date) -> None:
    """The family lives in its wijk from that day on (a second change on the
    same day replaces the first)."""
    WijkPeriode.objects.update_or_create(
        gezin=gezin, vanaf=vanaf, defaults={"wijk_id": gezin.wijk_id}
    )


def _save_leden(gezin: Gezin, leden: list[dict[str, Any]]) -> bool:
    """Apply the household rows: with ``pk`` a change (or ``verwijderen``),
    without one a new member. Returns whether anything changed."""
    current = {lid.pk: lid for lid in gezin.leden.all()}
    changed = False
    for row in leden:
        pk = row.get("pk")
        values = {name: row[name] for name in LID_FIELDS if name in row}
        if pk is not None and pk not in current:
            raise ValidationError("Een gezinslid hoort niet bij dit gezin.")
        if pk is not None and row.get("verwijderen"):
            try:
                with transaction.atomic():
                    current[pk].delete()
            except ProtectedError as error:
                # What an app below keeps about the member (its documents).
                soorten = sorted(
                    {str(obj._meta.verbose_name_plural) for obj in error.protected_objects}
                )
                raise ValidationError(
                    f"{current[pk]} kan niet uit het huishouden: er horen nog "
                    f"{' en '.join(soorten)} bij. Verwijder die eerst."
                ) from error
            changed = True
            continue
        if row.get("verwijderen"):
            continue
        lid = current.get(pk) or Gezinslid(gezin=gezin)
        fields = [name for name, value in values.items() if getattr(lid, name) != value]
        if lid.pk and not fields:
            continue
        for name in fields:
            setattr(lid, name, values[name])
        lid.full_clean(exclude=["gezin"])
        lid.save(update_fields=fields if lid.pk else None)
        changed = True
    return changed


@transaction.atomic
def gezin_aanmelden(
    *,
    door: User | None,
    model: type[Gezin],
    organisatie: Organisatie,
    gegevens: dict[str, Any],
    leden: list[dict[str, Any]],
) -> Gezin:
    """Register a family: the coordinator's form and the public forms alike.

    ``door`` is None for a public sign-up, which must carry consent. The wijk
    follows from the postcode when none is chosen, consent is recorded with
    who recorded it, and families that look the same (address, e-mail,
    phone) are named in the timeline so that the coordinator sees them.
    """
    gegevens = dict(gegevens)
    _wijk_from_postcode(organisatie.pk, gegevens)
    gezin = model(organisatie=organisatie, **gegevens)
    if door is None and not gezin.toestemming_op:
        raise ValidationError("Zonder toestemming kan een aanmelding niet worden opgeslagen.")
    if gezin.toestemming_op and door is not None:
        gezin.toestemming_vastgelegd_door = door
    if isinstance(gezin, Vraaggezin):
        gezin.wacht_sinds = gezin.aangemeld_op
        if gezin.verwijzer_informeren:
            gezin.verwijzer_informeren_op, gezin.verwijzer_informeren_door = today(), door
    gezin.full_clean()
    gezin.save()
    _wijk_vastleggen(gezin, gezin.aangemeld_op)
    _save_leden(gezin, leden)
    lijkt_op = list(
        Gezin.objects.filter(organisatie=organisatie)
        .resembling(
            postcode=gezin.postcode,
            huisnummer=gezin.huisnummer,
            email=gezin.email,
            telefoon=gezin.telefoon,
        )
        .exclude(pk=gezin.pk)
        .values_list("pk", flat=True)[:5]
    )
    reden = "aangemeld via het openbare formulier" if door is None else ""
    if lijkt_op:
        reden = "; ".join(
            filter(None, [reden, "lijkt op " + ", ".join(f"gezin nr. {pk}" for pk in lijkt_op)])
        )
    Statuswijziging.objects.create(gezin=gezin, naar=gezin.status, door=door, reden=reden)
    _screeningstand_bijwerken(gezin)
    audit.aangemaakt(door=door, obj=gezin, toelichting=reden)
    return gezin


@transaction.atomic
def gezin_wijzigen(
    *,
    door: User,
    gezin: Gezin,
    versie: int | None,
    gegevens: dict[str, Any],
    leden: list[dict[str, Any]] | None = None,
    snapshot_token: str = "",
) -> Gezin:
    """Save changes to a family that nobody changed since ``versie``.

    Only the fields that differ from the locked row are written, so a status,
    an intake or a koppeling saved by someone else is never overwritten.
    EditConflict when the row moved on (nothing is written then).
    """
    model = type(gezin)
    current = claim(
        model, gezin.pk, versie=versie, snapshot_token=snapshot_token, labels=_labels(model)
    )
    if problem := current.niet_geanonimiseerd():
        raise TransitionError(problem)
    gegevens = dict(gegevens)
    _wijk_from_postcode(current.organisatie_id, gegevens)
    changed = [name for name, value in gegevens.items() if not same(getattr(current, name), value)]
    before = {name: getattr(current, name) for name in changed}
    for name in changed:
        setattr(current, name, gegevens[name])
    if "toestemming_op" in changed and current.toestemming_op:
        current.toestemming_vastgelegd_door = door
        changed.append("toestemming_vastgelegd_door")
    if "verwijzer_informeren" in changed:
        current.verwijzer_informeren_op, current.verwijzer_informeren_door = today(), door
        changed += ["verwijzer_informeren_op", "verwijzer_informeren_door"]
    current.full_clean()
    current.save(update_fields=[*changed, "versie", "gewijzigd_op"])
    if "wijk" in changed:
        if not current.wijkperiodes.exists():
            # Registered before the history was kept: the old wijk until today.
            WijkPeriode.objects.create(
                gezin=current, wijk=before["wijk"], vanaf=min(current.aangemeld_op, today())
            )
        _wijk_vastleggen(current, today())
    what = audit.wijzigingen(current, before, changed) if changed else ""
    if leden is not None and _save_leden(current, leden):
        what = "; ".join(filter(None, [what, "gezinsleden"]))
        _screeningstand_bijwerken(current)
    audit.gewijzigd(door=door, obj=current, wat="gewijzigd: " + (what or "niets"))
    return current


@transaction.atomic
def gezin_status_wijzigen(
    *,
    door: User,
    gezin: Gezin,
    naar: str,
    reden: str = "",
    versie: int | None = None,
    snapshot_token: str = "",
) -> Statuswijziging:
    """A step of the status page (withdraw, stop, start screening, ...), as
    the family's transition table allows it now."""
    current = claim(
        type(gezin),
        gezin.pk,
        versie=versie,
        snapshot_token=snapshot_token,
        labels=_labels(type(gezin)),
    )
    if problem := current.niet_geanonimiseerd():
        raise TransitionError(problem)
    # Two steps can lead to the same status from different ones (screening
    # begun from aangemeld, or again from beschikbaar): the one from this one.
    naam = next(
        (
            naam
            for naam, stap in current.STEPS.items()
            if stap.met_de_hand and stap.naar == naar and current.status in stap.van
        ),
        None,
    )
    if naam is None:
        label = current.Status(naar).label if naar in current.Status.values else naar
        raise TransitionError(
            f"Van {current.get_status_display()} kan een {current._meta.verbose_name} "
            f"niet naar {label}."
        )
    stap = current.apply_step(naam, door=door, reden=reden)
    _screeningstand_bijwerken(current)
    audit.gewijzigd(door=door, obj=current, wat=f"status: {stap.van} → {stap.naar}")
    gezin.status, gezin.versie = current.status, current.versie
    return stap


@transaction.atomic
def intake_vastleggen(
    *,
    door: User,
    vraaggezin: Vraaggezin,
    versie: int | None,
    intake_op: datetime.date,
    hulpvraag: str,
    ondersteuning: list[str],
    dagdelen: list[str],
    kinderen: list[int],
    snapshot_token: str = "",
) -> Vraaggezin:
    """Store the intake and move the family on to waiting for a match."""
    gezin = claim(
        Vraaggezin,
        vraaggezin.pk,
        versie=versie,
        snapshot_token=snapshot_token,
        labels=_labels(Vraaggezin),
    )
    gezin.check_step("intake_vastleggen")
    gezin.intake_op = intake_op
    gezin.intake_door = door
    gezin.hulpvraag = hulpvraag
    gezin.ondersteuning = list(ondersteuning)
    gezin.dagdelen = list(dagdelen)
    gezin.full_clean()
    gezin.save(update_fields=["intake_op", "intake_door", "hulpvraag", "ondersteuning", "dagdelen"])
    children = list(gezin.leden.filter(soort=Gezinslid.Soort.KIND))
    if set(kinderen) - {child.pk for child in children}:
        raise ValidationError("Kies alleen kinderen van dit gezin.")
    for child in children:
        if child.krijgt_steun != (child.pk in kinderen):
            child.krijgt_steun = child.pk in kinderen
            child.save(update_fields=["krijgt_steun"])
    # The timeline shows both steps: intake, then waiting for a match.
    if gezin.refusal("intake_beginnen") is None:
        gezin.apply_step("intake_beginnen", door=door)
    gezin.apply_step("intake_vastleggen", door=door, reden="intake afgerond")
    audit.gewijzigd(door=door, obj=gezin, wat="intake vastgelegd")
    return gezin
