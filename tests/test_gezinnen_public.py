import re

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

    # The coordinators of that organisation hear of it, without the family's
    # name; the family gets its confirmation (tests/test_mails.py).
    message, confirmation = mail.outbox
    assert confirmation.to == [gezin.email]
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


# One member block at a time, without JavaScript --------------------------------


def household(*members: tuple[str, str, str]) -> dict:
    """The formset fields for these (voornaam, soort, geboortedatum) members."""
    data = {"leden-TOTAL_FORMS": str(len(members)), "leden-INITIAL_FORMS": "0"}
    for index, (voornaam, soort, geboren) in enumerate(members):
        data |= {
            f"leden-{index}-voornaam": voornaam,
            f"leden-{index}-achternaam": "de Vries",
            f"leden-{index}-soort": soort,
            f"leden-{index}-geboortedatum": geboren,
        }
    return data


ELS = ("Els", "volwassene", "1970-01-01")
TIM = ("Tim", "kind", "2020-01-01")
NOOR = ("Noor", "kind", "2022-03-04")


def with_household(data: dict, *members) -> dict:
    """The form data with exactly these members in the household."""
    rest = {key: value for key, value in data.items() if not key.startswith("leden-")}
    return rest | household(*members)


def referral(*members, **overrides) -> dict:
    return with_household(referral_data(**overrides), *members)


def test_the_form_starts_with_one_member_block(client, organisatie):
    response = client.get(signup_url(organisatie, "vraaggezin"))
    assert 'name="leden-TOTAL_FORMS" value="1"' in response.text
    assert 'name="leden-0-voornaam"' in response.text
    assert 'name="leden-1-voornaam"' not in response.text
    assert "Nog een gezinslid toevoegen" in response.text


def test_it_adds_a_member_block_keeping_everything_typed(client, organisatie):
    data = referral(ELS, hulpvraag="") | {"lid_toevoegen": "1"}
    response = client.post(signup_url(organisatie, "vraaggezin"), data)
    assert response.status_code == 200
    assert 'name="leden-TOTAL_FORMS" value="2"' in response.text
    assert 'name="leden-1-voornaam"' in response.text
    assert 'value="Els"' in response.text
    assert 'value="1970-01-01"' in response.text
    assert 'value="Lindelaan"' in response.text
    assert 'value="Consultatiebureau Hengelo"' in response.text
    assert re.search(r'value="opvang"[^>]* checked', response.text)
    # The form was not sent: no errors for the empty hulpvraag yet, nothing stored.
    assert "Niet alles is goed ingevuld" not in response.text
    assert "is-invalid" not in response.text
    assert not Gezin.objects.exists()


def test_the_same_form_token_survives_adding_members(client, organisatie):
    first = client.get(signup_url(organisatie, "vraaggezin")).context["form"]
    token = first.initial["inzending"]
    data = referral(ELS, inzending=token) | {"lid_toevoegen": "1"}
    response = client.post(signup_url(organisatie, "vraaggezin"), data)
    assert f'value="{token}"' in response.text


def test_adding_members_is_not_counted_as_a_submission(client, organisatie):
    for _ in range(6):
        response = client.post(
            signup_url(organisatie, "vraaggezin"), referral(ELS, TIM) | {"lid_toevoegen": "1"}
        )
        assert "in korte tijd veel aanmeldingen" not in response.text
    response = client.post(signup_url(organisatie, "vraaggezin"), referral(ELS, TIM))
    assert response.status_code == 302


def test_it_removes_a_member_block_and_keeps_the_others(client, organisatie):
    data = referral(ELS, TIM, NOOR) | {"lid_verwijderen": "1"}
    response = client.post(signup_url(organisatie, "vraaggezin"), data)
    assert response.status_code == 200
    assert 'name="leden-TOTAL_FORMS" value="2"' in response.text
    assert 'name="leden-1-voornaam" value="Noor"' in response.text
    assert 'value="Tim"' not in response.text
    assert 'value="Els"' in response.text


def test_the_last_member_block_stays(client, organisatie):
    data = referral(ELS) | {"lid_verwijderen": "0"}
    response = client.post(signup_url(organisatie, "vraaggezin"), data)
    assert 'name="leden-TOTAL_FORMS" value="1"' in response.text
    assert 'value="Els"' not in response.text


def test_a_tampered_block_count_stays_a_household(client, organisatie):
    data = referral(ELS) | {"leden-TOTAL_FORMS": "5000", "lid_toevoegen": "1"}
    response = client.post(signup_url(organisatie, "vraaggezin"), data)
    assert 'name="leden-TOTAL_FORMS" value="30"' in response.text


def test_a_family_of_one_signs_up(client, organisatie):
    response = client.post(signup_url(organisatie), with_household(signup_data(), ELS))
    assert response.status_code == 302
    assert Steungezin.objects.get().leden.get().voornaam == "Els"


def test_a_family_of_three_is_referred(client, organisatie):
    response = client.post(signup_url(organisatie, "vraaggezin"), referral(ELS, TIM, NOOR))
    assert response.status_code == 302
    gezin = Vraaggezin.objects.get()
    assert sorted(gezin.leden.values_list("voornaam", flat=True)) == ["Els", "Noor", "Tim"]


def test_a_rejected_referral_keeps_every_member(client, organisatie):
    data = referral(ELS, TIM, NOOR, postcode="niet goed")
    response = client.post(signup_url(organisatie, "vraaggezin"), data)
    assert response.status_code == 200
    assert "Niet alles is goed ingevuld" in response.text
    assert 'name="leden-TOTAL_FORMS" value="3"' in response.text
    for voornaam, _, geboren in (ELS, TIM, NOOR):
        assert f'value="{voornaam}"' in response.text
        assert f'value="{geboren}"' in response.text
    assert not Gezin.objects.exists()
