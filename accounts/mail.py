"""Every mail the application sends, from a pair of templates per kind in
templates/mail/: ``<naam>.txt`` and ``<naam>.html``, the subject from
``<naam>_onderwerp.txt``. The organisation's name is the sender's name and
its own address (``Organisatie.email``) the one a reply goes to; the mail
leaves through the background task (accounts.tasks) once the transaction
that asked for it has committed.

The mails to families and referrers say what the organisation wants to say:
a text it can adjust in the back office (``MailTekst``), the standard one
below until it does. Mail is no safe place for a family's data: no mail
names a family; the coordinators' notice gives initials and a link, the
referrer's notice (matching.berichten) initials and the day of referral."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.template.loader import render_to_string

from accounts.models import MailTekst, Organisatie
from accounts.tasks import mail_na_commit
from steungezinnen.datums import korte_datum

STANDAARD = {
    MailTekst.Soort.BEVESTIGING_STEUNGEZIN: (
        "Uw aanmelding als steungezin bij {organisatie}",
        "Beste aanmelder,\n\n"
        "Dank u wel voor uw aanmelding als steungezin bij {organisatie} op {datum}. "
        "Fijn dat u een gezin in de buurt wilt steunen.\n\n"
        "Wat er nu gebeurt: binnen twee weken neemt een coördinator contact met u op voor "
        "een kennismakingsgesprek. Daarna volgen een huisbezoek, een Verklaring Omtrent het "
        "Gedrag (VOG) voor iedereen in uw gezin van 18 jaar of ouder en een training. "
        "Pas dan kijken we samen welk gezin bij u past.\n\n"
        "Hebt u vragen of wilt u uw aanmelding intrekken? Neem dan contact met ons op.\n\n"
        "Met vriendelijke groet,\n{organisatie}",
    ),
    MailTekst.Soort.BEVESTIGING_VERWIJZING: (
        "Uw aanmelding bij {organisatie} is ontvangen",
        "Beste aanmelder,\n\n"
        "Dank u wel voor de aanmelding bij {organisatie} op {datum}.\n\n"
        "Wat er nu gebeurt: binnen twee weken neemt een coördinator contact op met het gezin "
        "voor een kennismaking. Daarin bespreken we wat het gezin nodig heeft. Daarna zoeken "
        "we een steungezin dat past; hoe lang dat duurt, hangt af van de wensen en van de "
        "steungezinnen in de buurt.\n\n"
        "Hebt u vragen? Neem dan contact met ons op.\n\n"
        "Met vriendelijke groet,\n{organisatie}",
    ),
    MailTekst.Soort.VERWIJZER_START: (
        "De steun voor het gezin dat u aanmeldde is begonnen",
        "Beste verwijzer,\n\n"
        "Het gezin {initialen} dat u op {datum} bij {organisatie} aanmeldde, heeft sinds "
        "{dag} een steungezin. Het gezin gaf toestemming om u dit te laten weten.\n\n"
        "Meer vertellen we niet: wilt u iets weten, vraag het dan aan het gezin zelf of "
        "neem contact met ons op.\n\n"
        "Met vriendelijke groet,\n{organisatie}",
    ),
    MailTekst.Soort.VERWIJZER_EINDE: (
        "De steun voor het gezin dat u aanmeldde is gestopt",
        "Beste verwijzer,\n\n"
        "De steun van {organisatie} voor het gezin {initialen} dat u op {datum} aanmeldde, "
        "is op {dag} gestopt. Het gezin gaf toestemming om u dit te laten weten.\n\n"
        "Hebt u vragen? Neem dan contact met ons op.\n\n"
        "Met vriendelijke groet,\n{organisatie}",
    ),
    MailTekst.Soort.UITNODIGING: (
        "Uitnodiging voor de kennismaking op {datum}",
        "Beste gezin,\n\n"
        "Graag nodigen we u uit voor een kennismaking op {datum}, {tijd}, in {plaats}. "
        "Een coördinator van {organisatie} is erbij.\n\n"
        "Past het u niet? Laat het ons dan weten, dan zoeken we samen een ander moment.\n\n"
        "Met vriendelijke groet,\n{organisatie}",
    ),
    MailTekst.Soort.BERICHT: (
        "Bericht van {organisatie}",
        "Beste gezin,\n\n\n\nMet vriendelijke groet,\n{organisatie}",
    ),
}

# What a preview in the back office fills in for the variables of each kind.
VOORBEELD = {
    "datum": "3 dec. 2026",
    "initialen": "J.",
    "dag": "10 dec. 2026",
    "tijd": "15:00 tot 16:00",
    "plaats": "Buurthuis De Es, Hengelo",
}


@dataclass(frozen=True)
class Mail:
    """One mail, written out: its subject, plain text and HTML."""

    onderwerp: str
    tekst: str
    html: str


def opstellen(naam: str, context: dict, *, organisatie: Organisatie) -> Mail:
    """The mail ``naam`` from its templates, for the organisation."""
    context = {"organisatie": organisatie, **context}
    onderwerp = render_to_string(f"mail/{naam}_onderwerp.txt", context)
    return Mail(
        " ".join(onderwerp.split()),
        render_to_string(f"mail/{naam}.txt", context),
        render_to_string(f"mail/{naam}.html", context),
    )


def afzender(organisatie: Organisatie) -> str:
    """The organisation's name before the installation's own address: mail
    sent from the organisation's address by another server would be refused
    as forged (SPF, DMARC), so a reply goes there instead (Reply-To)."""
    _, adres = parseaddr(settings.DEFAULT_FROM_EMAIL)
    # A line break in the name would make every mail fail on its header.
    return formataddr((" ".join(organisatie.naam.split()), adres))


def versturen(
    mail: Mail,
    *,
    organisatie: Organisatie,
    aan: list[str],
    bijlagen: list[tuple[str, str, str]] = (),
) -> None:
    """Send it in the background once the current transaction commits;
    ``bijlagen`` are (file name, text, MIME type), such as an invitation."""
    mail_na_commit(
        mail.onderwerp,
        mail.tekst,
        aan,
        mail.html,
        afzender=afzender(organisatie),
        antwoord_aan=organisatie.email,
        bijlagen=bijlagen,
    )


def tekst_van(organisatie: Organisatie, soort: str) -> tuple[str, str]:
    """The subject and text of a mail to families or referrers: the
    organisation's own, or the standard one."""
    eigen = MailTekst.objects.filter(organisatie=organisatie, soort=soort).first()
    return (eigen.onderwerp, eigen.tekst) if eigen else STANDAARD[soort]


