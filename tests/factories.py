import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.models import Organisatie, User
from gezinnen.models import Gezinslid, Steungezin, Vraaggezin, Wijk
from matching.models import Koppeling

PASSWORD = "een-goed-wachtwoord-42"


class OrganisatieFactory(DjangoModelFactory):
    class Meta:
        model = Organisatie
        django_get_or_create = ("slug",)

    naam = factory.Sequence(lambda n: f"Stichting Steun {n}")
    slug = factory.Sequence(lambda n: f"stichting-steun-{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.nl")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    organisatie = factory.SubFactory(OrganisatieFactory)
    rol = User.Rol.COORDINATOR
    password = factory.django.Password(PASSWORD)


class WijkFactory(DjangoModelFactory):
    class Meta:
        model = Wijk

    organisatie = factory.SubFactory(OrganisatieFactory)
    naam = factory.Sequence(lambda n: f"Wijk {n}")
    gemeente = "Hengelo"
    postcodes = ""


class GezinFactoryMixin(DjangoModelFactory):
    class Meta:
        abstract = True

    organisatie = factory.SubFactory(OrganisatieFactory)
    naam = factory.Sequence(lambda n: f"Familie{n}")
    straat = "Dorpsstraat"
    huisnummer = factory.Sequence(lambda n: str(n + 1))
    postcode = "7551 AB"
    plaats = "Hengelo"
    telefoon = factory.Sequence(lambda n: f"06 {10000000 + n}")
    email = factory.Sequence(lambda n: f"gezin{n}@example.nl")

    @factory.post_generation
    def leden(self, create, extracted, **kwargs):
        """leden=[("volwassene", age), ("kind", age)]: members of those ages."""
        if not create:
            return
        today = datetime.date.today()
        default = (
            [("volwassene", 34), ("kind", 6)]
            if isinstance(self, Vraaggezin)
            else [("volwassene", 45), ("volwassene", 47)]
        )
        for index, (soort, age) in enumerate(default if extracted is None else extracted):
            GezinslidFactory(
                gezin=self,
                voornaam=f"Lid{index}",
                achternaam=self.naam,
                soort=soort,
                geboortedatum=today.replace(year=today.year - age) - datetime.timedelta(days=30),
            )


class VraaggezinFactory(GezinFactoryMixin):
    class Meta:
        model = Vraaggezin
        skip_postgeneration_save = True

    wacht_sinds = factory.LazyFunction(datetime.date.today)
    hulpvraag = "Moeder is alleenstaand en overbelast."


class SteungezinFactory(GezinFactoryMixin):
    class Meta:
        model = Steungezin
        skip_postgeneration_save = True

    motivatie = "Onze kinderen zijn de deur uit; we willen iets betekenen."


class GezinslidFactory(DjangoModelFactory):
    class Meta:
        model = Gezinslid

    voornaam = "Sam"
    achternaam = "Jansen"
    soort = Gezinslid.Soort.KIND
    geboortedatum = datetime.date(2018, 5, 1)


class KoppelingFactory(DjangoModelFactory):
    """A running koppeling between two families of one organisation."""

    class Meta:
        model = Koppeling

    organisatie = factory.SubFactory(OrganisatieFactory)
    vraaggezin = factory.SubFactory(
        VraaggezinFactory, organisatie=factory.SelfAttribute("..organisatie"), status="gekoppeld"
    )
    steungezin = factory.SubFactory(
        SteungezinFactory, organisatie=factory.SelfAttribute("..organisatie"), status="beschikbaar"
    )
    coordinator = factory.SubFactory(
        UserFactory, organisatie=factory.SelfAttribute("..organisatie")
    )
    status = Koppeling.Status.ACTIEF
    start_op = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    afspraken = "Elke woensdag een speelmiddag."
    frequentie = "wekelijks"

    @factory.post_generation
    def evaluatie_gepland(obj, create, extracted, **kwargs):
        # What the services keep beside a started koppeling.
        if create:
            obj.evaluatie_plannen()


def approved_steungezin(organisatie, **kwargs) -> Steungezin:
    """A beschikbaar steungezin whose adults have a valid VOG."""
    from screening.models import VOG

    kwargs.setdefault("leden", [("volwassene", 45)])
    kwargs.setdefault("status", "beschikbaar")
    gezin = SteungezinFactory(organisatie=organisatie, **kwargs)
    issued = datetime.date.today() - datetime.timedelta(days=60)
    for lid in gezin.leden.all():
        if lid.leeftijd >= 18:
            VOG.objects.create(
                gezinslid=lid,
                status="ontvangen",
                aangevraagd_op=issued,
                afgegeven_op=issued,
                ontvangen_op=issued,
            )
    return gezin


def vog_ontvangen(*, door, lid, issued: datetime.date):
    """A received VOG recorded the way a coordinator does (the service)."""
    from screening.services import vog_bijwerken

    return vog_bijwerken(
        door=door,
        lid=lid,
        vog_id=None,
        gegevens={
            "status": "ontvangen",
            "aangevraagd_op": issued,
            "afgegeven_op": issued,
            "ontvangen_op": issued,
        },
    )


def lid_toevoegen(*, door, gezin, voornaam: str, soort: str, geboortedatum: datetime.date):
    """A new household member added through the family's edit service."""
    from gezinnen.services import gezin_wijzigen

    gezin_wijzigen(
        door=door,
        gezin=gezin,
        versie=gezin.versie,
        gegevens={},
        leden=[
            {
                "voornaam": voornaam,
                "achternaam": "X",
                "soort": soort,
                "geboortedatum": geboortedatum,
                "krijgt_steun": False,
            }
        ],
    )
    return gezin.leden.get(voornaam=voornaam)
