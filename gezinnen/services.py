"""Workflows on families: each atomic, validated and audited."""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from accounts import audit
from accounts.models import AuditEntry, User
from gezinnen.models import Gezin, Gezinslid, Statuswijziging, Vraaggezin


class EditConflict(Exception):
    """Somebody else saved the family after this form was opened."""

    def __init__(self, changed: list[str], by: User | None, current: Gezin):
        self.changed = changed
        self.by = by
        self.current = current
        super().__init__(", ".join(changed))


def snapshot(gezin: Gezin, fields: list[str]) -> dict[str, str]:
    """What the edit form showed, to tell later what someone else changed."""
    values = {name: str(getattr(gezin, name)) for name in fields if hasattr(gezin, name)}
    values["gezinsleden"] = "; ".join(
        f"{m.voornaam} {m.achternaam} {m.soort} {m.geboortedatum} {m.krijgt_steun}"
        for m in gezin.leden.order_by("pk")
    )
    return values


def sign_snapshot(gezin: Gezin, fields: list[str]) -> str:
    return signing.dumps(snapshot(gezin, fields), salt="gezin-snapshot")


def _changed_since(gezin: Gezin, signed: str, form: ModelForm) -> list[str]:
    fields = list(form.fields)
    try:
        before = signing.loads(signed, salt="gezin-snapshot")
    except signing.BadSignature:
        before = {}
    now = snapshot(gezin, fields)
    labels = {name: str(field.label or name) for name, field in form.fields.items()}
    labels["gezinsleden"] = "gezinsleden"
    return [labels.get(name, name) for name, value in now.items() if before.get(name) != value]


@transaction.atomic
def gezin_save(
    *,
    request: HttpRequest,
    form: ModelForm,
    leden: BaseInlineFormSet,
    versie: int | None = None,
    snapshot_token: str = "",
) -> Gezin:
    """Create a family, or save changes to one that nobody changed meanwhile.

    For a change, ``versie`` is the version the form was opened on: when the
    stored version has moved on, nothing is written and EditConflict names
    what the other person changed.
    """
    gezin = form.instance
    creating = gezin.pk is None
    if creating:
        if isinstance(gezin, Vraaggezin):
            gezin.wacht_sinds = gezin.aangemeld_op
        if gezin.toestemming_op and not gezin.toestemming_vastgelegd_door_id:
            gezin.toestemming_vastgelegd_door = (
                request.user if request.user.is_authenticated else None
            )
    else:
        claimed = Gezin.objects.filter(pk=gezin.pk, versie=versie).update(versie=F("versie") + 1)
        if not claimed:
            current = type(gezin).objects.get(pk=gezin.pk)
            last = (
                AuditEntry.objects.filter(
                    object_type__in=[gezin._meta.label_lower, "gezinnen.gezin"],
                    object_id=str(gezin.pk),
                    action__in=[AuditEntry.Action.CHANGE, AuditEntry.Action.CREATE],
                )
                .select_related("user")
                .first()
            )
            raise EditConflict(
                _changed_since(current, snapshot_token, form),
                last.user if last else None,
                current,
            )
        gezin.versie = versie + 1
    gezin = form.save()
    leden.instance = gezin
    leden.save()
    changed = [*form.changed_data, *(["gezinsleden"] if leden.has_changed() else [])]
    audit.record(
        request,
        AuditEntry.Action.CREATE if creating else AuditEntry.Action.CHANGE,
        gezin,
        detail="" if creating else "gewijzigd: " + ", ".join(changed),
    )
    if creating:
        Statuswijziging.objects.create(
            gezin=gezin,
            naar=gezin.status,
            door=request.user if request.user.is_authenticated else None,
            reden="aangemeld via het openbare formulier"
            if not request.user.is_authenticated
            else "",
        )
    return gezin


def gezin_change_status(
    *, request: HttpRequest, gezin: Gezin, naar: str, reden: str = ""
) -> Statuswijziging:
    """A status step the coordinator takes by hand; TransitionError when the
    lifecycle does not allow it."""
    stap = gezin.change_status(naar, door=request.user, reden=reden)
    audit.record(
        request, AuditEntry.Action.CHANGE, gezin, detail=f"status: {stap.van} → {stap.naar}"
    )
    return stap


@transaction.atomic
def intake_record(*, request: HttpRequest, form: ModelForm) -> Vraaggezin:
    """Store the intake and move the family on to waiting for a match."""
    gezin: Vraaggezin = form.save(commit=False)
    gezin.intake_door = request.user
    gezin.save(update_fields=["intake_op", "intake_door", "hulpvraag", "ondersteuning", "dagdelen"])
    chosen = {child.pk for child in form.cleaned_data["kinderen"]}
    for child in gezin.leden.filter(soort=Gezinslid.Soort.KIND):
        child.krijgt_steun = child.pk in chosen
        child.save(update_fields=["krijgt_steun"])
    if gezin.status == Vraaggezin.Status.AANGEMELD:
        gezin.change_status(Vraaggezin.Status.INTAKE, door=request.user)
    if gezin.status == Vraaggezin.Status.INTAKE:
        gezin.change_status(Vraaggezin.Status.WACHTEND, door=request.user, reden="intake afgerond")
    audit.record(request, AuditEntry.Action.CHANGE, gezin, detail="intake vastgelegd")
    return gezin
