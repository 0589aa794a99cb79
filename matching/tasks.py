"""The daily work, as background tasks that ``manage.py dagelijks`` enqueues."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from gezinnen.models import Inzending
from matching.bewaren import bewaartermijnen_afhandelen
from matching.reminders import send_reminders

# The daily work of the apps above this one (importeren: forgetting the rows
# of files that were never imported), added from their AppConfig.ready.
DAGTAKEN: list = []

# A form token only has to outlive a double click or a retry.
INZENDING_BEWAREN_DAGEN = 7


@task()
def herinneringen_versturen(dag: str) -> int:
    """The daily digest for that day; safe to run more than once."""
    return send_reminders(datetime.date.fromisoformat(dag))


@task()
def formuliertokens_opruimen() -> int:
    """Forget one-time form tokens older than a week."""
    grens = timezone.now() - datetime.timedelta(days=INZENDING_BEWAREN_DAGEN)
    deleted, _ = Inzending.objects.filter(op__lt=grens).delete()
    return deleted


@task()
def bewaartermijnen_verwerken(dag: str) -> int:
    """Anonymise the families whose retention term ended by that day; safe
    to run more than once."""
    return bewaartermijnen_afhandelen(datetime.date.fromisoformat(dag))
