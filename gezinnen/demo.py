"""Demo families: wijken with postcodes and neighbours, and vraag- and
steungezinnen in every status with households and a history."""

import datetime
import random

from django.utils import timezone
from faker import Faker

from accounts.models import Organisatie, User
from gezinnen.models import (
    DAGDEEL_CHOICES,
    Gezin,
    Gezinslid,
    Ondersteuning,
    Statuswijziging,
    Steungezin,
    Vraaggezin,
    Wijk,
    WijkPeriode,
)

# gemeente -> [(wijk, PC4 areas, adjacent wijken)]
WIJKEN = {
    "humanitas-hengelo": (
        "Hengelo",
        [
            ("Binnenstad", "7551", ["Berflo Es", "Hengelose Es", "Noord"]),
            ("Berflo Es", "7552, 7553", ["Binnenstad", "Groot Driene"]),
            ("Hengelose Es", "7554", ["Binnenstad", "Woolde"]),
            ("Noord", "7555", ["Binnenstad", "Groot Driene"]),
            ("Groot Driene", "7556", ["Berflo Es", "Noord"]),
            ("Woolde", "7557, 7558", ["Hengelose Es"]),
        ],
    ),
    "salut-hof-van-twente": (
        "Hof van Twente",
        [
            ("Goor", "7471, 7472", ["Markelo", "Diepenheim", "Delden"]),
            ("Delden", "7491", ["Goor", "Bentelo"]),
            ("Markelo", "7475", ["Goor"]),
            ("Diepenheim", "7478", ["Goor"]),
            ("Bentelo", "7497", ["Delden"]),
        ],
    ),
}

VRAAG_PATHS = [
    ["aangemeld"],
    ["aangemeld", "intake"],
    ["aangemeld", "intake", "wachtend"],
    ["aangemeld", "intake", "wachtend"],
    ["aangemeld", "intake", "wachtend", "gekoppeld"],
    ["aangemeld", "intake", "wachtend", "gekoppeld", "afgesloten"],
    ["aangemeld", "ingetrokken"],
]
STEUN_PATHS = [
    ["aangemeld"],
    ["aangemeld", "in_screening"],
    ["aangemeld", "in_screening", "beschikbaar"],
    ["aangemeld", "in_screening", "beschikbaar"],
    ["aangemeld", "in_screening", "beschikbaar", "gestopt"],
    ["aangemeld", "in_screening", "afgewezen"],
]
REASONS = {
    "ingetrokken": "Het gezin heeft inmiddels hulp via het netwerk gevonden.",
    "afgesloten": "Doel bereikt: moeder kan het weer aan.",
    "gestopt": "Verhuisd naar een andere gemeente.",
    "afgewezen": "Huisbezoek: de woonsituatie is nu niet geschikt voor opvang.",
}


def populate(organisatie: Organisatie, *, seed: str) -> None:
    if organisatie.slug not in WIJKEN or Gezin.objects.filter(organisatie=organisatie).exists():
        return
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    rnd = random.Random(seed)
    wijken = _wijken(organisatie)
    coordinator = User.objects.filter(organisatie=organisatie, rol=User.Rol.COORDINATOR).first()
    for index in range(30):
        _family(
            Vraaggezin,
            VRAAG_PATHS[index % len(VRAAG_PATHS)],
            organisatie,
            wijken,
            fake,
            rnd,
            coordinator,
        )
    for index in range(25):
        _family(
            Steungezin,
            STEUN_PATHS[index % len(STEUN_PATHS)],
            organisatie,
            wijken,
            fake,
            rnd,
            coordinator,
        )


def _wijken(organisatie: Organisatie) -> list[Wijk]:
    gemeente, rows = WIJKEN[organisatie.slug]
    by_name = {
        naam: Wijk.objects.create(
            organisatie=organisatie, naam=naam, gemeente=gemeente, postcodes=postcodes
        )
        for naam, postcodes, _ in rows
    }
    for naam, _, adjacent in rows:
        by_name[naam].aangrenzend.add(*(by_name[other] for other in adjacent))
    return list(by_name.values())


