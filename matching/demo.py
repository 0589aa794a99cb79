"""Demo koppelingen in every status, with contact histories: an overdue
check-in, an open signal and a yearly evaluation that is due; notes in the
files, one for professionals only, and a signed agreement as a PDF."""

import datetime
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Organisatie, User
from gezinnen.models import Gezinslid, Steungezin, Vraaggezin, Wijk, today
from matching.models import (
    EVALUATIEVRAGEN,
    Contactmoment,
    CoordinatieUren,
    Evaluatie,
    Koppeling,
    Notitie,
    Signaal,
    maandag_van,
)
from screening import stand
from screening.models import add_months

NOTITIES = [
    "Kinderen hebben het naar hun zin; vaste middag werkt goed.",
    "Moeder merkt dat ze meer rust heeft. Afspraken lopen.",
    "Steungezin vraagt of een extra middag in de vakantie kan.",
    "Even minder contact door ziekte, nu weer opgepakt.",
]


def populate(organisatie: Organisatie, *, seed: str) -> None:
    if Koppeling.objects.filter(organisatie=organisatie).exists():
        return
    rnd = random.Random(seed)
    day = today()
    coordinator = User.objects.filter(organisatie=organisatie, rol=User.Rol.COORDINATOR).first()
    vrijwilliger = User.objects.filter(
        organisatie=organisatie, rol=User.Rol.VRIJWILLIG_COORDINATOR
    ).first()
    steun = list(Steungezin.objects.filter(organisatie=organisatie, status="beschikbaar"))
    gekoppeld = list(Vraaggezin.objects.filter(organisatie=organisatie, status="gekoppeld"))
    afgesloten = list(Vraaggezin.objects.filter(organisatie=organisatie, status="afgesloten"))
    wachtend = list(Vraaggezin.objects.filter(organisatie=organisatie, status="wachtend"))

    # Active ones: started 14 months, 5 months and 6 weeks ago, and one recent.
    for index, (vraag, months) in enumerate(zip(gekoppeld, [14, 5, 2, 0], strict=False)):
        start = add_months(day, -months) - datetime.timedelta(days=10)
        _registered_before(vraag, start)
        koppeling = _koppeling(organisatie, vraag, steun[index % len(steun)], coordinator, start)
        koppeling.status = Koppeling.Status.ACTIEF
        koppeling.start_op = start
        koppeling.proefperiode_tot = start + datetime.timedelta(weeks=8)
        koppeling.afspraken = (
            "Wekelijkse speelmiddag bij het steungezin; halen en brengen door het steungezin."
        )
        koppeling.frequentie = "elke woensdagmiddag"
        koppeling.vrijwilliger = vrijwilliger if index % 2 == 0 else None
        koppeling.professional_nodig = index == 1
        koppeling.save()
        koppeling.kinderen.set(vraag.leden.filter(soort=Gezinslid.Soort.KIND, krijgt_steun=True))
        contacts = _contacts(koppeling, coordinator, rnd, day, overdue=index == 0)
        if index == 1:
            Signaal.objects.create(
                koppeling=koppeling,
                contactmoment=contacts[-1] if contacts else None,
                omschrijving="Oudste kind vertelde over harde ruzies thuis; wilde niet naar huis.",
                gemeld_door=vrijwilliger or coordinator,
            )
        if months >= 5:
            _evaluatie(
                koppeling,
                Evaluatie.Soort.PROEFPERIODE,
                koppeling.proefperiode_tot,
                coordinator,
                rnd,
            )
        koppeling.volgende_contact_op = (
            day - datetime.timedelta(days=9)
            if index == 0
            else koppeling.next_checkin(contacts[0].datum if contacts else None)
        )
        koppeling.save(update_fields=["volgende_contact_op"])
        koppeling.evaluatie_plannen()
        if index == 0:
            _dossier(koppeling, coordinator, start)
        if index == 1:
            _notitie(
                organisatie,
                coordinator,
                "Veilig Thuis gebeld voor advies over het signaal; volgende week gesprek "
                "met moeder samen met het wijkteam.",
                day - datetime.timedelta(days=2),
                koppeling=koppeling,
                alleen_professionals=True,
            )

    # Ended ones.
    for index, vraag in enumerate(afgesloten):
        start = add_months(day, -18 + index)
        _registered_before(vraag, start)
        koppeling = _koppeling(
            organisatie, vraag, steun[(index + 1) % len(steun)], coordinator, start
        )
        koppeling.status = Koppeling.Status.AFGESLOTEN
        koppeling.start_op = start
        koppeling.einde_op = add_months(start, 9)
        koppeling.einde_reden, koppeling.doel_bereikt = [
            (Koppeling.Reden.DOEL_BEREIKT, Koppeling.DoelBereikt.JA),
            (Koppeling.Reden.VERHUISD, Koppeling.DoelBereikt.DEELS),
            (Koppeling.Reden.ZWAARDERE_ZORG, Koppeling.DoelBereikt.NEE),
            (Koppeling.Reden.DOEL_BEREIKT, Koppeling.DoelBereikt.JA),
        ][index % 4]
        koppeling.einde_uitkomst = "Het gezin kan weer zelf verder; contact blijft informeel."
        koppeling.afspraken = "Eens per week opvang na school."
        koppeling.frequentie = "wekelijks"
        koppeling.save()
        _evaluatie(koppeling, Evaluatie.Soort.AFSLUITING, koppeling.einde_op, coordinator, rnd)

    # A proposal and a planned kennismaking for waiting families.
    free = steun[len(gekoppeld) :] or steun
    if len(wachtend) >= 2:
        _koppeling(
            organisatie, wachtend[0], free[-1], coordinator, day - datetime.timedelta(days=3)
        )
        planned = _koppeling(
            organisatie, wachtend[1], free[0], coordinator, day - datetime.timedelta(days=10)
        )
        planned.status = Koppeling.Status.KENNISMAKING
        planned.kennismaking_op = day + datetime.timedelta(days=4)
        planned.save()
        _notitie(
            organisatie,
            coordinator,
            "Vader belde: de kinderen kijken uit naar de kennismaking. Graag na school.",
            day - datetime.timedelta(days=1),
            gezin=wachtend[1],
        )

    # What the services keep beside the data: each steungezin's screening
    # verdict, now that its VOGs, trainings and koppelingen are in.
    stand.bijwerken(
        Steungezin.objects.filter(organisatie=organisatie).values_list("pk", flat=True), day
    )

    # Most hours go to the gemeenten; some are algemeen (recruitment, training).
    verdeling = [
        (gemeente, ["3", "3.5", "4", "5"])
        for gemeente in Wijk.objects.filter(organisatie=organisatie).gemeenten()
    ]
    verdeling.append(("", ["0.5", "1", "1.5"]))
    for weeks in range(1, 13):
        CoordinatieUren.objects.bulk_create(
            CoordinatieUren(
                organisatie=organisatie,
                coordinator=coordinator,
                week=maandag_van(day) - datetime.timedelta(weeks=weeks),
                gemeente=gemeente,
                uren=Decimal(rnd.choice(keuzes)),
            )
            for gemeente, keuzes in verdeling
        )


