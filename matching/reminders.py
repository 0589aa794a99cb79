"""The daily digest: one e-mail per person with what is due, without names."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from accounts.tasks import mail_na_commit
from matching.dashboard import Due, coordinator_due, volunteer_due
from matching.models import Herinnering
from screening.stand import Deel
from steungezinnen.datums import korte_datum


def _link(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def _item(text: str, name: str, *args) -> str:
    return f"{text}: {_link(name, *args)}"


def _koppeling(k) -> str:
    return f"{k.vraaggezin.initialen}–{k.steungezin.initialen}"


def digest(due: Due) -> list[str]:
    """The lines of the digest: initials, dates and links only. Each list
    names its first rows and links to the rest."""
    lines = []

    def section(title: str, delen: list[Deel], rows: list[str], alle: str) -> None:
        aantal = sum(deel.aantal for deel in delen)
        if aantal:
            lines.append(f"{title} ({aantal}):")
            lines.extend(f"- {row}" for row in rows)
            if meer := sum(deel.meer for deel in delen):
                lines.append(f"- en nog {meer}: {alle}")
            lines.append("")

    def alle(naam: str) -> str:
        return _link("home") + f"?lijst={naam}&weergave=mijn"

    section(
        "Open signalen",
        [due.signalen],
        [_item(_koppeling(s.koppeling), "matching:signaal", s.pk) for s in due.signalen.rijen],
        alle("signalen"),
    )
    section(
        "Contactmomenten over tijd",
        [due.checkins_overdue],
        [
            _item(
                f"{_koppeling(k)}, gepland {korte_datum(k.volgende_contact_op, jaar=False)}",
                "matching:contactmoment",
                k.pk,
            )
            for k in due.checkins_overdue.rijen
        ],
        alle("checkins_overdue"),
    )
    section(
        "Contactmomenten deze week",
        [due.checkins_this_week],
        [
            _item(
                f"{_koppeling(k)}, {korte_datum(k.volgende_contact_op, jaar=False)}",
                "matching:contactmoment",
                k.pk,
            )
            for k in due.checkins_this_week.rijen
        ],
        alle("checkins_this_week"),
    )
    section(
        "Evaluaties",
        [due.evaluaties],
        [
            _item(
                f"{_koppeling(k)}, {soort} {korte_datum(datum, jaar=False)}",
                "matching:evaluatie",
                k.pk,
            )
            for k, soort, datum in due.evaluaties.rijen
        ],
        alle("evaluaties"),
    )
    section(
        "Kennismakingen",
        [due.kennismakingen],
        [
            _item(
                f"{_koppeling(k)}, {korte_datum(k.kennismaking_op, jaar=False)}",
                "matching:kennismaking",
                k.pk,
            )
            for k in due.kennismakingen.rijen
        ],
        alle("kennismakingen"),
    )
    section(
        "Nieuwe aanmeldingen",
        [due.nieuw_vraag, due.nieuw_steun],
        [
            _item(f"vraaggezin {g.initialen}", "gezinnen:vraaggezin-detail", g.pk)
            for g in due.nieuw_vraag.rijen
        ]
        + [
            _item(f"steungezin {g.initialen}", "gezinnen:steungezin-detail", g.pk)
            for g in due.nieuw_steun.rijen
        ],
        _link("home"),
    )
    section(
        "Wachten te lang",
        [due.lang_wachtend],
        [
            _item(
                f"{g.initialen} sinds {korte_datum(g.wacht_sinds)}",
                "gezinnen:vraaggezin-detail",
                g.pk,
            )
            for g in due.lang_wachtend.rijen
        ],
        alle("lang_wachtend"),
    )
    section(
        "Screening zonder voortgang",
        [due.screening_stil],
        [
            _item(f"{g.initialen}", "gezinnen:steungezin-detail", g.pk)
            for g, _ in due.screening_stil.rijen
        ],
        _link("screening:overzicht") + "?lijst=stil",
    )
    vogs = [(g, lid) for g, lid in due.vog_aanvragen.rijen] + [
        (g, lid) for g, lid, *_ in due.vog_verlopend.rijen
    ]
    section(
        "VOG's aanvragen of vernieuwen",
        [due.vog_aanvragen, due.vog_verlopend],
        [_item(f"gezin {g.initialen}", "screening:vog", g.pk, lid.pk) for g, lid in vogs],
        _link("screening:overzicht"),
    )
    return lines


def send_reminders(day: datetime.date) -> int:
    """Send today's digest to everyone with something due; at most once a day
    per person, however often this runs (the Herinnering row is the proof).
    The mails leave as background tasks. Returns the number sent."""
    sent = 0
    users = User.objects.filter(is_active=True, organisatie__isnull=False).exclude(rol="")
    for user in users.select_related("organisatie"):
        if Herinnering.objects.filter(user=user, dag=day).exists():
            continue
        due = (
            coordinator_due(user, day, mine=True)
            if user.is_coordinator
            else volunteer_due(user, day)
        )
        lines = digest(due)
        if not lines:
            continue
        try:
            with transaction.atomic():
                Herinnering.objects.create(user=user, dag=day)
                mail_na_commit(
                    f"Steungezinnen: wat er vandaag voor u klaarstaat ({korte_datum(day)})",
                    f"Beste {user.first_name},\n\nDit staat er voor u klaar:\n\n"
                    + "\n".join(lines)
                    + f"\nOverzicht: {_link('home')}\n",
                    [user.email],
                )
        except IntegrityError:
            continue  # another run sent it a moment ago
        sent += 1
    return sent
