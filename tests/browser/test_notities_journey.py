"""A coordinator keeps notes in a real browser: one on a family, which the
family's timeline shows beside its status changes; one on its koppeling,
marked for professionals, which the volunteer coordinator never sees."""

import re

import pytest
from playwright.sync_api import expect

from matching.models import Notitie
from tests.factories import PASSWORD, KoppelingFactory, VraaggezinFactory

pytestmark = pytest.mark.django_db(transaction=True)


def field(scope, label: str):
    """A form field by its exact label (required ones end in '*')."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def test_a_coordinator_writes_notes_that_the_timeline_shows(
    page, live_server, log_in, organisatie, coordinator, vrijwilliger
):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        vrijwilliger=vrijwilliger,
        vraaggezin=VraaggezinFactory(organisatie=organisatie, naam="Jansen", status="gekoppeld"),
    )
    heading = page.get_by_role("heading", level=1)
    log_in(coordinator.email, PASSWORD)

    # 1. A note on the family, from its page.
    page.goto(f"{live_server.url}/vraaggezinnen/{koppeling.vraaggezin.pk}/")
    expect(heading).to_have_text("Gezin Jansen")
    tijdlijn = page.get_by_role("region", name="Tijdlijn")
    # Sent empty first: the reason, in Dutch, on a page of its own.
    tijdlijn.get_by_role("button", name="Notitie opslaan").click()
    expect(page.get_by_text("Schrijf eerst de notitie.")).to_be_visible()
    field(page, "Notitie").fill("Moeder belde: de oudste gaat weer naar school.")
    page.get_by_role("button", name="Notitie opslaan").click()
    expect(heading).to_have_text("Gezin Jansen")
    expect(page.get_by_text("De notitie is opgeslagen.")).to_be_visible()
    first = tijdlijn.get_by_role("listitem").first
    expect(first).to_contain_text("Moeder belde: de oudste gaat weer naar school.")
    expect(first).to_contain_text("bij het gezin")
    expect(first).to_contain_text(coordinator.get_full_name())

    # 2. A note for professionals only, on the koppeling's page.
    page.goto(f"{live_server.url}/koppelingen/{koppeling.pk}/")
    notities = page.get_by_role("region", name="Notities")
    field(notities, "Notitie").fill("Vermoeden van schulden; niet delen.")
    notities.get_by_label("Alleen voor professionals").check()
    notities.get_by_role("button", name="Notitie opslaan").click()
    expect(notities.get_by_role("listitem").first).to_contain_text("alleen professionals")
    assert Notitie.objects.get(koppeling=koppeling).alleen_professionals

    # 3. The family's timeline has both, the newest first.
    page.goto(f"{live_server.url}/vraaggezinnen/{koppeling.vraaggezin.pk}/")
    regels = page.get_by_role("region", name="Tijdlijn").get_by_role("listitem")
    expect(regels.nth(0)).to_contain_text("Vermoeden van schulden")
    expect(regels.nth(0)).to_contain_text(f"bij koppeling nr. {koppeling.pk}")
    expect(regels.nth(1)).to_contain_text("Moeder belde")

    # 4. The volunteer coordinator sees the koppeling, not that note.
    page.context.clear_cookies()
    log_in(vrijwilliger.email, PASSWORD)
    page.goto(f"{live_server.url}/koppelingen/{koppeling.pk}/")
    notities = page.get_by_role("region", name="Notities")
    expect(notities).to_contain_text("Nog geen notities.")
    expect(notities.get_by_label("Alleen voor professionals")).to_have_count(0)
