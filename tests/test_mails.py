"""Mail from templates (issue 17, points 1 and 2): every mail a pair of
templates (plain text and HTML) with the organisation as sender, the
confirmations of the public forms, and the organisation's own texts with
their variables and preview in the back office."""

import datetime
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from accounts import mail as mails
from accounts.models import MailTekst
from gezinnen.models import Steungezin, Vraaggezin
from tests.factories import OrganisatieFactory
from tests.test_gezinnen_public import referral_data, signup_data, signup_url

pytestmark = pytest.mark.django_db

DAG = datetime.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.fixture
def organisatie_met_contact(organisatie):
    organisatie.naam = "Humanitas Twente & Hengelo"
    organisatie.telefoon = "074 123 45 67"
    organisatie.email = "kindinhuis@humanitas.example"
    organisatie.save()
    return organisatie


def _sent(client, url, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    return response


def _bevestiging(to: str):
    (found,) = [m for m in mail.outbox if m.to == [to]]
    return found


@override_settings(DEFAULT_FROM_EMAIL="Steungezinnen <noreply@steungezinnen.example>")
def test_a_steungezin_gets_a_confirmation_from_its_organisation(
    client, organisatie_met_contact, coordinator, django_capture_on_commit_callbacks
):
    org = organisatie_met_contact
    _sent(client, signup_url(org), signup_data(), django_capture_on_commit_callbacks)
    bericht = _bevestiging("devries@example.nl")
    # The organisation's name with the installation's own address; a reply
    # goes to the organisation.
    assert bericht.from_email == "Humanitas Twente & Hengelo <noreply@steungezinnen.example>"
    assert bericht.reply_to == ["kindinhuis@humanitas.example"]
    assert bericht.subject == "Uw aanmelding als steungezin bij Humanitas Twente & Hengelo"
    (html, soort) = bericht.alternatives[0]
    assert soort == "text/html"
    for tekst in (bericht.body, html):
        assert "kennismakingsgesprek" in tekst  # what happens next
        assert "074 123 45 67" in tekst
        assert "kindinhuis@humanitas.example" in tekst
    assert "Humanitas Twente & Hengelo" in bericht.body  # plain text: not escaped
    assert "Humanitas Twente &amp; Hengelo" in html
    # Nothing of what was filled in: no name, address, motivation.
    gezin = Steungezin.objects.get()
    for waarde in (gezin.naam, gezin.straat, gezin.motivatie, "Els"):
        assert waarde not in bericht.subject + bericht.body + html


def test_a_referrer_gets_the_confirmation_and_the_family_nothing(
    client, organisatie, coordinator, django_capture_on_commit_callbacks
):
    data = referral_data(verwijzer_email="bakker@consultatiebureau.example")
    _sent(client, signup_url(organisatie, "vraaggezin"), data, django_capture_on_commit_callbacks)
    bericht = _bevestiging("bakker@consultatiebureau.example")
    assert "kennismaking" in bericht.body
    gezin = Vraaggezin.objects.get()
    assert not [m for m in mail.outbox if gezin.email in m.to]
    for waarde in (gezin.naam, gezin.hulpvraag, "Tim"):
        assert waarde not in bericht.subject + bericht.body + bericht.alternatives[0][0]


def test_a_family_that_signs_up_itself_gets_the_confirmation(
    client, organisatie, django_capture_on_commit_callbacks
):
    data = referral_data(
        verwijzer_soort="zelfmelding", verwijzer_organisatie="", verwijzer_contactpersoon=""
    )
    _sent(client, signup_url(organisatie, "vraaggezin"), data, django_capture_on_commit_callbacks)
    assert _bevestiging("devries@example.nl").subject.startswith("Uw aanmelding bij")


def test_a_referral_without_an_address_gets_no_confirmation(
    client, organisatie, django_capture_on_commit_callbacks
):
    _sent(
        client,
        signup_url(organisatie, "vraaggezin"),
        referral_data(verwijzer_email=""),
        django_capture_on_commit_callbacks,
    )
    assert mail.outbox == []  # no coordinators either in this organisation


def test_a_second_submission_of_the_same_form_sends_nothing_twice(
    client, organisatie, coordinator, django_capture_on_commit_callbacks
):
    page = client.get(signup_url(organisatie))
    token = re.search(r'name="inzending" value="([^"]+)"', page.text).group(1)
    data = signup_data(inzending=token)
    for _ in range(2):
        _sent(client, signup_url(organisatie), data, django_capture_on_commit_callbacks)
    assert Steungezin.objects.count() == 1
    assert len([m for m in mail.outbox if m.to == ["devries@example.nl"]]) == 1


def test_the_organisations_own_text_is_sent_with_its_variables(
    client, organisatie_met_contact, django_capture_on_commit_callbacks
):
    MailTekst.objects.create(
        organisatie=organisatie_met_contact,
        soort=MailTekst.Soort.BEVESTIGING_STEUNGEZIN,
        onderwerp="Welkom bij {organisatie}",
        tekst="Beste,\n\nWe bellen u binnenkort op.\nTot dan!\n\nBel gerust: {telefoon} ({datum})",
    )
    _sent(
        client,
        signup_url(organisatie_met_contact),
        signup_data(),
        django_capture_on_commit_callbacks,
    )
    bericht = _bevestiging("devries@example.nl")
    assert bericht.subject == "Welkom bij Humanitas Twente & Hengelo"
    assert "Bel gerust: 074 123 45 67 (" in bericht.body
    html = bericht.alternatives[0][0]
    assert "We bellen u binnenkort op.<br>Tot dan!" in html  # paragraphs and line breaks
    # Another organisation keeps the standard text.
    other = OrganisatieFactory()
    assert mails.bevestiging(other, MailTekst.Soort.BEVESTIGING_STEUNGEZIN, DAG).onderwerp == (
        f"Uw aanmelding als steungezin bij {other.naam}"
    )


def test_a_text_can_name_only_the_known_variables():
    tekst = MailTekst(
        organisatie=OrganisatieFactory(),
        soort=MailTekst.Soort.BEVESTIGING_VERWIJZING,
        onderwerp="Hallo {naam}",
        tekst="{organisatie} {gezin.__class__} {}",
    )
    with pytest.raises(ValidationError) as error:
        tekst.full_clean()
    messages = error.value.message_dict
    assert "{naam}" in messages["onderwerp"][0]
    assert "{}" in messages["tekst"][0]
    # What is not a known variable stays as typed, never looked up.
    assert MailTekst.invullen("{gezin.__class__} {organisatie}", {"organisatie": "X"}) == (
        "{gezin.__class__} X"
    )


@pytest.mark.parametrize("soort", MailTekst.Soort.values)
def test_every_standard_text_uses_known_variables_only(soort):
    onderwerp, tekst = mails.STANDAARD[soort]
    assert MailTekst.onbekende_variabelen(onderwerp + tekst, soort) == []


def test_the_beheerder_edits_the_text_with_a_preview(client, beheerder, log_in_verified):
    log_in_verified(client, beheerder)
    add = reverse("admin:accounts_mailtekst_add")
    page = client.get(add, {"soort": MailTekst.Soort.BEVESTIGING_VERWIJZING})
    assert page.status_code == 200
    assert "Dank u wel voor de aanmelding bij {organisatie}" in page.text  # starts standard
    assert "<code>{telefoon}</code>" in page.text
    refused = client.post(
        add,
        {
            "organisatie": beheerder.organisatie_id,
            "soort": MailTekst.Soort.BEVESTIGING_VERWIJZING,
            "onderwerp": "Ontvangen",
            "tekst": "Beste {voornaam},",
        },
    )
    assert refused.status_code == 200
    assert "Onbekende variabele: {voornaam}" in refused.text
    saved = client.post(
        add,
        {
            "organisatie": beheerder.organisatie_id,
            "soort": MailTekst.Soort.BEVESTIGING_VERWIJZING,
            "onderwerp": "Ontvangen door {organisatie}",
            "tekst": "Beste aanmelder,\n\nDank u wel.",
            "_continue": "1",
        },
    )
    assert saved.status_code == 302
    tekst = MailTekst.objects.get()
    assert tekst.organisatie == beheerder.organisatie
    preview = client.get(reverse("admin:accounts_mailtekst_change", args=[tekst.pk]))
    assert f"Ontvangen door {beheerder.organisatie.naam}" in preview.text
    assert "Dank u wel." in preview.text


def test_a_beheerder_of_another_organisation_does_not_find_the_text(
    client, organisatie, outsider, log_in_verified
):
    tekst = MailTekst.objects.create(
        organisatie=organisatie,
        soort=MailTekst.Soort.BEVESTIGING_STEUNGEZIN,
        onderwerp="Eigen",
        tekst="Eigen tekst",
    )
    log_in_verified(client, outsider)
    url = reverse("admin:accounts_mailtekst_change", args=[tekst.pk])
    response = client.get(url)
    assert response.status_code in (302, 404)
    assert "Eigen tekst" not in client.get(reverse("admin:accounts_mailtekst_changelist")).text


def test_the_public_pages_show_how_to_reach_the_organisation(client, organisatie_met_contact):
    for url in (
        signup_url(organisatie_met_contact),
        signup_url(organisatie_met_contact, "vraaggezin"),
        reverse("gezinnen:bedankt", args=[organisatie_met_contact.slug]),
    ):
        page = client.get(url)
        assert 'href="tel:0741234567"' in page.text
        assert 'href="mailto:kindinhuis@humanitas.example"' in page.text


@pytest.mark.parametrize(
    ("naam", "context"),
    [
        ("aanmelding_gemeld", {"soort": "steungezin", "link": "https://app.example/steun/1/"}),
        ("dagoverzicht", {"secties": [], "overzicht": "https://app.example/"}),
    ],
)
def test_every_mail_to_coordinators_has_both_formats(organisatie, coordinator, naam, context):
    from tests.factories import SteungezinFactory

    gezin = SteungezinFactory(organisatie=organisatie, naam="Jansen")
    bericht = mails.opstellen(
        naam, {"gezin": gezin, "user": coordinator, "dag": DAG, **context}, organisatie=organisatie
    )
    assert bericht.onderwerp
    assert "\n" not in bericht.onderwerp
    assert bericht.html.startswith("<!doctype html>")
    assert organisatie.naam in bericht.tekst
    assert "Jansen" not in bericht.onderwerp + bericht.tekst + bericht.html


def test_the_preview_shows_markup_in_a_text_as_text(client, beheerder, log_in_verified):
    """The text is the beheerder's: a button in it must not become a button
    inside the back office's form (with its CSRF token) for a superuser."""
    tekst = MailTekst.objects.create(
        organisatie=beheerder.organisatie,
        soort=MailTekst.Soort.BEVESTIGING_STEUNGEZIN,
        onderwerp="<b>Hallo</b>",
        tekst='Hallo <button formaction="/beheer/" name="is_superuser">Opslaan</button>',
    )
    log_in_verified(client, beheerder)
    page = client.get(reverse("admin:accounts_mailtekst_change", args=[tekst.pk]))
    assert "<button formaction" not in page.text
    assert "&lt;button formaction=&quot;/beheer/&quot;" in page.text
    assert "<b>Hallo</b>" not in page.text


@override_settings(DEFAULT_FROM_EMAIL="Steungezinnen <noreply@localhost>")
def test_a_line_break_in_the_organisation_name_does_not_stop_its_mail(
    organisatie, django_capture_on_commit_callbacks
):
    organisatie.naam = "Humanitas\r\nBcc: iemand@example.nl"
    bericht = mails.bevestiging(organisatie, MailTekst.Soort.BEVESTIGING_STEUNGEZIN, DAG)
    with django_capture_on_commit_callbacks(execute=True):
        mails.versturen(bericht, organisatie=organisatie, aan=["gezin@example.nl"])
    (sent,) = mail.outbox
    assert sent.from_email == '"Humanitas Bcc: iemand@example.nl" <noreply@localhost>'
    assert "iemand@example.nl" not in sent.bcc
