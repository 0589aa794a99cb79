import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import tweestaps
from accounts.models import User
from tests.factories import OrganisatieFactory, UserFactory, WijkFactory


@pytest.fixture
def organisatie():
    return OrganisatieFactory(naam="Humanitas Twente – Hengelo", slug="humanitas-hengelo")


@pytest.fixture
def other_organisatie():
    return OrganisatieFactory(naam="Salut – Hof van Twente", slug="salut-hof-van-twente")


@pytest.fixture
def coordinator(organisatie):
    """Carla, the professional coordinator."""
    return UserFactory(email="carla@humanitas.example", first_name="Carla", organisatie=organisatie)


@pytest.fixture
def vrijwilliger(organisatie):
    """Vera, a volunteer coordinator in Carla's organisation."""
    return UserFactory(
        email="vera@humanitas.example",
        first_name="Vera",
        organisatie=organisatie,
        rol=User.Rol.VRIJWILLIG_COORDINATOR,
    )


@pytest.fixture
def beheerder(organisatie):
    """Bert, administrator of Carla's organisation without a role of his own."""
    return UserFactory(
        email="bert@humanitas.example",
        first_name="Bert",
        organisatie=organisatie,
        rol="",
        is_beheerder=True,
    )


@pytest.fixture
def outsider(other_organisatie):
    """Otto, coordinator and beheerder at another organisation."""
    return UserFactory(
        email="otto@salut.example",
        first_name="Otto",
        organisatie=other_organisatie,
        is_beheerder=True,
    )


@pytest.fixture
def superuser():
    return User.objects.create_superuser(
        "root@example.nl", "een-goed-wachtwoord-42", first_name="Sam", last_name="Super"
    )


@pytest.fixture
def log_in_verified():
    """``log_in_verified(client, user)``: ``client.force_login`` and, for whom
    a login needs a code (superusers always), the code step passed too, as
    ``django_otp.login`` marks it: the session names a confirmed app."""

    def log_in_verified(client, user: User) -> None:
        client.force_login(user)
        if not tweestaps.code_nodig(user):
            return
        app = tweestaps.app_van(user) or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = app.persistent_id
        session.save()

    return log_in_verified


@pytest.fixture
def all_roles(coordinator, vrijwilliger, beheerder, outsider):
    return {
        "coordinator": coordinator,
        "vrijwilliger": vrijwilliger,
        "beheerder": beheerder,
        "outsider": outsider,
    }


@pytest.fixture(autouse=True)
def documenten_map(tmp_path, settings):
    """Every test's documents in a folder of its own, never in the repository."""
    folder = tmp_path / "documenten"
    settings.STORAGES = {
        **settings.STORAGES,
        "documenten": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@pytest.fixture
def wijken(organisatie):
    """Centrum (7551) and Noord (7552) of Carla's organisation."""
    return [
        WijkFactory(organisatie=organisatie, naam="Centrum", postcodes="7551"),
        WijkFactory(organisatie=organisatie, naam="Noord", postcodes="7552"),
    ]