def alineas_van(tekst: str) -> list[str]:
    """A text as its paragraphs (blank lines between them)."""
    return [
        alinea.strip() for alinea in tekst.replace("\r\n", "\n").split("\n\n") if alinea.strip()
    ]


def uit_tekst(
    organisatie: Organisatie,
    soort: str,
    waarden: dict[str, str],
    *,
    tekst: tuple[str, str] | None = None,
    naam: str = "bevestiging",
    context: dict | None = None,
) -> Mail:
    """A mail of the organisation's text of ``soort`` (or ``tekst``, for a
    preview or as the coordinator finished it) with the variables filled
    in: its own and the organisation's contact; ``naam`` the templates."""
    onderwerp, inhoud = tekst or tekst_van(organisatie, soort)
    waarden = {
        "organisatie": organisatie.naam,
        "telefoon": organisatie.telefoon,
        "email": organisatie.email,
        **waarden,
    }
    return opstellen(
        naam,
        {
            "onderwerp": MailTekst.invullen(onderwerp, waarden),
            "alineas": alineas_van(MailTekst.invullen(inhoud, waarden)),
            **(context or {}),
        },
        organisatie=organisatie,
    )


def voorbeeld(organisatie: Organisatie, soort: str, tekst: tuple[str, str]) -> Mail:
    """The mail of a text as the back office previews it, with example values."""
    bekend = MailTekst.EIGEN_VARIABELEN.get(soort, {})
    return uit_tekst(
        organisatie, soort, {k: v for k, v in VOORBEELD.items() if k in bekend}, tekst=tekst
    )


def bevestiging(
    organisatie: Organisatie,
    soort: str,
    datum: datetime.date,
    tekst: tuple[str, str] | None = None,
) -> Mail:
    """The confirmation of a sign-up or referral, with the organisation's
    text (or ``tekst``, for a preview), its variables filled in."""
    return uit_tekst(organisatie, soort, {"datum": korte_datum(datum)}, tekst=tekst)
