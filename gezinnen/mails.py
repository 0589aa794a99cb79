"""The mails about a sign-up through the public forms: the notice to the
coordinators and the confirmation to whoever signed up or referred."""

from __future__ import annotations

from accounts import mail
from accounts.models import MailTekst, User
from gezinnen.models import Gezin, Steungezin, Vraaggezin


def coordinatoren_melden(gezin: Gezin, soort_label: str, link: str) -> None:
    """Tell the coordinators of a new sign-up: initials and a link into the
    application, never a name."""
    aan = list(
        User.objects.filter(
            organisatie=gezin.organisatie, rol=User.Rol.COORDINATOR, is_active=True
        ).values_list("email", flat=True)
    )
    if aan:
        bericht = mail.opstellen(
            "aanmelding_gemeld",
            {"gezin": gezin, "soort": soort_label, "link": link},
            organisatie=gezin.organisatie,
        )
        mail.versturen(bericht, organisatie=gezin.organisatie, aan=aan)


def bevestiging_aan(gezin: Steungezin | Vraaggezin) -> tuple[str, str] | None:
    """Who signed up and which confirmation they get: a steungezin itself; a
    vraaggezin's referrer, or the family when it signed up itself. None when
    there is no address to send it to."""
    if isinstance(gezin, Steungezin):
        adres, soort = gezin.email, MailTekst.Soort.BEVESTIGING_STEUNGEZIN
    elif gezin.verwijzer_soort == Vraaggezin.Verwijzer.ZELFMELDING:
        adres, soort = gezin.email, MailTekst.Soort.BEVESTIGING_VERWIJZING
    else:
        adres, soort = gezin.verwijzer_email, MailTekst.Soort.BEVESTIGING_VERWIJZING
    return (adres, soort) if adres else None


def aanmelding_bevestigen(gezin: Steungezin | Vraaggezin) -> None:
    """The confirmation, with what happens next and how to reach the
    organisation: no names and nothing of what was filled in."""
    if ontvanger := bevestiging_aan(gezin):
        adres, soort = ontvanger
        bericht = mail.bevestiging(gezin.organisatie, soort, gezin.aangemeld_op)
        mail.versturen(bericht, organisatie=gezin.organisatie, aan=[adres])
