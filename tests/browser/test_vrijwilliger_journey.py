"""A volunteer coordinator's day, in a real browser: her own koppelingen on the home page,
a contactmoment or a signal in two page loads, and nothing of the rest of the organisation."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from gezinnen.models import today
from matching.models import Contactmoment, Koppeling, Signaal
from tests.factories import (
    PASSWORD,
    KoppelingFactory,
    SteungezinFactory,
    VraaggezinFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def group(scope, name: str):
    """A fieldset of radio buttons or checkboxes, by its legend (required ones end in '*')."""
    return scope.get_by_role("group", name=re.compile(rf"^\s*{re.escape(name)}\s*\*?\s*$"))


def field(scope, label: str):
    """A form field by its exact label (required ones end in '*')."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


@pytest.fixture
def mijn_koppeling(organisatie, vrijwilliger) -> Koppeling:
    """Jansen – Bakker, running for a month, assigned to Vera; the check-in is overdue."""
    return KoppelingFactory(
        organisatie=organisatie,
        vraaggezin=VraaggezinFactory(
            organisatie=organisatie, naam="Jansen", telefoon="06 11112222", status="gekoppeld"
        ),
        steungezin=SteungezinFactory(
            organisatie=organisatie, naam="Bakker", telefoon="06 33334444", status="beschikbaar"
        ),
        vrijwilliger=vrijwilliger,
        start_op=today() - datetime.timedelta(days=30),
        volgende_contact_op=today() - datetime.timedelta(days=5),
    )


@pytest.fixture
def andere_koppeling(organisatie) -> Koppeling:
    """De Vries – Smit, in the same organisation but without a volunteer coordinator."""
    return KoppelingFactory(
        organisatie=organisatie,
        vraaggezin=VraaggezinFactory(
            organisatie=organisatie, naam="De Vries", telefoon="06 55556666", status="gekoppeld"
        ),
        steungezin=SteungezinFactory(
            organisatie=organisatie, naam="Smit", telefoon="06 77778888", status="beschikbaar"
        ),
        start_op=today() - datetime.timedelta(days=30),
        volgende_contact_op=today() - datetime.timedelta(days=5),
    )


def test_a_volunteer_logs_a_contactmoment_from_home_in_two_page_loads(
    page, live_server, log_in, vrijwilliger, mijn_koppeling, andere_koppeling
):
    heading = page.get_by_role("heading", level=1)

    log_in(vrijwilliger.email, PASSWORD)

    expect(heading).to_have_text("Mijn gezinnen")
    kaart = page.get_by_role("region", name="Koppeling Jansen – Bakker")
    expect(kaart).to_have_count(1)
    for tekst in ("Gezin Jansen", "Gezin Bakker", "06 11112222", "06 33334444", "over tijd"):
        expect(kaart).to_contain_text(tekst)
    main = page.get_by_role("main")
    for tekst in ("De Vries", "Smit", "06 55556666", "06 77778888"):
        expect(main).not_to_contain_text(tekst)
    expect(page.get_by_role("region", name="Koppeling De Vries – Smit")).to_have_count(0)

    loads = []
    page.on("load", lambda p: loads.append(p.url))

    # Load 1: the form.
    with page.expect_navigation():
        kaart.get_by_role("link", name="Contactmoment vastleggen").click()
    expect(heading).to_have_text("Contactmoment Jansen – Bakker")
    group(page, "Met wie").get_by_label("beide gezinnen").check()
    field(page, "Hoe").select_option(label="telefoon")
    group(page, "Hoe gaat het?").get_by_label("gaat goed").check()
    notities = "Moeder klinkt opgelucht; de woensdagen lopen goed."
    field(page, "Notities").fill(notities)

    # Load 2: saved, back on the koppeling (the redirect after the POST is no page of its own).
    with page.expect_navigation():
        page.get_by_role("button", name="Contactmoment opslaan").click()
    expect(heading).to_have_text("Koppeling Jansen – Bakker")
    expect(page.get_by_role("status")).to_contain_text("Het contactmoment is vastgelegd.")
    contact = page.get_by_role("region", name="Contactmomenten")
    expect(contact.get_by_role("listitem")).to_have_count(1)
    expect(contact).to_contain_text(notities)
    expect(contact).not_to_contain_text("over tijd")
    page.wait_for_load_state()
    assert len(loads) == 2, loads
    assert loads[-1] == f"{live_server.url}/koppelingen/{mijn_koppeling.pk}/"

    moment = Contactmoment.objects.get()
    assert moment.koppeling == mijn_koppeling
    assert moment.door == vrijwilliger
    assert (moment.met, moment.hoe, moment.verloop) == (
        Contactmoment.Met.BEIDE,
        Contactmoment.Hoe.TELEFOON,
        Contactmoment.Verloop.GOED,
    )
    assert moment.notities == notities
    mijn_koppeling.refresh_from_db()
    assert mijn_koppeling.volgende_contact_op > today()
    andere_koppeling.refresh_from_db()
    assert andere_koppeling.volgende_contact_op == today() - datetime.timedelta(days=5)


