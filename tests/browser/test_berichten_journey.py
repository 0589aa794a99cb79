"""A coordinator invites both families of a koppeling to their kennismaking
from the koppeling's page, in a real browser: a mistake is explained and
what was typed stays; the invitation goes to each family on its own with an
.ics, and shows on the koppeling's page and in the family's timeline."""

import datetime
import os
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from gezinnen.models import today
from matching.models import Bericht
from tests.factories import PASSWORD, KoppelingFactory, SteungezinFactory, VraaggezinFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("SHOTS_DIR", "")


def field(scope, label: str):
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def _shots(page, name: str) -> None:
    """Screenshots at three widths, to look at (SHOTS_DIR set)."""
    if not SHOTS:
        return
    for width in (320, 820, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def test_a_coordinator_sends_an_invitation_from_the_koppeling_page(
    page, live_server, log_in, organisatie, coordinator
):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        status="kennismaking",
        start_op=None,
        vraaggezin=VraaggezinFactory(organisatie=organisatie, naam="Jansen", status="wachtend"),
        steungezin=SteungezinFactory(organisatie=organisatie, naam="De Vries"),
    )
    heading = page.get_by_role("heading", level=1)
    log_in(coordinator.email, PASSWORD)
    page.goto(f"{live_server.url}/koppelingen/{koppeling.pk}/")
    sectie = page.get_by_role("region", name="Mail")
    expect(sectie).to_contain_text("De verwijzer krijgt geen bericht")
    _shots(page, "koppeling")
    sectie.get_by_role("link", name="Uitnodiging sturen").click()
    expect(heading).to_have_text("Uitnodiging voor de kennismaking")

    # A day in the past: refused in Dutch, the rest as typed.
    gisteren = today() - datetime.timedelta(days=1)
    field(page, "Datum").fill(gisteren.isoformat())
    field(page, "Van").fill("15:00")
    field(page, "Tot").fill("16:00")
    field(page, "Waar").fill("Buurthuis De Es")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.get_by_text("De kennismaking moet in de toekomst liggen.")).to_be_visible()
    expect(field(page, "Waar")).to_have_value("Buurthuis De Es")
    _shots(page, "uitnodiging-fout")

    field(page, "Datum").fill((today() + datetime.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(
        page.get_by_text("De uitnodiging gaat naar Gezin Jansen en Gezin De Vries.")
    ).to_be_visible()
    assert Bericht.objects.filter(koppeling=koppeling).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [koppeling.vraaggezin.email, koppeling.steungezin.email]
    )
    assert all(m.attachments[0][0] == "kennismaking.ics" for m in mail.outbox)
    expect(page.get_by_role("region", name="Mail")).to_contain_text(
        "uitnodiging voor de kennismaking, aan vraaggezin"
    )

    # The family's timeline has it, with the address, for the coordinator.
    page.goto(f"{live_server.url}/vraaggezinnen/{koppeling.vraaggezin.pk}/")
    tijdlijn = page.get_by_role("region", name="Tijdlijn")
    expect(tijdlijn.get_by_role("listitem").first).to_contain_text(
        "Uitnodiging voor de kennismaking, aan vraaggezin"
    )
    _shots(page, "gezin")
    tijdlijn.get_by_role("link", name="Bericht sturen").click()
    expect(field(page, "Onderwerp")).to_have_value(f"Bericht van {organisatie.naam}")
    _shots(page, "bericht")
