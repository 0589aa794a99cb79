"""The import's slow steps as background tasks: a file of a few hundred
families goes through the services twice, which takes longer than a page
may. The page shows the import's status until its task is done."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from importeren import services
from importeren.models import Import

logger = logging.getLogger(__name__)

MISLUKT = (
    "Er ging iets mis bij het {wat} van het bestand; er is niets opgeslagen. Probeer het "
    "opnieuw; blijft het misgaan, meld het dan aan de beheerder (import nr. {nummer})."
)


def _uitvoeren(import_id: int, stap, wat: str) -> str:
    import_ = Import.objects.filter(pk=import_id).first()
    if import_ is None:
        return "weg"
    try:
        return stap(import_=import_).status
    except services.TransitionError:
        return "al gedaan"  # a task run twice finds the import on its way
    except Exception:
        logger.exception("import %s: %s mislukt", import_id, wat)
        with transaction.atomic():
            Import.objects.filter(pk=import_id, status__in=Import.BEZIG).update(
                status=Import.Status.MISLUKT, fout=MISLUKT.format(wat=wat, nummer=import_id)
            )
        return Import.Status.MISLUKT


@task()
def import_controleren(import_id: int) -> str:
    return _uitvoeren(import_id, services.import_controleren, "controleren")


@task()
def import_invoeren(import_id: int) -> str:
    return _uitvoeren(import_id, services.import_invoeren, "invoeren")


@task()
def imports_vergeten() -> int:
    """The daily schedule: forget the rows of files that were never imported."""
    return services.verlopen_vergeten()
