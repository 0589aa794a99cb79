"""Demo screening: steungezinnen at every stage, a VOG that expires within 60
days and a child who turns 18 next month."""

import datetime
import random

from accounts.models import Organisatie, User
from gezinnen.models import Gezinslid, Steungezin, today
from screening.models import (
    VOG,
    Criterium,
    CriteriumBeoordeling,
    Referentie,
    ScreeningGesprek,
    Training,
    TrainingDeelname,
    add_months,
    needs_vog,
)

CRITERIA = [
    "Het gezin heeft tijd en ruimte voor een extra kind.",
    "Het huis is veilig voor jonge kinderen.",
    "Het gezin staat open voor andere culturen en opvattingen.",
    "Het gezin kan vertrouwelijk omgaan met wat het hoort.",
]


def populate(organisatie: Organisatie, *, seed: str) -> None:
    if Training.objects.filter(organisatie=organisatie).exists():
        return
    rnd = random.Random(seed)
    day = today()
    coordinator = User.objects.filter(organisatie=organisatie, rol=User.Rol.COORDINATOR).first()
    criteria = [
        Criterium.objects.create(organisatie=organisatie, tekst=tekst, volgorde=index)
        for index, tekst in enumerate(CRITERIA)
    ]
    trainingen = [
        Training.objects.create(
            organisatie=organisatie,
            datum=day - datetime.timedelta(days=days),
            titel=titel,
            trainer="Marloes Hendriks",
            plaats="Buurthuis De Bron",
        )
        for days, titel in [
            (200, "Basistraining steungezinnen"),
            (40, "Basistraining steungezinnen"),
            (10, "Signalen van onveiligheid herkennen"),
        ]
    ]
    steungezinnen = Steungezin.objects.filter(organisatie=organisatie).order_by("pk")
    in_screening = [g for g in steungezinnen if g.status == Steungezin.Status.IN_SCREENING]
    for stage, gezin in enumerate(in_screening):
        _screen(gezin, stage, coordinator, criteria, trainingen, rnd, day)
    beschikbaar = [
        g
        for g in steungezinnen
        if g.status in (Steungezin.Status.BESCHIKBAAR, Steungezin.Status.GESTOPT)
    ]
    for index, gezin in enumerate(beschikbaar):
        _screen(
            gezin, 4, coordinator, criteria, trainingen, rnd, day - datetime.timedelta(days=150)
        )
        if index == 0:
            _expiring_vog(gezin, organisatie, day)
        if index == 1:
            _turns_18_next_month(gezin, day)


def _screen(gezin, stage, coordinator, criteria, trainingen, rnd, day):
    """Stage 0: intake only; 1: + home visit and VOGs requested; 2: + VOGs in,
    references; 3 and up: + training, criteria (complete)."""
    ScreeningGesprek.objects.create(
        steungezin=gezin,
        soort="kennismaking",
        datum=day - datetime.timedelta(days=60),
        door=coordinator,
        notities="Open, warm gezin; goed gemotiveerd.",
    )
    if stage >= 1:
        ScreeningGesprek.objects.create(
            steungezin=gezin,
            soort="huisbezoek",
            datum=day - datetime.timedelta(days=45),
            door=coordinator,
            notities="Ruim huis met tuin; traphekje aanwezig.",
        )
    for lid in [lid for lid in gezin.leden.all() if needs_vog(lid, today())]:
        if stage == 1:
            VOG.objects.create(
                gezinslid=lid,
                status=VOG.Status.AANGEVRAAGD,
                klaargezet_op=day - datetime.timedelta(days=40),
                aangevraagd_op=day - datetime.timedelta(days=35),
                bijgewerkt_door=coordinator,
            )
        elif stage >= 2:
            VOG.objects.create(
                gezinslid=lid,
                status=VOG.Status.ONTVANGEN,
                klaargezet_op=day - datetime.timedelta(days=40),
                aangevraagd_op=day - datetime.timedelta(days=38),
                afgegeven_op=day - datetime.timedelta(days=30),
                ontvangen_op=day - datetime.timedelta(days=28),
                bijgewerkt_door=coordinator,
            )
    if stage >= 2:
        Referentie.objects.create(
            steungezin=gezin,
            naam="Ingrid Smit",
            relatie="buurvrouw",
            benaderd_op=day - datetime.timedelta(days=30),
            uitkomst="positief",
            door=coordinator,
        )
    if stage >= 3:
        adult = gezin.leden.filter(soort=Gezinslid.Soort.VOLWASSENE).first()
        TrainingDeelname.objects.get_or_create(training=rnd.choice(trainingen[:2]), gezinslid=adult)
        for criterium in criteria:
            CriteriumBeoordeling.objects.create(
                steungezin=gezin, criterium=criterium, voldoet=True, door=coordinator
            )


def _expiring_vog(gezin, organisatie, day):
    """Issued so long ago that it expires in about a month."""
    issued = add_months(day, -12 * organisatie.vog_geldig_jaren) + datetime.timedelta(days=30)
    for vog in VOG.objects.filter(gezinslid__gezin=gezin):
        vog.afgegeven_op = issued
        vog.aangevraagd_op = vog.klaargezet_op = issued - datetime.timedelta(days=10)
        vog.ontvangen_op = issued + datetime.timedelta(days=3)
        vog.save()


def _turns_18_next_month(gezin, day):
    birthday = day + datetime.timedelta(days=30)
    sanne = Gezinslid.objects.create(
        gezin=gezin,
        voornaam="Sanne",
        achternaam=gezin.naam,
        soort=Gezinslid.Soort.KIND,
        geboortedatum=add_months(birthday, -12 * 18),
    )
    # Inside the window before 18, so she has her VOG already.
    VOG.objects.create(
        gezinslid=sanne,
        status=VOG.Status.ONTVANGEN,
        aangevraagd_op=day - datetime.timedelta(days=20),
        afgegeven_op=day - datetime.timedelta(days=10),
        ontvangen_op=day - datetime.timedelta(days=8),
    )