def _notitie(organisatie, door, tekst, day, **over) -> Notitie:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(16, 30)))
    return Notitie.objects.create(
        organisatie=organisatie, door=door, tekst=tekst, op=moment, **over
    )


def _dossier(koppeling: Koppeling, coordinator: User, start: datetime.date) -> None:
    """A koppeling's file as a coordinator keeps it: notes, and the signed
    agreement, a real PDF through the same service as an upload."""
    from weasyprint import HTML  # only here: the demo's one document

    from matching.documenten import document_toevoegen

    for weken, tekst in ((1, NOTITIES[0]), (6, NOTITIES[2])):
        _notitie(
            koppeling.organisatie,
            coordinator,
            tekst,
            start + datetime.timedelta(weeks=weken),
            koppeling=koppeling,
        )
    vraag, steun = koppeling.vraaggezin, koppeling.steungezin
    pdf = HTML(
        string=(
            "<h1>Samenwerkingsovereenkomst</h1>"
            f"<p>{escape(koppeling.organisatie.naam)}, koppeling nr. {koppeling.pk}</p>"
            f"<p>Vraaggezin: {escape(vraag.naam)}<br>Steungezin: {escape(steun.naam)}</p>"
            f"<p>Afspraken: {escape(koppeling.afspraken)} ({escape(koppeling.frequentie)})</p>"
            f"<p>Getekend op {start:%d-%m-%Y} door beide gezinnen en de coördinator.</p>"
        )
    ).write_pdf()
    document_toevoegen(
        door=coordinator,
        koppeling=koppeling,
        soort="overeenkomst",
        titel="Samenwerkingsovereenkomst",
        bestanden=[ContentFile(pdf, name="Samenwerkingsovereenkomst.pdf")],
    )


