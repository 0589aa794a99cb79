"""Correcting a Meldcode step and a koppeling's agreements (with the children
they are for) in a real browser (issue 16): the coordinator fixes them with a
reason, and the signal's and the koppeling's pages say who corrected them
when, with the old and new values in their history."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from gezinnen.models import today
from matching.models import Correctie, Koppeling, MeldcodeStap, Signaal
from matching.services import meldcode_stap_vastleggen
from steungezinnen.datums import korte_datum
from tests.factories import PASSWORD, GezinslidFactory, KoppelingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_corrects_a_meldcode_step_and_the_agreements(
    page, live_server, log_in, organisatie, coordinator
):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        vraaggezin__naam="Jansen",
        steungezin__naam="Bakker",
        start_op=today() - datetime.timedelta(days=60),
        afspraken="Elke woensdag een speelmiddag.",
        frequentie="wekelijks",
        vraaggezin__leden=[("volwassene", 36)],
    )
    anna = GezinslidFactory(gezin=koppeling.vraaggezin, voornaam="Anna")
    GezinslidFactory(gezin=koppeling.vraaggezin, voornaam="Bram")
    koppeling.kinderen.set([anna])
    signaal = Signaal.objects.create(
        koppeling=koppeling, omschrijving="Kind vertelde over ruzie", gemeld_door=coordinator
    )
    Signaal.objects.filter(pk=signaal.pk).update(
        gemeld_op=signaal.gemeld_op - datetime.timedelta(days=20)
    )
    typed_on = today() - datetime.timedelta(days=10)
    meant = today() - datetime.timedelta(days=12)
    stap = meldcode_stap_vastleggen(
        door=coordinator,
        signaal=Signaal.objects.get(pk=signaal.pk),
        stap=MeldcodeStap.Stap.IN_KAART,
        datum=typed_on,
        notitie="Signalen op een rij gezet",
        hulp_georganiseerd=False,
        melding_veilig_thuis=False,
    )
    log_in(coordinator.email, PASSWORD)
    heading = page.get_by_role("heading", level=1)

    # The step, from the signal's page.
    page.goto(live_server.url + reverse("matching:signaal", args=[signaal.pk]))
    stappen = page.locator(
        "section", has=page.get_by_role("heading", name="Stappen van de meldcode")
    )
    stappen.get_by_role("link", name="1. signalen in kaart gebracht corrigeren").click()
    expect(heading).to_contain_text("corrigeren")
    expect(page.get_by_label("Notitie")).to_have_value("Signalen op een rij gezet")
    page.get_by_label("Datum").fill(meant.isoformat())
    page.get_by_label("Notitie").fill("Signalen op een rij gezet met de intern begeleider")
    page.get_by_label("Reden van de correctie").fill("Datum uit de agenda van de school")
    page.get_by_role("button", name="Opslaan").click()

    expect(heading).to_contain_text("Signaal bij")
    expect(page.get_by_role("status")).to_contain_text("is gecorrigeerd")
    expect(stappen).to_contain_text(f"gecorrigeerd door {coordinator.get_full_name()} op")
    geschiedenis = stappen.locator("details.app-geschiedenis")
    expect(geschiedenis.locator("summary")).to_have_text("Geschiedenis (1)")
    geschiedenis.locator("summary").click()
    expect(geschiedenis).to_contain_text("Datum uit de agenda van de school")
    expect(geschiedenis).to_contain_text(f"{korte_datum(typed_on)} → {korte_datum(meant)}")
    expect(geschiedenis).to_contain_text(
        "Signalen op een rij gezet → Signalen op een rij gezet met de intern begeleider"
    )

    # The agreements, from the koppeling's page.
    page.goto(live_server.url + reverse("matching:detail", args=[koppeling.pk]))
    afspraken = page.locator(
        "section", has=page.get_by_role("heading", name="Afspraken", exact=True)
    )
    afspraken.get_by_role("link", name="Afspraken corrigeren").click()
    expect(heading).to_contain_text("corrigeren")
    expect(page.get_by_label("Hoe vaak")).to_have_value("wekelijks")
    page.get_by_label("Hoe vaak").fill("om de week")
    page.get_by_label("Afspraken: wat gaan de gezinnen doen?").fill(
        "Om de week een speelmiddag op woensdag."
    )
    expect(page.get_by_label("Anna")).to_be_checked()
    page.get_by_label("Bram").check()
    page.get_by_label("Reden van de correctie").fill("Afgesproken bij de kennismaking")
    page.get_by_role("button", name="Opslaan").click()

    expect(heading).to_have_text("Koppeling Jansen – Bakker")
    expect(page.get_by_role("status")).to_contain_text("is gecorrigeerd")
    expect(afspraken).to_contain_text("Om de week een speelmiddag op woensdag.")
    expect(afspraken).to_contain_text(f"Gecorrigeerd door {coordinator.get_full_name()} op")
    geschiedenis = afspraken.locator("details.app-geschiedenis")
    expect(geschiedenis.get_by_text("Afgesproken bij de kennismaking")).to_be_hidden()
    geschiedenis.locator("summary").click()
    expect(geschiedenis).to_contain_text("Afgesproken bij de kennismaking")
    expect(geschiedenis).to_contain_text("wekelijks → om de week")
    expect(geschiedenis).to_contain_text("Voor welke kinderen: Anna → Anna, Bram")
    expect(geschiedenis).to_contain_text(
        "Elke woensdag een speelmiddag. → Om de week een speelmiddag op woensdag."
    )

    stap = MeldcodeStap.objects.get(pk=stap.pk)
    assert (stap.datum, stap.versie) == (meant, 2)
    assert Koppeling.objects.get(pk=koppeling.pk).frequentie == "om de week"
    assert sorted(Correctie.objects.values_list("reden", flat=True)) == [
        "Afgesproken bij de kennismaking",
        "Datum uit de agenda van de school",
    ]
