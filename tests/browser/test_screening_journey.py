"""The screening of a steungezin, end to end in a real browser: from aangemeld to beschikbaar
on one page, counting the page loads it takes."""

import datetime

import pytest
from playwright.sync_api import expect

from gezinnen.models import Statuswijziging, Steungezin, today
from screening.models import VOG, Referentie, ScreeningGesprek, Training, TrainingDeelname
from steungezinnen.datums import korte_datum
from tests.factories import PASSWORD, SteungezinFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The budget for a whole screening, from the dashboard (issue 15).
MAX_PAGE_LOADS = 8


def days_ago(days: int) -> str:
    return (today() - datetime.timedelta(days=days)).isoformat()


def count_page_loads(page) -> list[str]:
    """The addresses the page's main frame navigates to from now on."""
    loads: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: loads.append(frame.url) if frame == page.main_frame else None,
    )
    return loads


def region(page, name: str):
    return page.get_by_role("region", name=name)


@pytest.fixture(params=[True, False], ids=["met-javascript", "zonder-javascript"])
def any_page(request, browser, browser_context_args):
    """A page with JavaScript on, and one with it off: the screening page
    needs none (plain forms, native details, the dates shown by CSS)."""
    context = browser.new_context(**browser_context_args, java_script_enabled=request.param)
    yield context.new_page()
    context.close()


