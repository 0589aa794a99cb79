import factory
from factory.django import DjangoModelFactory

from accounts.models import Organisatie, User

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
