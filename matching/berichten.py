"""Mail about families from the application (issue 17): the notice to a
referrer when support starts and ends, only with the family's consent, and
the coordinator's invitation to a kennismaking (with an .ics) or free
message to one or both families. Each mail is recorded (``Bericht``, the
source of the family's timeline and of the AVG inzage), audited, and sent
by the background task once the transaction has committed: a mail server
that is down never undoes or hides what the coordinator did."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from accounts import audit, mail
from accounts.models import MailTekst, Organisatie, User
from gezinnen.integrity import TransitionError
from gezinnen.models import Gezin, Steungezin, Vraaggezin
from matching.models import Bericht, Koppeling
from steungezinnen.datums import korte_datum


def verwijzer_informeren(
    *, door: User | None, koppeling: Koppeling, vraag: Vraaggezin, soort: str, dag: datetime.date
) -> Bericht | None:
    """Tell the referrer that support started or stopped (``soort`` one of
    Bericht.Soort.VERWIJZER_*): called by the lifecycle services inside their
    transaction, so the record and the audit entry go with the step and the
    mail leaves after the commit. Nothing without consent and an address
    (``Vraaggezin.verwijzer_niet_informeren``). The mail names the family by
    initials and the day of the referral, nothing of the match."""
    if vraag.verwijzer_niet_informeren():
        return None
    organisatie = koppeling.organisatie
    bericht = mail.uit_tekst(
        organisatie,
        soort,
        {
            "datum": korte_datum(vraag.aangemeld_op),
            "initialen": vraag.initialen,
            "dag": korte_datum(dag),
        },
    )
    return _vastleggen(
        door=door,
        organisatie=organisatie,
        gezin=vraag,
        koppeling=koppeling,
        soort=soort,
        aan=Bericht.Aan.VERWIJZER,
        adres=vraag.verwijzer_email,
        mail_=bericht,
    )


@dataclass(frozen=True)
class Kennismaking:
    """When and where the families meet, as the coordinator typed it."""

    begin: datetime.datetime  # aware, Europe/Amsterdam
    eind: datetime.datetime
    plaats: str
    toelichting: str = ""

    def fouten(self) -> dict[str, str]:
        fouten = {}
        if self.begin <= timezone.now():
            fouten["datum"] = "De kennismaking moet in de toekomst liggen."
        if self.eind <= self.begin:
            fouten["eind"] = "Het einde ligt na het begin."
        if not self.plaats.strip():
            fouten["plaats"] = "Vul in waar de kennismaking is."
        return fouten

    @property
    def tijd(self) -> str:
        begin, eind = timezone.localtime(self.begin), timezone.localtime(self.eind)
        return f"{begin:%H:%M} tot {eind:%H:%M}"


def ontvanger(gezin: Gezin) -> str | None:
    """Why a family cannot get mail from the application, or None."""
    if gezin.geanonimiseerd_op:
        return f"De gegevens van {gezin} zijn verwijderd."
    if not gezin.email:
        return f"{gezin} heeft geen e-mailadres: bel of schrijf het gezin."
    return None


def ics(
    kennismaking: Kennismaking, *, organisatie: Organisatie, uid: str, nu: datetime.datetime
) -> str:
    """The invitation as an iCalendar file (RFC 5545, METHOD:PUBLISH: an
    appointment to add to one's calendar, with no replies expected); its
    times in Europe/Amsterdam with the zone's definition included."""
    calendar = Calendar()
    calendar.add("prodid", "-//Steungezinnen//kennismaking//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", nu)
    event.add("dtstart", timezone.localtime(kennismaking.begin))
    event.add("dtend", timezone.localtime(kennismaking.eind))
    event.add("summary", f"Kennismaking {organisatie.naam}")
    event.add("location", kennismaking.plaats)
    if kennismaking.toelichting:
        event.add("description", kennismaking.toelichting)
    if organisatie.email:
        organizer = vCalAddress(f"mailto:{organisatie.email}")
        organizer.params["cn"] = vText(organisatie.naam)
        event.add("organizer", organizer)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


ICS_TYPE = "text/calendar; method=PUBLISH"


@transaction.atomic
def bericht_versturen(
    *,
    door: User,
    gezinnen: list[Gezin],
    koppeling: Koppeling | None = None,
    onderwerp: str = "",
    tekst: str = "",
    kennismaking: Kennismaking | None = None,
) -> list[Bericht]:
    """Mail each family on its own (no family sees another's address): an
    invitation to a kennismaking with an .ics when ``kennismaking`` is given,
    otherwise the free message ``onderwerp``/``tekst``. Only a professional
    coordinator of the organisation; refused whole when a family has no
    address, when a family is not one of ``koppeling``'s, or on bad input."""
    if not door.is_coordinator:
        raise TransitionError("Alleen een professionele coördinator stuurt mail aan gezinnen.")
    if not gezinnen:
        raise ValidationError({"aan": "Kies aan wie de mail gaat."})
    if koppeling is not None:
        if not Koppeling.objects.visible_to(door).filter(pk=koppeling.pk).exists():
            raise TransitionError("Deze koppeling bestaat niet of is niet van u.")
        if {g.pk for g in gezinnen} - {koppeling.vraaggezin_id, koppeling.steungezin_id}:
            raise TransitionError("Deze mail gaat alleen aan de gezinnen van de koppeling.")
    # The rows locked steungezin first, as everywhere (matching.services):
    # an erasure at the same moment waits, so no address outlives it here.
    gesorteerd = sorted(gezinnen, key=lambda g: (not isinstance(g, Steungezin), g.pk))
    locked = []
    for gezin in gesorteerd:
        current = (
            Gezin.objects.visible_to(door)
            .select_for_update(no_key=True)
            .filter(pk=gezin.pk)
            .first()
        )
        if current is None:
            raise TransitionError("Dit gezin bestaat niet of is niet van u.")
        if problem := ontvanger(current):
            raise ValidationError({"aan": problem})
        locked.append((gezin, current))
    organisatie = door.organisatie
    bijlagen: list[tuple[str, str, str]] = []
    if kennismaking is not None:
        if fouten := kennismaking.fouten():
            raise ValidationError(fouten)
        soort = Bericht.Soort.UITNODIGING
        uid = f"kennismaking-{secrets.token_hex(8)}@steungezinnen"
        inhoud = mail.uit_tekst(
            organisatie,
            MailTekst.Soort.UITNODIGING,
            {
                "datum": korte_datum(timezone.localdate(kennismaking.begin)),
                "tijd": kennismaking.tijd,
                "plaats": kennismaking.plaats.strip(),
            },
            naam="uitnodiging",
            context={"kennismaking": kennismaking},
        )
        bijlagen = [
            (
                "kennismaking.ics",
                ics(kennismaking, organisatie=organisatie, uid=uid, nu=timezone.now()),
                ICS_TYPE,
            )
        ]
    else:
        soort = Bericht.Soort.BERICHT
        fouten = {}
        if not onderwerp.strip():
            fouten["onderwerp"] = "Vul een onderwerp in."
        if not tekst.strip():
            fouten["tekst"] = "Schrijf het bericht."
        if fouten:
            raise ValidationError(fouten)
        inhoud = mail.uit_tekst(
            organisatie, MailTekst.Soort.BERICHT, {}, tekst=(onderwerp.strip(), tekst)
        )
    return [
        _vastleggen(
            door=door,
            organisatie=organisatie,
            gezin=current,
            koppeling=koppeling,
            soort=soort,
            aan=Bericht.Aan.STEUNGEZIN if isinstance(gezin, Steungezin) else Bericht.Aan.VRAAGGEZIN,
            adres=current.email,
            mail_=inhoud,
            bijlagen=bijlagen,
            afspraak_op=kennismaking.begin if kennismaking else None,
        )
        for gezin, current in locked
    ]


def _vastleggen(
    *,
    door: User | None,
    organisatie: Organisatie,
    gezin: Gezin,
    koppeling: Koppeling | None,
    soort: str,
    aan: str,
    adres: str,
    mail_: mail.Mail,
    bijlagen: list[tuple[str, str, str]] = (),
    afspraak_op: datetime.datetime | None = None,
) -> Bericht:
    bericht = Bericht(
        organisatie=organisatie,
        gezin_id=gezin.pk,
        koppeling=koppeling,
        soort=soort,
        aan=aan,
        adres=adres,
        onderwerp=mail_.onderwerp[:200],
        afspraak_op=afspraak_op,
        door=door if door is not None and door.is_authenticated else None,
    )
    bericht.full_clean()
    bericht.save()
    audit.mail_verstuurd(door=door, bericht=bericht)
    mail.versturen(mail_, organisatie=organisatie, aan=[adres], bijlagen=bijlagen)
    return bericht
