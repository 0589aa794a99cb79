"""A coordinator erases a family on request, in a real browser."""

import datetime

import pytest
from playwright.sync_api import expect

from gezinnen.models import Vraaggezin, today
from tests.factories import PASSWORD
from tests.test_bewaren import ended

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_erases_a_family_after_confirming(page, live_server, log_in, coordinator):
    gezin = ended(
        Vraaggezin, coordinator.organisatie, today() - datetime.timedelta(days=10), naam="Jansen"
    )
    log_in(coordinator.email, PASSWORD)
    page.goto(f"{live_server.url}/vraaggezinnen/{gezin.pk}/")
    page.get_by_role("link", name="Gegevens wissen (AVG)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gegevens van Gezin Jansen wissen")

    page.get_by_label("Typ ter bevestiging het gezinsnummer").fill("12345")
    page.get_by_role("button", name="Gegevens definitief wissen").click()
    expect(page.get_by_text("Kies de reden van het verzoek.")).to_be_visible()
    expect(page.get_by_label("Typ ter bevestiging het gezinsnummer")).to_have_value("12345")

    page.get_by_label("verzoek van het gezin (AVG art. 17)").check()
    page.get_by_label("Typ ter bevestiging het gezinsnummer").fill(str(gezin.pk))
    page.get_by_role("button", name="Gegevens definitief wissen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Geanonimiseerd gezin nr. {gezin.pk}"
    )
    expect(page.get_by_role("link", name="Bewerken")).to_have_count(0)
    gezin.refresh_from_db()
    assert gezin.geanonimiseerd_op is not None
