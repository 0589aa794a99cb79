"""A coordinator brings in her programme's spreadsheet, in a real browser:
the template, the preview with the errors per row, the valid rows only, and
the undo."""

import pytest
from playwright.sync_api import expect

from gezinnen.models import Steungezin, Vraaggezin, today
from importeren.models import Import
from matching.models import Koppeling
from tests import importbestand
from tests.factories import PASSWORD, WijkFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_previews_her_spreadsheet_and_imports_the_valid_rows(
    page, live_server, log_in, organisatie, coordinator, tmp_path
):
    for naam, pc4 in (("Centrum", "7551"), ("Noord", "7552")):
        WijkFactory(organisatie=organisatie, naam=naam, postcodes=pc4)
    bestand = importbestand.maak(today(), vraag=20, steun=8, koppelingen=5)
    spreadsheet = tmp_path / "ons programma.xlsx"
    spreadsheet.write_bytes(bestand.inhoud)
    log_in(coordinator.email, PASSWORD)

    page.goto(live_server.url)
    page.get_by_role("link", name="Gezinnen importeren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gezinnen importeren")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download het sjabloon").click()
    assert download.value.suggested_filename == "steungezinnen-import.xlsx"

    page.get_by_label("Bestand").set_input_files(str(spreadsheet))
    page.get_by_role("button", name="Bestand controleren").click()

    # The preview: each row as it will be stored, the errors at their rows.
    expect(
        page.get_by_role("heading", level=2, name="Voorbeeld: nog niets opgeslagen")
    ).to_be_visible()
    fouten = sum(len(rijen) for rijen in bestand.fout.values())
    expect(page.get_by_text(f"{fouten} met fouten")).to_be_visible()
    vraag = page.get_by_role("region", name="Vraaggezinnen")
    expect(vraag.get_by_text("onbekende wijk 'Atlantis'")).to_be_visible()
    expect(vraag.get_by_text("Vul een Nederlandse postcode in").first).to_be_visible()
    expect(vraag.get_by_role("cell", name="in orde").first).to_be_visible()
    expect(page.get_by_role("button", name="Alles invoeren")).to_have_count(0)
    assert not Vraaggezin.objects.exists()

    page.get_by_role("link", name="Alleen de rijen met fouten tonen").click()
    expect(page.locator("tr.table-danger")).to_have_count(fouten)
    expect(vraag.get_by_role("cell", name="in orde")).to_have_count(0)

    geldig = Import.objects.get().geldig()
    page.get_by_role("button", name=f"Alleen de {geldig} rijen zonder fouten invoeren").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ingevoerd")
    assert Vraaggezin.objects.count() == bestand.vraag
    assert Steungezin.objects.count() == bestand.steun
    assert Koppeling.objects.filter(status="actief").count() == bestand.koppelingen

    # The families are in the app, each a click away.
    page.get_by_text("De ingevoerde gezinnen").click()
    eerste = Vraaggezin.objects.order_by("pk").first()
    page.get_by_role("link", name=str(eerste), exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(eerste.naam)
    page.go_back()

    page.get_by_role("button", name="Hele import ongedaan maken").click()
    expect(page.get_by_text("De import is ongedaan gemaakt")).to_be_visible()
    assert not Vraaggezin.objects.exists()
    assert not Koppeling.objects.exists()