def _koppeling(organisatie, vraag, steun, coordinator, voorgesteld) -> Koppeling:
    return Koppeling.objects.create(
        organisatie=organisatie,
        vraaggezin=vraag,
        steungezin=steun,
        coordinator=coordinator,
        voorgesteld_op=voorgesteld - datetime.timedelta(days=21),
        kennismaking_op=voorgesteld - datetime.timedelta(days=7),
        kennismaking_uitkomst=Koppeling.Uitkomst.GO,
    )


def _contacts(koppeling, coordinator, rnd, day, *, overdue: bool) -> list[Contactmoment]:
    """Check-ins on the cadence from the start until today (fewer when overdue)."""
    dates = [d for d in koppeling.cadence_dates(day) if d <= day]
    if overdue:
        dates = dates[:-1]
    contacts = [
        Contactmoment.objects.create(
            koppeling=koppeling,
            datum=d,
            met=rnd.choice(Contactmoment.Met.values),
            hoe=rnd.choice(Contactmoment.Hoe.values),
            door=coordinator,
            notities=rnd.choice(NOTITIES),
            verloop=rnd.choice(["goed", "goed", "aandacht"]),
        )
        for d in dates
    ]
    return sorted(contacts, key=lambda c: c.datum, reverse=True)


def _evaluatie(koppeling, soort, datum, coordinator, rnd) -> Evaluatie:
    return Evaluatie.objects.create(
        koppeling=koppeling,
        soort=soort,
        datum=datum,
        door=coordinator,
        vraag_scores={key: rnd.randint(3, 5) for key, _ in EVALUATIEVRAGEN},
        steun_scores={key: rnd.randint(3, 5) for key, _ in EVALUATIEVRAGEN},
        vraag_goed="De kinderen kijken er elke week naar uit.",
        vraag_beter="Soms late afstemming over de ophaaltijd.",
        vraag_doorgaan=True,
        steun_goed="Leuk om te zien hoe de kinderen opbloeien.",
        steun_beter="Meer vooraf weten over wat de kinderen spannend vinden.",
        steun_doorgaan=True,
        conclusie="Goede koppeling; doorgaan met dezelfde afspraken.",
    )


def _registered_before(vraag: Vraaggezin, start: datetime.date) -> None:
    """A family is registered (and waits) before its koppeling starts."""
    registered = start - datetime.timedelta(days=45)
    if vraag.aangemeld_op > registered:
        Vraaggezin.objects.filter(pk=vraag.pk).update(aangemeld_op=registered)
        vraag.statuswijzigingen.filter(van="").update(
            op=timezone.make_aware(datetime.datetime.combine(registered, datetime.time(10)))
        )
