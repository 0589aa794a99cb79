"""Correcting a contactmoment in a real browser (issue 16, point 3): the
coordinator fixes the date and the notes with a reason, and the koppeling's
page says it was corrected, with the old and new values in its history."""

import datetime

import pytest
from playwright.sync_api import expect

from gezinnen.models import today
from matching.models import Contactmoment, Correctie
from matching.services import contactmoment_vastleggen
from steungezinnen.datums import korte_datum
from tests.factories import PASSWORD, KoppelingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_corrects_the_date_and_notes_of_a_contactmoment(
    page, live_server, log_in, organisatie, coordinator
):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        vraaggezin__naam="Jansen",
        steungezin__naam="Bakker",
        start_op=today() - datetime.timedelta(days=40),
    )
    typed_on = today() - datetime.timedelta(days=3)
    meant = today() - datetime.timedelta(days=4)
    contact = contactmoment_vastleggen(
        door=coordinator,
        koppeling=koppeling,
        datum=typed_on,
        met="beide",
        hoe="telefoon",
        verloop="goed",
        notities="Gesprek over de woensdag",
    )
    log_in(coordinator.email, PASSWORD)
    page.goto(f"{live_server.url}/koppelingen/{koppeling.pk}/")
    contacten = page.get_by_role("region", name="Contactmomenten")
    contacten.get_by_role("link", name="corrigeren").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("corrigeren")
    expect(page.get_by_label("Notities")).to_have_value("Gesprek over de woensdag")
    page.get_by_label("Datum").fill(meant.isoformat())
    page.get_by_label("Notities").fill("Gesprek over de woensdagmiddag")
    # Without a reason nothing is saved, and what was typed stays.
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert").first).to_contain_text("Niet alles is goed ingevuld")
    expect(page.get_by_label("Notities")).to_have_value("Gesprek over de woensdagmiddag")
    page.get_by_label("Reden van de correctie").fill("Verkeerde dag en de middag vergeten")
    page.get_by_role("button", name="Opslaan").click()

    expect(heading).to_have_text("Koppeling Jansen – Bakker")
    expect(page.get_by_role("status")).to_contain_text("is gecorrigeerd")
    expect(contacten).to_contain_text("Gesprek over de woensdagmiddag")
    expect(contacten).to_contain_text(f"gecorrigeerd door {coordinator.get_full_name()} op")
    geschiedenis = contacten.locator("details")
    expect(geschiedenis.locator("summary")).to_have_text("Geschiedenis (1)")
    # Closed, the history is there without JavaScript; opened, it shows old → new.
    expect(geschiedenis.get_by_text("Verkeerde dag en de middag vergeten")).to_be_hidden()
    geschiedenis.locator("summary").click()
    expect(geschiedenis).to_contain_text("Verkeerde dag en de middag vergeten")
    expect(geschiedenis).to_contain_text(f"{korte_datum(typed_on)} → {korte_datum(meant)}")
    expect(geschiedenis).to_contain_text(
        "Gesprek over de woensdag → Gesprek over de woensdagmiddag"
    )
    assert Contactmoment.objects.get(pk=contact.pk).datum == meant
    assert Correctie.objects.get().reden == "Verkeerde dag en de middag vergeten"