def _family(model, path, organisatie, wijken, fake, rnd, coordinator) -> Gezin:
    wijk = rnd.choice(wijken)
    achternaam = fake.last_name()
    today = timezone.localdate()
    start = today - datetime.timedelta(days=rnd.randint(3, 400))
    common = {
        "organisatie": organisatie,
        "naam": achternaam,
        "straat": fake.street_name(),
        "huisnummer": str(rnd.randint(1, 180)),
        "postcode": f"{rnd.choice(sorted(wijk.pc4_set))} {rnd.choice('ABCEGHJKLMNPRTVWXZ')}"
        f"{rnd.choice('ABCEGHJKLMNPRTVWXZ')}",
        "plaats": wijk.gemeente if wijk.gemeente != "Hof van Twente" else wijk.naam,
        "telefoon": f"06 {rnd.randint(10000000, 99999999)}",
        "email": f"{achternaam.lower().replace(' ', '')}{rnd.randint(1, 99)}@example.nl",
        "wijk": wijk,
        "talen": rnd.choice(
            [
                "Nederlands",
                "Nederlands",
                "Nederlands, Engels",
                "Nederlands, Arabisch",
                "Nederlands, Turks",
                "Tigrinya, Engels",
            ]
        ),
        "aangemeld_op": start,
        "toestemming_op": start,
        "toestemming_omvat": organisatie.privacytekst,
        "status": path[-1],
    }
    kinds = rnd.sample(list(Ondersteuning.values), rnd.randint(1, 3))
    dagdelen = sorted(rnd.sample([value for value, _ in DAGDEEL_CHOICES], rnd.randint(2, 6)))
    if model is Vraaggezin:
        verwijzer = rnd.choice(Vraaggezin.Verwijzer.values)
        gezin = Vraaggezin.objects.create(
            **common,
            hulpvraag=rnd.choice(
                [
                    "Moeder is alleenstaand met drie jonge kinderen en raakt overbelast.",
                    "Vader is langdurig ziek; de kinderen missen ontspanning buitenshuis.",
                    "Het gezin is pas verhuisd en heeft geen netwerk in de buurt.",
                    "Een van de kinderen vraagt veel zorg; de broertjes komen tekort.",
                ]
            ),
            ondersteuning=kinds,
            dagdelen=dagdelen,
            verwijzer_soort=verwijzer,
            verwijzer_organisatie="" if verwijzer == "zelfmelding" else fake.company(),
            verwijzer_contactpersoon="" if verwijzer == "zelfmelding" else fake.name(),
            wacht_sinds=start if path[-1] in Vraaggezin.WAITING else None,
            intake_op=start + datetime.timedelta(days=7) if "intake" in path[1:] else None,
            intake_door=coordinator if "intake" in path[1:] else None,
        )
        members = [("volwassene", rnd.randint(24, 45))] * rnd.randint(1, 2)
        members += [("kind", rnd.randint(0, 13)) for _ in range(rnd.randint(1, 3))]
    else:
        gezin = Steungezin.objects.create(
            **common,
            motivatie="Wij hebben plek en tijd over en willen graag iets betekenen voor een gezin "
            "in de buurt.",
            aanbod=kinds,
            beschikbaarheid=dagdelen,
            capaciteit=rnd.choice([1, 1, 1, 2]),
            max_kinderen=rnd.choice([1, 2, 2, 3]),
            leeftijd_van=rnd.choice([0, 2, 4]),
            leeftijd_tot=rnd.choice([8, 10, 12, 14]),
        )
        members = [("volwassene", rnd.randint(30, 68)) for _ in range(rnd.randint(1, 2))]
        members += [("kind", rnd.randint(3, 17)) for _ in range(rnd.randint(0, 2))]
    WijkPeriode.objects.create(gezin=gezin, wijk=gezin.wijk, vanaf=start)
    for soort, age in members:
        Gezinslid.objects.create(
            gezin=gezin,
            voornaam=fake.first_name(),
            achternaam=achternaam,
            soort=soort,
            geboortedatum=today - datetime.timedelta(days=age * 365 + rnd.randint(0, 364)),
            krijgt_steun=soort == "kind" and model is Vraaggezin,
        )
    step_days = max(1, (today - start).days // len(path))
    for index, naar in enumerate(path):
        Statuswijziging.objects.create(
            gezin=gezin,
            van=path[index - 1] if index else "",
            naar=naar,
            reden=REASONS.get(naar, ""),
            door=coordinator if index else None,
            op=timezone.make_aware(
                datetime.datetime.combine(
                    start + datetime.timedelta(days=index * step_days), datetime.time(10, 0)
                )
            ),
        )
    return gezin
