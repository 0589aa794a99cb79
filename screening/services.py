"""Screening workflows: each atomic, validated and audited on the steungezin."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from accounts import audit
from accounts.models import AuditEntry
from gezinnen.models import Gezinslid, Statuswijziging, Steungezin, TransitionError, today
from screening.forms import CriteriaForm
from screening.models import VOG, CriteriumBeoordeling, Training, TrainingDeelname
from screening.rules import current_vog, tekorten_voor_goedkeuring, with_screening


class ApprovalRefused(TransitionError):
    def __init__(self, tekorten: list[str]):
        self.tekorten = tekorten
        super().__init__("Nog niet alles is rond: " + " ".join(tekorten))


def _audit(request: HttpRequest, steungezin: Steungezin, detail: str) -> None:
    audit.record(request, AuditEntry.Action.CHANGE, steungezin, detail=detail)


@transaction.atomic
def vog_start(*, request: HttpRequest, lid: Gezinslid) -> VOG:
    """A new VOG for a member: the first, or a renewal once the last one is final."""
    vog = current_vog(lid)
    if vog is not None and vog.status not in VOG.FINAL:
        return vog
    vog = VOG.objects.create(gezinslid=lid, bijgewerkt_door=request.user)
    _audit(request, lid.gezin, f"VOG {lid}: nieuwe aanvraag")
    return vog


@transaction.atomic
def vog_save(*, request: HttpRequest, vog: VOG) -> VOG:
    vog.bijgewerkt_door = request.user
    vog.full_clean()
    vog.save()
    _audit(request, vog.gezinslid.gezin, f"VOG {vog.gezinslid}: {vog.get_status_display()}")
    return vog


@transaction.atomic
def screening_record(*, request: HttpRequest, steungezin: Steungezin, obj, what: str):
    """Store a screening conversation or a reference for the steungezin."""
    obj.steungezin = steungezin
    obj.full_clean()
    obj.save()
    _audit(request, steungezin, what)
    return obj


@transaction.atomic
def criteria_record(*, request: HttpRequest, steungezin: Steungezin, form: CriteriaForm) -> None:
    for criterium, antwoord, notitie in form.answers():
        if not antwoord:
            CriteriumBeoordeling.objects.filter(steungezin=steungezin, criterium=criterium).delete()
            continue
        CriteriumBeoordeling.objects.update_or_create(
            steungezin=steungezin,
            criterium=criterium,
            defaults={
                "voldoet": antwoord == "ja",
                "notitie": notitie,
                "door": request.user,
                "op": today(),
            },
        )
    _audit(request, steungezin, "criteria beoordeeld")


@transaction.atomic
def deelname_record(
    *, request: HttpRequest, steungezin: Steungezin, training: Training, leden: list[Gezinslid]
) -> None:
    if any(lid.gezin_id != steungezin.pk for lid in leden):
        raise ValueError("Alleen leden van dit gezin kunnen als deelnemer worden vastgelegd.")
    for lid in leden:
        TrainingDeelname.objects.get_or_create(training=training, gezinslid=lid)
    _audit(request, steungezin, f"training {training}: {', '.join(map(str, leden))}")


@transaction.atomic
def steungezin_goedkeuren(*, request: HttpRequest, steungezin: Steungezin) -> Statuswijziging:
    """Approve a steungezin (→ beschikbaar) when DESIGN §4 holds; otherwise
    ApprovalRefused lists exactly what is missing."""
    # Lock the family so the screening cannot change under the decision.
    Steungezin.objects.select_for_update().filter(pk=steungezin.pk).first()
    fresh = with_screening(Steungezin.objects.filter(pk=steungezin.pk)).get()
    tekorten = tekorten_voor_goedkeuring(fresh, today())
    if tekorten:
        raise ApprovalRefused(tekorten)
    stap = steungezin.change_status(
        Steungezin.Status.BESCHIKBAAR, door=request.user, reden="Screening afgerond: goedgekeurd."
    )
    _audit(request, steungezin, "goedgekeurd: beschikbaar")
    return stap