def test_a_volunteer_raises_a_signal_with_one_button(
    page, live_server, log_in, vrijwilliger, mijn_koppeling
):
    heading = page.get_by_role("heading", level=1)

    log_in(vrijwilliger.email, PASSWORD)

    expect(heading).to_have_text("Mijn gezinnen")
    kaart = page.get_by_role("region", name="Koppeling Jansen – Bakker")
    kaart.get_by_role("link", name="Signaal melden").click()

    expect(heading).to_have_text("Signaal melden")
    omschrijving = "Lid1 had woensdag blauwe plekken op beide armen en wilde niet naar huis."
    field(page, "Wat heeft u gezien of gehoord?").fill(omschrijving)
    page.get_by_role("button", name="Opslaan").click()

    expect(heading).to_have_text("Koppeling Jansen – Bakker")
    expect(page.get_by_role("status")).to_contain_text(
        "Het signaal is doorgegeven aan de coördinator."
    )
    signalen = page.get_by_role("region", name="Signalen")
    expect(signalen.get_by_text("open", exact=True)).to_be_visible()
    expect(signalen).not_to_contain_text("Geen signalen.")
    expect(page.get_by_role("main")).not_to_contain_text(omschrijving)
    expect(page.get_by_role("main")).not_to_contain_text("blauwe plekken")

    signaal = Signaal.objects.get()
    assert signaal.koppeling == mijn_koppeling
    assert signaal.gemeld_door == vrijwilliger
    assert signaal.omschrijving == omschrijving
    assert signaal.is_open
    assert signaal.contactmoment is None


def test_a_volunteer_gets_404_elsewhere(
    page, live_server, log_in, vrijwilliger, mijn_koppeling, andere_koppeling
):
    heading = page.get_by_role("heading", level=1)
    menu = page.get_by_role("navigation", name="Hoofdmenu")

    log_in(vrijwilliger.email, PASSWORD)
    expect(heading).to_have_text("Mijn gezinnen")
    for naam in ("Vraaggezinnen", "Screening"):
        expect(menu.get_by_role("link", name=naam)).to_have_count(0)

    for path in ("/vraaggezinnen/", "/screening/", f"/koppelingen/{andere_koppeling.pk}/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == 404, path
        expect(heading).to_have_text("Deze pagina bestaat niet")
        expect(page.get_by_role("main")).not_to_contain_text("De Vries")
        for naam in ("Vraaggezinnen", "Screening"):
            expect(menu.get_by_role("link", name=naam)).to_have_count(0)
        expect(menu.get_by_role("link", name="Mijn koppelingen")).to_be_visible()

    # Her own koppeling still opens.
    response = page.goto(f"{live_server.url}/koppelingen/{mijn_koppeling.pk}/")
    assert response is not None
    assert response.status == 200
    expect(heading).to_have_text("Koppeling Jansen – Bakker")
