"""The daily digest: one e-mail per person with what is due, without names."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts import mail
from accounts.models import User
from matching.dashboard import Due, coordinator_due, volunteer_due
from matching.models import Herinnering
from screening.stand import Deel
from steungezinnen.datums import korte_datum


def _link(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def _item(text: str, name: str, *args) -> tuple[str, str]:
    return text, _link(name, *args)


@dataclass(frozen=True)
class Sectie:
    """One list of the digest: its first rows (text, link), how many there
    are in all, and where the rest is."""

    titel: str
    aantal: int
    rijen: list[tuple[str, str]]
    meer: int
    alle: str


def _koppeling(k) -> str:
    return f"{k.vraaggezin.initialen}–{k.steungezin.initialen}"


def digest(due: Due) -> list[Sectie]:
    """The lists of the digest that hold something: initials, dates and
    links only. Each list names its first rows and links to the rest."""
    lines = []

    def section(title: str, delen: list[Deel], rows: list[tuple[str, str]], alle: str) -> None:
        if aantal := sum(deel.aantal for deel in delen):
            meer = sum(deel.meer for deel in delen)
            lines.append(Sectie(title, aantal, rows, meer, alle))

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
        secties = digest(due)
        if not secties:
            continue
        context = {"user": user, "dag": day, "secties": secties, "overzicht": _link("home")}
        bericht = mail.opstellen("dagoverzicht", context, organisatie=user.organisatie)
        try:
            with transaction.atomic():
                Herinnering.objects.create(user=user, dag=day)
                mail.versturen(bericht, organisatie=user.organisatie, aan=[user.email])
        except IntegrityError:
            continue  # another run sent it a moment ago
        sent += 1
    return sent
