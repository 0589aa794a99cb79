"""A coordinator keeps the signed agreement of a koppeling and downloads it, in a real browser."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import AuditEntry
from matching.models import Document
from tests.factories import PASSWORD, KoppelingFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_coordinator_uploads_a_signed_agreement_and_downloads_it(
    page, live_server, log_in, organisatie, coordinator, tmp_path
):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        vraaggezin__naam="Jansen",
        steungezin__naam="Bakker",
    )
    getekend = tmp_path / "overeenkomst getekend.pdf"
    getekend.write_bytes(PDF)
    nep = tmp_path / "niet echt.pdf"
    nep.write_bytes(b"<html>geen pdf</html>")
    log_in(coordinator.email, PASSWORD)
    page.goto(f"{live_server.url}/koppelingen/{koppeling.pk}/")
    documenten = page.get_by_role("region", name="Documenten")
    expect(documenten).to_contain_text("Nog geen documenten.")

    # A file that only says it is a PDF: refused, with the reason, and nothing kept.
    documenten.get_by_label("Bestanden").set_input_files([str(getekend), str(nep)])
    documenten.get_by_label("Wat voor document").select_option(label="ondertekende overeenkomst")
    documenten.get_by_label("Titel").fill("Overeenkomst 2027")
    documenten.get_by_role("button", name="Bewaren").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Documenten bij koppeling")
    expect(page.get_by_text("niet echt.pdf: dit is geen PDF")).to_be_visible()
    expect(page.get_by_label("Titel")).to_have_value("Overeenkomst 2027")
    assert not Document.objects.exists()

    page.get_by_label("Bestanden").set_input_files(str(getekend))
    page.get_by_label("Wat voor document").select_option(label="ondertekende overeenkomst")
    page.get_by_role("button", name="Bewaren").click()
    expect(page.get_by_text("Het document is bewaard.")).to_be_visible()
    documenten = page.get_by_role("region", name="Documenten")
    expect(documenten).to_contain_text("Ondertekende overeenkomst")

    with page.expect_download() as download_info:
        documenten.get_by_role("link", name="Overeenkomst 2027", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "overeenkomst getekend.pdf"
    assert Path(download.path()).read_bytes() == PDF
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.EXPORT, object_type="matching.document", user=coordinator
    ).exists()
