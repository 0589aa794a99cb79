"""Background tasks of the whole application: sending mail.

A mail server that is down must never undo or hide what a person saved, so
every mail leaves through a task that is enqueued once the transaction that
asked for it has committed. A failed attempt is retried later (with a
backend that can defer, such as the database backend of ``db_worker``) and
every failed attempt shows as a failed task in the back office.
"""

from __future__ import annotations

import datetime
import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# Minutes to wait before each next attempt; after the last one it stays failed.
WACHTTIJDEN = [1, 5, 30, 120]
MAX_POGINGEN = len(WACHTTIJDEN) + 1


def verzenden(
    onderwerp: str,
    tekst: str,
    aan: list[str],
    html: str = "",
    afzender: str = "",
    antwoord_aan: str = "",
    bijlagen: list | None = None,
) -> int:
    """One message over the configured mail backend: the plain text, and the
    HTML beside it when there is one; ``afzender`` None-or-empty is
    DEFAULT_FROM_EMAIL. ``bijlagen`` are [file name, text, MIME type]:
    plain lists, so that they survive the task's JSON arguments."""
    bericht = EmailMultiAlternatives(
        onderwerp,
        tekst,
        afzender or None,
        aan,
        reply_to=[antwoord_aan] if antwoord_aan else None,
    )
    if html:
        bericht.attach_alternative(html, "text/html")
    for naam, inhoud, soort in bijlagen or ():
        bericht.attach(naam, inhoud, soort)
    return bericht.send()


@task()
def mail_versturen(
    onderwerp: str,
    tekst: str,
    aan: list[str],
    html: str = "",
    poging: int = 1,
    afzender: str = "",
    antwoord_aan: str = "",
    bijlagen: list | None = None,
) -> int:
    """Send one e-mail; when that fails, enqueue the next attempt and fail."""
    try:
        return verzenden(onderwerp, tekst, aan, html, afzender, antwoord_aan, bijlagen)
    except Exception:
        backend = mail_versturen.get_backend()
        if poging < MAX_POGINGEN and backend.supports_defer:
            later = timezone.now() + datetime.timedelta(minutes=WACHTTIJDEN[poging - 1])
            mail_versturen.using(run_after=later).enqueue(
                onderwerp, tekst, aan, html, poging + 1, afzender, antwoord_aan, bijlagen
            )
            logger.warning("Mail niet verstuurd (poging %s); volgende poging om %s", poging, later)
        else:
            logger.error("Mail niet verstuurd na %s poging(en); opgegeven", poging)
        raise


def mail_na_commit(
    onderwerp: str,
    tekst: str,
    aan: list[str],
    html: str = "",
    *,
    afzender: str = "",
    antwoord_aan: str = "",
    bijlagen: list | tuple = (),
) -> None:
    """Send a mail in the background once the current transaction commits (at
    once outside one). Enqueuing that fails is logged: it never breaks the
    page that asked for the mail."""

    def enqueue() -> None:
        try:
            mail_versturen.enqueue(
                onderwerp,
                tekst,
                list(aan),
                html,
                1,
                afzender,
                antwoord_aan,
                [list(bijlage) for bijlage in bijlagen],
            )
        except Exception:
            logger.exception("Mail kon niet in de wachtrij: %s", onderwerp)

    if aan:
        transaction.on_commit(enqueue)
