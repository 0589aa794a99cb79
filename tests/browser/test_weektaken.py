"""Coordinator time, measured (issue 15): the weekly tasks done from the
dashboard as a coordinator does them, counting the pages the browser loads
for each, the dashboard itself not included. A POST that redirects to the
next page counts once (the browser shows one page); a download counts as a
page load. The screening, aangemeld to beschikbaar, is measured beside the
whole screening journey (test_screening_journey.py)."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from gezinnen.models import today
from matching.models import Contactmoment, Koppeling, MeldcodeStap, Signaal
from tests.factories import (
    PASSWORD,
    KoppelingFactory,
    VraaggezinFactory,
    WijkFactory,
    approved_steungezin,
)

pytestmark = pytest.mark.django_db(transaction=True)

DAY = today()


class Loads:
    """The main frame's navigations, from the moment it is reset."""

    def __init__(self, page: Page):
        self.urls: list[str] = []
        page.on(
            "framenavigated", lambda frame: frame is page.main_frame and self.urls.append(frame.url)
        )

    def reset(self) -> None:
        self.urls.clear()

    def __len__(self) -> int:
        return len(self.urls)


def lijst(page: Page, titel: str):
    """A dashboard list: the rows under its heading (e.g. "Open signalen (1)")."""
    kop = page.get_by_role("heading", name=re.compile(rf"^{re.escape(titel)}"))
    return kop.locator("xpath=following-sibling::ul[1]")


def group(scope, name: str):
    return scope.get_by_role("group", name=re.compile(rf"^\s*{re.escape(name)}\s*\*?\s*$"))


def field(scope, label: str):
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


@pytest.fixture
def week(organisatie, coordinator):
    """What waits for the coordinator on a Monday morning."""
    noord = WijkFactory(organisatie=organisatie, naam="Noord", gemeente="Hengelo")
    overdue = KoppelingFactory(
        organisatie=organisatie,
        vraaggezin__naam="Jansen",
        steungezin__naam="Bakker",
        vraaggezin__wijk=noord,
        volgende_contact_op=DAY - datetime.timedelta(days=3),
    )
    signaal = Signaal.objects.create(
        koppeling=overdue, omschrijving="Het kind was erg stil.", gemeld_door=coordinator
    )
    wachtend = VraaggezinFactory(
        organisatie=organisatie,
        naam="Visser",
        status="wachtend",
        wijk=noord,
        wacht_sinds=DAY - datetime.timedelta(weeks=30),
        leden=[("volwassene", 35), ("kind", 6)],
    )
    approved_steungezin(organisatie, naam="De Vries", wijk=noord)
    return {"overdue": overdue, "signaal": signaal, "wachtend": wachtend}


def test_the_weekly_tasks_take_few_page_loads(page, live_server, log_in, coordinator, week):
    loads = Loads(page)
    heading = page.get_by_role("heading", level=1)
    log_in(coordinator.email, PASSWORD)

    def from_the_dashboard() -> None:
        page.goto(f"{live_server.url}/")
        expect(heading).to_contain_text("Dashboard")
        loads.reset()

    # A contactmoment that is overdue: at most 3.
    from_the_dashboard()
    lijst(page, "Contactmomenten over tijd").get_by_role("link", name="Jansen – Bakker").click()
    group(page, "Met wie").get_by_label("beide gezinnen").check()
    field(page, "Hoe").select_option(label="telefoon")
    group(page, "Hoe gaat het?").get_by_label("gaat goed").check()
    page.get_by_role("button", name="Contactmoment opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Het contactmoment is vastgelegd.")
    assert Contactmoment.objects.filter(koppeling=week["overdue"]).count() == 1
    assert len(loads) <= 3, loads.urls

    # A signal: its next step of the meldcode, at most 2.
    from_the_dashboard()
    lijst(page, "Open signalen").get_by_role("link", name="Jansen – Bakker").click()
    field(page, "Notitie").fill("Gesprek met de ouders gepland.")
    page.get_by_role("button", name="Stap vastleggen").click()
    expect(page.get_by_text("Gesprek met de ouders gepland.")).to_be_visible()
    assert MeldcodeStap.objects.filter(signaal=week["signaal"]).count() == 1
    assert len(loads) <= 2, loads.urls

    # A koppeling, from the suggestion to active: at most 6.
    from_the_dashboard()
    lijst(page, "Wachten langer dan").get_by_role("link", name="Gezin Visser").click()
    page.get_by_role("region", name="Gezin De Vries").get_by_role(
        "button", name="Voorstellen"
    ).click()
    page.get_by_role("button", name="Kennismaking plannen").click()
    page.get_by_role("link", name="Kennismaking").click()
    group(page, "Uitkomst").get_by_label("go: we gaan van start").check()
    page.get_by_role("button", name="Uitkomst vastleggen").click()
    field(page, "Afspraken: wat gaan de gezinnen doen?").fill("Elke woensdagmiddag spelen.")
    field(page, "Hoe vaak").fill("elke woensdagmiddag")
    group(page, "Voor welke kinderen").get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("is gestart")
    koppeling = Koppeling.objects.get(vraaggezin=week["wachtend"])
    assert koppeling.status == Koppeling.Status.ACTIEF
    assert len(loads) <= 6, loads.urls

    # The municipality's report as PDF: at most 2, the download included.
    from_the_dashboard()
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Rapportage").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert len(loads) + 1 <= 2, loads.urls