def test_a_coordinator_screens_a_steungezin_from_aangemeld_to_beschikbaar(
    any_page, live_server, organisatie, coordinator
):
    page = any_page
    gezin = SteungezinFactory(
        organisatie=organisatie,
        naam="Bakker",
        leden=[("volwassene", 45), ("volwassene", 47), ("kind", 9)],
    )
    assert gezin.status == Steungezin.Status.AANGEMELD
    oudste, jongste = gezin.leden.filter(soort="volwassene").order_by("geboortedatum")
    training = Training.objects.create(
        organisatie=organisatie,
        datum=today() - datetime.timedelta(days=14),
        titel="Basistraining steungezinnen",
        trainer="Ria Trainer",
        plaats="Hengelo",
    )
    page.goto(f"{live_server.url}/inloggen/")
    page.get_by_label("E-mailadres").fill(coordinator.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server.url}/")
    loads = count_page_loads(page)

    # 1. From the dashboard (not counted) straight to the new family's screening.
    page.get_by_role("heading", name="Nieuwe steungezinnen").locator("+ ul").get_by_role(
        "link", name="Gezin Bakker"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening van Gezin Bakker")
    besluit = region(page, "Besluit")
    # Still aangemeld, and no need to change that by hand: the page says what is missing.
    expect(besluit.get_by_role("listitem")).to_have_text(
        [
            "Het kennismakingsgesprek (intake) is nog niet gedaan.",
            "Het huisbezoek is nog niet gedaan.",
            f"Van {oudste} is nog geen VOG aangevraagd.",
            f"Van {jongste} is nog geen VOG aangevraagd.",
            "Nog geen enkele volwassene van het gezin heeft de training gevolgd.",
        ]
    )
    expect(besluit).to_contain_text("vanzelf via 'in screening'")
    expect(besluit.get_by_role("button", name="Goedkeuren")).to_have_count(0)
    # Only the adults need a VOG.
    expect(region(page, "VOG's").get_by_role("region")).to_have_count(2)

    # 2. The intake, held at the family's home: the huisbezoek too.
    gesprek = region(page, "Kennismaking en huisbezoek")
    gesprek.get_by_label("kennismakingsgesprek (intake)").check()
    gesprek.get_by_label("huisbezoek").check()
    gesprek.get_by_label("Notities").fill("Warm gezin; veilig huis, tuin met hek.")
    gesprek.get_by_role("button", name="Gesprek vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Kennismakingsgesprek (intake) en huisbezoek: vastgelegd."
    )
    verslag = gesprek.get_by_role("article")
    expect(verslag).to_contain_text("Kennismakingsgesprek (intake) en Huisbezoek")
    expect(verslag).to_contain_text(f"{korte_datum(today())}, door {coordinator.get_full_name()}")
    expect(verslag).to_contain_text("Warm gezin; veilig huis, tuin met hek.")

    # 3 and 4. Both VOGs, received: only the dates of that status show.
    for lid, afgegeven, ontvangen in [(oudste, 10, 7), (jongste, 15, 12)]:
        vog = region(page, f"VOG van {lid}")
        expect(vog.get_by_label("Ontvangen op")).to_be_hidden()
        vog.get_by_label("Ontvangen", exact=True).check()
        expect(vog.get_by_label("Aangevraagd op")).to_be_hidden()
        expect(vog.get_by_label("Klaargezet bij Justis op")).to_be_hidden()
        vog.get_by_label("Datum van afgifte").fill(days_ago(afgegeven))
        vog.get_by_label("Ontvangen op").fill(days_ago(ontvangen))
        vog.get_by_role("button", name="opslaan").click()
        expect(page.get_by_role("status")).to_contain_text(f"De VOG van {lid} is bijgewerkt.")
        vog = region(page, f"VOG van {lid}")
        expect(vog).to_contain_text("ontvangen")
        expect(vog).to_contain_text(f"Bijgewerkt door{coordinator.get_full_name()}")
        # A VOG just received is not followed by an offer to request a new one.
        expect(vog.get_by_role("button", name="Nieuwe VOG")).to_have_count(0)

    # 5. The training: only the youngest adult went.
    deelname = region(page, "Training")
    deelname.get_by_label("Training").select_option(label=str(training))
    deelname.get_by_label(str(jongste)).check()
    deelname.get_by_role("button", name="Deelname vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("De deelname aan de training is vastgelegd.")
    expect(region(page, "Training")).to_contain_text(f"{jongste}: {training.titel}")

    # 6 and 7. Two references, each with what they said.
    for naam, relatie, notitie in [
        ("Ingrid Smit", "buurvrouw", "Kent het gezin al twintig jaar."),
        ("Kees Mol", "voetbaltrainer", "Betrouwbaar, altijd op tijd."),
    ]:
        referenties = region(page, "Referenties")
        formulier = referenties.locator("details")
        if formulier.get_attribute("open") is None:
            formulier.get_by_text("Referentie toevoegen").click()
        referenties.get_by_label("Naam").fill(naam)
        referenties.get_by_label("Relatie tot het gezin").fill(relatie)
        referenties.get_by_label("Uitkomst").select_option(label="positief")
        referenties.get_by_label("Notitie").fill(notitie)
        referenties.get_by_role("button", name="Referentie vastleggen").click()
        expect(page.get_by_role("status")).to_contain_text(f"De referentie {naam} is vastgelegd.")
        expect(region(page, "Referenties").get_by_role("article", name=naam)).to_contain_text(
            notitie
        )

    # 8. Everything is complete: approve, from aangemeld, on the same page.
    besluit = region(page, "Besluit")
    expect(besluit).to_contain_text("Alles is rond")
    besluit.get_by_role("button", name="Goedkeuren: beschikbaar voor een koppeling").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Gezin Bakker is goedgekeurd en nu beschikbaar."
    )
    expect(region(page, "Besluit")).to_contain_text("Goedgekeurd: dit gezin is beschikbaar")
    expect(page.get_by_role("heading", level=1).locator("..")).to_contain_text("beschikbaar")

    assert len(loads) <= MAX_PAGE_LOADS, loads
    # Everything recorded is on the page.
    for text in [
        "Warm gezin; veilig huis, tuin met hek.",
        "Kent het gezin al twintig jaar.",
        "Betrouwbaar, altijd op tijd.",
    ]:
        expect(page.get_by_text(text)).to_be_visible()

    gezin.refresh_from_db()
    assert gezin.status == Steungezin.Status.BESCHIKBAAR
    stappen = Statuswijziging.objects.filter(gezin=gezin).order_by("op", "id")
    assert [(s.van, s.naar, s.door) for s in stappen] == [
        ("aangemeld", "in_screening", coordinator),
        ("in_screening", "beschikbaar", coordinator),
    ]
    assert set(ScreeningGesprek.objects.values_list("soort", flat=True)) == {
        "kennismaking",
        "huisbezoek",
    }
    assert set(VOG.objects.values_list("gezinslid", "status")) == {
        (oudste.pk, VOG.Status.ONTVANGEN),
        (jongste.pk, VOG.Status.ONTVANGEN),
    }
    assert VOG.objects.get(gezinslid=oudste).ontvangen_op == today() - datetime.timedelta(days=7)
    assert list(TrainingDeelname.objects.values_list("gezinslid", flat=True)) == [jongste.pk]
    assert Referentie.objects.filter(steungezin=gezin).count() == 2


def test_a_vog_with_dates_in_the_wrong_order_keeps_what_was_typed(
    page, live_server, log_in, organisatie, coordinator
):
    gezin = SteungezinFactory(organisatie=organisatie, naam="Smit", leden=[("volwassene", 40)])
    lid = gezin.leden.get()
    log_in(coordinator.email, PASSWORD)
    page.goto(f"{live_server.url}/steungezinnen/{gezin.pk}/screening/")
    vog = region(page, f"VOG van {lid}")
    vog.get_by_label("Ontvangen", exact=True).check()
    vog.get_by_label("Datum van afgifte").fill(days_ago(5))
    vog.get_by_label("Ontvangen op").fill(days_ago(8))
    vog.get_by_role("button", name="opslaan").click()

    vog = region(page, f"VOG van {lid}")
    expect(vog.get_by_role("alert")).to_contain_text("uw invoer is bewaard")
    expect(vog.get_by_text("Ontvangen kan niet vóór de datum van afgifte.")).to_be_visible()
    expect(vog.get_by_label("Ontvangen", exact=True)).to_be_checked()
    expect(vog.get_by_label("Datum van afgifte")).to_have_value(days_ago(5))
    expect(vog.get_by_label("Ontvangen op")).to_have_value(days_ago(8))
    assert not VOG.objects.exists()
