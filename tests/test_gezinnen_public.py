import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts.models import AuditEntry, User
from gezinnen.models import Gezin, Steungezin, Vraaggezin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def signup_data(**overrides) -> dict:
    data = {
        "naam": "de Vries",
        "straat": "Lindelaan",
        "huisnummer": "4",
        "postcode": "7552 CD",
        "plaats": "Hengelo",
        "telefoon": "06 23456789",
        "email": "devries@example.nl",
        "motivatie": "Wij hebben tijd en ruimte over.",
        "aanbod": ["speelmiddag"],
        "beschikbaarheid": ["wo_middag"],
        "max_kinderen": "2",
        "leeftijd_van": "2",
        "leeftijd_tot": "10",
        "toestemming": "on",
        "website": "",
        "leden-TOTAL_FORMS": "2",
        "leden-INITIAL_FORMS": "0",
        "leden-MIN_NUM_FORMS": "0",
        "leden-MAX_NUM_FORMS": "1000",
        "leden-0-voornaam": "Els",
        "leden-0-achternaam": "de Vries",
        "leden-0-soort": "volwassene",
        "leden-0-geboortedatum": "1970-01-01",
    }
    data.update(overrides)
    return data


def referral_data(**overrides) -> dict:
    data = signup_data(
        verwijzer_soort="consultatiebureau",
        verwijzer_organisatie="Consultatiebureau Hengelo",
        verwijzer_contactpersoon="J. Bakker",
        hulpvraag="Moeder heeft even lucht nodig.",
        ondersteuning=["opvang"],
        **{
            "leden-1-voornaam": "Tim",
            "leden-1-achternaam": "de Vries",
            "leden-1-soort": "kind",
            "leden-1-geboortedatum": "2020-01-01",
        },
    )
    data.update(overrides)
    return data


def signup_url(organisatie, kind="steungezin"):
    return reverse(f"gezinnen:aanmelden-{kind}", args=[organisatie.slug])


def test_a_steungezin_signs_up(
    client, organisatie, coordinator, outsider, django_capture_on_commit_callbacks
):
    colleague = UserFactory(organisatie=organisatie, email="tweede@humanitas.example")
    UserFactory(organisatie=organisatie, rol=User.Rol.VRIJWILLIG_COORDINATOR)
    response = client.get(signup_url(organisatie))
    assert organisatie.privacytekst in response.text

    # The notice goes out once the sign-up is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(signup_url(organisatie), signup_data())
    assert response.status_code == 302
    assert response.url == reverse("gezinnen:bedankt", args=[organisatie.slug])
    gezin = Steungezin.objects.get()
    assert gezin.organisatie == organisatie
    assert gezin.status == Steungezin.Status.AANGEMELD
    assert gezin.toestemming_op is not None
    assert gezin.toestemming_omvat == organisatie.privacytekst
    assert gezin.toestemming_vastgelegd_door is None
    assert gezin.leden.get().voornaam == "Els"
    entry = AuditEntry.objects.get(action="create")
    assert entry.user is None
    assert entry.organisatie == organisatie

    # The coordinators of that organisation hear of it, without the family's name.
    (message,) = mail.outbox
    assert sorted(message.to) == sorted([coordinator.email, colleague.email])
    assert "D.V." in message.subject
    assert "de Vries" not in message.subject + message.body
    assert reverse("gezinnen:steungezin-detail", args=[gezin.pk]) in message.body


def test_a_family_is_referred_by_a_partner(client, organisatie):
    response = client.post(signup_url(organisatie, "vraaggezin"), referral_data())
    assert response.status_code == 302
    gezin = Vraaggezin.objects.get()
    assert gezin.verwijzer_soort == "consultatiebureau"
    assert gezin.wacht_sinds is not None
    assert gezin.leden.filter(soort="kind").count() == 1


def test_a_referral_by_a_partner_names_the_partner(client, organisatie):
    data = referral_data(verwijzer_organisatie="", verwijzer_contactpersoon="")
    response = client.post(signup_url(organisatie, "vraaggezin"), data)
    assert response.status_code == 200
    assert "Vul dit in als u het gezin verwijst" in response.text
    assert not Gezin.objects.exists()


def test_a_referral_needs_a_child(client, organisatie):
    data = referral_data(**{"leden-1-soort": "volwassene"})
    response = client.post(signup_url(organisatie, "vraaggezin"), data)
    assert "ten minste één kind" in response.text
    assert not Gezin.objects.exists()


def test_it_needs_consent(client, organisatie):
    response = client.post(signup_url(organisatie), signup_data(toestemming=""))
    assert response.status_code == 200
    assert "Zonder uw toestemming" in response.text
    assert 'value="Lindelaan"' in response.text
    assert not Gezin.objects.exists()


def test_a_bot_filling_the_honeypot_gets_thanks_and_nothing_is_stored(
    client, organisatie, coordinator
):
    response = client.post(signup_url(organisatie), signup_data(website="http://spam.example"))
    assert response.status_code == 302
    assert not Gezin.objects.exists()
    assert mail.outbox == []


def test_it_limits_submissions_per_address(client, organisatie):
    for index in range(5):
        data = signup_data(email=f"gezin{index}@example.nl", telefoon=f"06 2345678{index}")
        assert client.post(signup_url(organisatie), data).status_code == 302
    response = client.post(signup_url(organisatie), signup_data(email="zesde@example.nl"))
    assert response.status_code == 200
    assert "in korte tijd veel aanmeldingen" in response.text
    assert Gezin.objects.count() == 5
    # Another address is not affected.
    other = client.post(signup_url(organisatie), signup_data(), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_an_unknown_organisation_is_a_404(client):
    assert client.get("/aanmelden/bestaat-niet/steungezin/").status_code == 404
