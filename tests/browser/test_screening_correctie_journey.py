"""Correcting a VOG date and withdrawing a training attendance in a real
browser (issue 16, point 3): the screening page links to the correction
pages, says what was corrected by whom, and keeps the history."""

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gezinnen.models import today
from matching.models import Correctie
from screening.models import VOG, Training, TrainingDeelname
from steungezinnen.datums import korte_datum
from tests.factories import PASSWORD, approved_steungezin

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/c16-shots"))


def shoot(page, name: str) -> None:
    """The page at a phone's, a tablet's and a laptop's width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (320, 820, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_coordinator_corrects_a_vog_date_and_withdraws_an_attendance(
    page, live_server, log_in, organisatie, coordinator
):
    gezin = approved_steungezin(organisatie, naam="Bakker")
    lid = gezin.leden.get()
    vog = VOG.objects.get(gezinslid=lid)
    typed = vog.ontvangen_op
    meant = typed + datetime.timedelta(days=2)
    training = Training.objects.create(
        organisatie=organisatie,
        datum=today() - datetime.timedelta(days=20),
        titel="Basistraining",
        trainer="Tineke",
        plaats="Hengelo",
    )
    TrainingDeelname.objects.create(training=training, gezinslid=lid)
    log_in(coordinator.email, PASSWORD)
    page.goto(f"{live_server.url}/steungezinnen/{gezin.pk}/screening/")

    vogs = page.locator("#vogs")
    vogs.get_by_role("link", name=f"VOG van {lid.voornaam} corrigeren").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("corrigeren")
    shoot(page, "vog-corrigeren")
    page.get_by_label("Ontvangen op").fill(meant.isoformat())
    page.get_by_label("Reden van de correctie").fill("Datum van de poststempel overgenomen")
    page.get_by_role("button", name="Opslaan").click()

    expect(heading).to_contain_text("Screening van")
    expect(vogs).to_contain_text(f"gecorrigeerd door {coordinator.get_full_name()} op")
    vogs.locator("details.app-geschiedenis summary").click()
    expect(vogs).to_contain_text(f"{korte_datum(typed)} → {korte_datum(meant)}")

    training_kaart = page.locator("#training")
    # The other session to choose from, as a list that wraps on a phone.
    training_kaart.get_by_role("link", name=f"Training van {lid.voornaam} corrigeren").click()
    expect(page.get_by_label("Basistraining (")).to_be_checked()
    shoot(page, "deelname-corrigeren")
    page.get_by_role("link", name="Annuleren").click()
    training_kaart.get_by_role("link", name=f"Training van {lid.voornaam} intrekken").click()
    expect(heading).to_contain_text("intrekken")
    expect(page.locator("main")).to_contain_text("Basistraining")
    shoot(page, "deelname-intrekken")
    page.get_by_label("Reden van het intrekken").fill("Was er die avond niet")
    page.get_by_role("button", name="Intrekken").click()

    expect(training_kaart).to_contain_text("Ingetrokken deelnames")
    expect(training_kaart).to_contain_text("Was er die avond niet")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    shoot(page, "screening-met-geschiedenis")
    assert VOG.objects.get(pk=vog.pk).ontvangen_op == meant
    assert not TrainingDeelname.objects.exists()
    assert Correctie.objects.filter(gezin=gezin).count() == 2
