"""Two journeys through the families part, end to end in a real browser."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from gezinnen.models import Gezinslid, Steungezin, Vraaggezin, today
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def fill_member(page, index: int, voornaam: str, achternaam: str, soort: str, geboren: str):
    """One row of the household: the rows repeat the same labels, so take the n-th."""
    page.get_by_label("Voornaam").nth(index).fill(voornaam)
    page.get_by_label("Achternaam").nth(index).fill(achternaam)
    page.get_by_label("Volwassene of kind").nth(index).select_option(soort)
    page.get_by_label("Geboortedatum").nth(index).fill(geboren)


def test_a_coordinator_registers_a_vraaggezin_and_takes_it_to_wachtend(
    page, live_server, log_in, coordinator
):
    log_in(coordinator.email, PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Vraaggezinnen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vraaggezinnen")
    expect(page.get_by_text("Nog geen gezinnen")).to_be_visible()

    page.get_by_role("link", name="Nieuw vraaggezin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw vraaggezin")
    page.get_by_label("Gezinsnaam").fill("Jansen")
    page.get_by_label("Straat").fill("Dorpsstraat")
    page.get_by_label("Huisnummer").fill("12")
    page.get_by_label("Postcode").fill("7551ab")
    page.get_by_label("Plaats").fill("Hengelo")
    page.get_by_label("Telefoonnummer").fill("06-12345678")
    fill_member(page, 0, "Anna", "Jansen", "volwassene", "1988-02-03")
    fill_member(page, 1, "Daan", "Jansen", "kind", "2018-05-01")
    fill_member(page, 2, "Evi", "Jansen", "kind", "2020-09-15")
    page.get_by_role("button", name="Opslaan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Gezin Jansen")
    header = page.get_by_role("heading", level=1).locator("..")
    expect(header.get_by_text("aangemeld", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Gezin Jansen is aangemaakt.")
    contact = page.get_by_role("region", name="Contact")
    expect(contact).to_contain_text("7551 AB Hengelo")
    expect(contact).to_contain_text("06 12345678")
    household = page.get_by_role("region", name="Huishouden")
    expect(household.get_by_role("row")).to_have_count(4)  # the header and three members

    page.get_by_role("link", name="Intake vastleggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake Gezin Jansen")
    expect(page.get_by_label("Intake op")).to_have_value(today().isoformat())
    page.get_by_label("Hulpvraag").fill(
        "Moeder werkt in ploegendiensten; de kinderen zijn 's middags vaak alleen."
    )
    kinderen = page.get_by_role("group", name="Voor welke kinderen is de steun?")
    kinderen.get_by_label("Daan Jansen").check()
    kinderen.get_by_label("Evi Jansen").check()
    page.get_by_role("group", name="Gewenste steun").get_by_label("wekelijkse speelmiddag").check()
    dagdelen = page.get_by_role("group", name="Voorkeur dagen en dagdelen")
    dagdelen.get_by_role("checkbox", name="woensdag middag").check()
    page.get_by_role("button", name="Intake opslaan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Gezin Jansen")
    expect(header.get_by_text("wachtend", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        "De intake is vastgelegd; Gezin Jansen wacht nu op een steungezin."
    )
    expect(page.get_by_role("link", name="Intake bijwerken")).to_be_visible()
    hulpvraag = page.get_by_role("region", name="Hulpvraag")
    expect(hulpvraag).to_contain_text("wekelijkse speelmiddag")
    expect(hulpvraag).to_contain_text(f"door {coordinator.get_full_name()}")
    steps = page.get_by_role("region", name="Tijdlijn").get_by_role("listitem")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text("intake → wachtend")
    expect(steps.nth(0)).to_contain_text("intake afgerond")
    expect(steps.nth(1)).to_contain_text("aangemeld → intake")
    expect(steps.nth(2)).to_contain_text("aangemeld")
    expect(steps.nth(2)).to_contain_text(coordinator.get_full_name())

    gezin = Vraaggezin.objects.get()
    assert gezin.status == Vraaggezin.Status.WACHTEND
    assert gezin.postcode == "7551 AB"
    assert gezin.telefoon == "06 12345678"
    assert gezin.intake_op == today()
    assert gezin.intake_door == coordinator
    assert gezin.ondersteuning == ["speelmiddag"]
    assert gezin.dagdelen == ["wo_middag"]
    children = gezin.leden.filter(soort=Gezinslid.Soort.KIND)
    assert children.count() == 2
    assert all(child.krijgt_steun for child in children)


def test_a_steungezin_signs_up_on_a_phone_and_appears_in_the_list(
    page, browser, live_server, log_in, organisatie, coordinator
):
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="nl-NL"
    )
    try:
        visitor = phone.new_page()
        visitor.goto(f"{live_server.url}/aanmelden/{organisatie.slug}/steungezin/")
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Aanmelden als steungezin")
        visitor.get_by_label("Gezinsnaam").fill("Bakker")
        visitor.get_by_label("Straat").fill("Enschedesestraat")
        visitor.get_by_label("Huisnummer").fill("101")
        visitor.get_by_label("Postcode").fill("7552cd")
        visitor.get_by_label("Plaats").fill("Hengelo")
        visitor.get_by_label("Telefoonnummer").fill("074 1234567")
        visitor.get_by_label("E-mailadres").fill("Familie.Bakker@Example.nl")
        fill_member(visitor, 0, "Henk", "Bakker", "volwassene", "1970-11-23")
        visitor.get_by_label("Waarom wilt u steungezin worden?").fill(
            "Onze kinderen zijn de deur uit en we hebben tijd over voor een gezin in de buurt."
        )
        visitor.get_by_label("Ik geef toestemming").check()
        # The honeypot is out of sight; a person leaves it empty.
        honeypot = visitor.locator('input[name="website"]')
        expect(honeypot).not_to_be_in_viewport()
        expect(honeypot).to_have_value("")
        visitor.get_by_role("button", name="Aanmelding versturen").click()

        expect(visitor.get_by_role("heading", name="Bedankt voor uw aanmelding")).to_be_visible()
        expect(visitor.get_by_role("main")).to_contain_text(organisatie.naam)
    finally:
        phone.close()

    gezin = Steungezin.objects.get()
    assert gezin.email == "familie.bakker@example.nl"
    assert gezin.toestemming_op is not None
    # The coordinators' notice, and the family's confirmation (tests/test_mails.py).
    message, confirmation = mail.outbox
    assert confirmation.to == ["familie.bakker@example.nl"]
    assert message.to == [coordinator.email]
    assert message.subject == "Nieuwe aanmelding steungezin (B.)"
    assert "Bakker" not in message.body  # initials only, no names in e-mail
    assert f"/steungezinnen/{gezin.pk}/" in message.body

    log_in(coordinator.email, PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Steungezinnen", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Steungezinnen")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Bakker"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Enschedesestraat 101")
    expect(row).to_contain_text("7552 CD")
    expect(row).to_contain_text("1 volw., 0 kinderen")
    expect(row.get_by_text("aangemeld", exact=True)).to_be_visible()
