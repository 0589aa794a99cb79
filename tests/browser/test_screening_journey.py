"""The screening of a steungezin, end to end in a real browser: from aangemeld to beschikbaar."""

import datetime

import pytest
from playwright.sync_api import expect

from gezinnen.models import Statuswijziging, Steungezin, today
from screening.models import VOG, Training, TrainingDeelname
from tests.factories import PASSWORD, SteungezinFactory

pytestmark = pytest.mark.django_db(transaction=True)


def days_ago(days: int) -> str:
    return (today() - datetime.timedelta(days=days)).isoformat()


def screening_row(page, label: str):
    """The line of the screening overview for one item, by its label."""
    section = page.get_by_role("region", name="Screening")
    return section.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label))


def vog_line(page, naam: str):
    section = page.get_by_role("region", name="Screening")
    return section.get_by_role("listitem").filter(has_text=f"{naam}:")


def fill_vog(page, *, klaargezet: str, aangevraagd: str, afgegeven: str, ontvangen: str):
    page.get_by_label("Status").select_option(label="ontvangen")
    page.get_by_label("Klaargezet bij Justis op").fill(klaargezet)
    page.get_by_label("Aangevraagd op").fill(aangevraagd)
    page.get_by_label("Datum van afgifte").fill(afgegeven)
    page.get_by_label("Ontvangen op").fill(ontvangen)


def test_a_coordinator_screens_a_steungezin_from_aangemeld_to_beschikbaar(
    page, live_server, log_in, organisatie, coordinator
):
    gezin = SteungezinFactory(
        organisatie=organisatie,
        naam="Bakker",
        leden=[("volwassene", 45), ("volwassene", 47)],
    )
    assert gezin.status == Steungezin.Status.AANGEMELD
    # Members are listed oldest adult first.
    oudste, jongste = gezin.leden.order_by("geboortedatum")
    training = Training.objects.create(
        organisatie=organisatie,
        datum=today() - datetime.timedelta(days=14),
        titel="Basistraining steungezinnen",
        trainer="Ria Trainer",
        plaats="Hengelo",
    )

    log_in(coordinator.email, PASSWORD)
    # The brand link is called "Steungezinnen" too: take the menu item.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("listitem").get_by_role(
        "link", name="Steungezinnen", exact=True
    ).click()
    page.get_by_role("link", name="Bakker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gezin Bakker")
    header = page.get_by_role("heading", level=1).locator("..")
    expect(header.get_by_text("aangemeld", exact=True)).to_be_visible()

    # 1. Take the family into screening.
    page.get_by_role("region", name="Status wijzigen").get_by_role(
        "link", name="In screening"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Status van Gezin Bakker wijzigen")
    expect(page.get_by_label("Nieuwe status")).to_have_value("in_screening")
    page.get_by_role("button", name="Status wijzigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gezin Bakker")
    expect(header.get_by_text("in screening", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Gezin Bakker is nu in screening.")
    expect(screening_row(page, "Kennismakingsgesprek (intake)")).to_contain_text("ontbreekt")
    expect(screening_row(page, "Huisbezoek")).to_contain_text("ontbreekt")

    # 2. The kennismakingsgesprek and the huisbezoek.
    for soort, notes in [
        ("Kennismakingsgesprek (intake)", "Warm gezin; ruime ervaring met kinderen."),
        ("Huisbezoek", "Veilig huis, tuin met hek, eigen kamer voor logeren."),
    ]:
        page.get_by_role("link", name=f"{soort} vastleggen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(soort)
        expect(page.get_by_label("Datum")).to_have_value(today().isoformat())
        page.get_by_label("Notities").fill(notes)
        page.get_by_role("button", name="Opslaan").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Gezin Bakker")
        expect(page.get_by_role("status")).to_contain_text(f"{soort} is vastgelegd.")
        row = screening_row(page, soort)
        expect(row).to_contain_text("gedaan")
        expect(row).to_contain_text(f"{today():%d-%m-%Y} door {coordinator.get_full_name()}")

    # 3. Too early for a decision: the page says what is missing.
    page.get_by_role("region", name="Screening").get_by_role("link", name="Besluit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Besluit over Gezin Bakker")
    missing = page.get_by_role("alert").filter(has_text="Nog niet goed te keuren")
    expect(missing.get_by_role("listitem")).to_have_text(
        [
            f"Van {oudste} is nog geen VOG aangevraagd.",
            f"Van {jongste} is nog geen VOG aangevraagd.",
            "Nog geen enkele volwassene van het gezin heeft de training gevolgd.",
        ]
    )
    expect(page.get_by_role("button", name="Goedkeuren")).to_have_count(0)
    page.get_by_role("navigation", name="Kruimelpad").get_by_role("link", name="Bakker").click()

    # 4 and 5. The VOG of the eldest, first with the dates in the wrong order.
    expect(vog_line(page, str(oudste))).to_contain_text("nog niets")
    vog_line(page, str(oudste)).get_by_role("link", name="Vastleggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"VOG van {oudste}")
    fill_vog(
        page,
        klaargezet=days_ago(20),
        aangevraagd=days_ago(18),
        afgegeven=days_ago(10),
        ontvangen=days_ago(25),
    )
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"VOG van {oudste}")
    expect(page.get_by_role("alert")).to_contain_text("uw invoer is bewaard")
    expect(page.get_by_text("Ontvangen kan niet vóór aangevraagd.")).to_be_visible()
    expect(page.get_by_label("Status")).to_have_value("ontvangen")
    expect(page.get_by_label("Klaargezet bij Justis op")).to_have_value(days_ago(20))
    expect(page.get_by_label("Aangevraagd op")).to_have_value(days_ago(18))
    expect(page.get_by_label("Datum van afgifte")).to_have_value(days_ago(10))
    expect(page.get_by_label("Ontvangen op")).to_have_value(days_ago(25))
    assert not VOG.objects.exists()

    page.get_by_label("Ontvangen op").fill(days_ago(7))
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gezin Bakker")
    expect(page.get_by_role("status")).to_contain_text(f"De VOG van {oudste} is bijgewerkt.")
    expect(vog_line(page, str(oudste))).to_contain_text("ontvangen")
    expect(screening_row(page, f"VOG {oudste}")).to_contain_text("gedaan")

    # The VOG of the other adult, in one go.
    expect(screening_row(page, f"VOG {jongste}")).to_contain_text("nog niet aangevraagd")
    vog_line(page, str(jongste)).get_by_role("link", name="Vastleggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"VOG van {jongste}")
    fill_vog(
        page,
        klaargezet=days_ago(28),
        aangevraagd=days_ago(27),
        afgegeven=days_ago(15),
        ontvangen=days_ago(12),
    )
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gezin Bakker")
    expect(page.get_by_role("status")).to_contain_text(f"De VOG van {jongste} is bijgewerkt.")
    expect(screening_row(page, f"VOG {jongste}")).to_contain_text("gedaan")
    expect(vog_line(page, str(jongste)).get_by_role("link", name="Bekijken")).to_be_visible()

    # 6. The training: only the youngest adult went.
    expect(screening_row(page, "Training")).to_contain_text("nog geen volwassene getraind")
    page.get_by_role("link", name="Training vastleggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Training gevolgd")
    page.get_by_label("Training").select_option(label=str(training))
    page.get_by_label(str(jongste)).check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gezin Bakker")
    expect(page.get_by_role("status")).to_contain_text("De deelname aan de training is vastgelegd.")
    row = screening_row(page, "Training")
    expect(row).to_contain_text("gedaan")
    expect(row).to_contain_text(f"{jongste.voornaam}: {training}")

    # 7. Everything is complete: approve.
    page.get_by_role("region", name="Screening").get_by_role("link", name="Besluit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Besluit over Gezin Bakker")
    expect(page.get_by_text("Alles is rond")).to_be_visible()
    expect(page.get_by_text("Dit ontbreekt nog")).to_have_count(0)
    page.get_by_role("button", name="Goedkeuren: beschikbaar voor een koppeling").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Gezin Bakker")
    expect(header.get_by_text("beschikbaar", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        "Gezin Bakker is goedgekeurd en nu beschikbaar."
    )
    expect(
        page.get_by_role("region", name="Screening").get_by_role("link", name="Besluit")
    ).to_have_count(0)
    steps = page.get_by_role("region", name="Tijdlijn").get_by_role("listitem")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("in screening → beschikbaar")
    expect(steps.nth(0)).to_contain_text("Screening afgerond: goedgekeurd.")
    expect(steps.nth(0)).to_contain_text(coordinator.get_full_name())
    expect(steps.nth(1)).to_contain_text("aangemeld → in screening")

    gezin.refresh_from_db()
    assert gezin.status == Steungezin.Status.BESCHIKBAAR
    laatste = Statuswijziging.objects.filter(gezin=gezin).order_by("-op", "-id").first()
    assert (laatste.van, laatste.naar) == ("in_screening", "beschikbaar")
    assert laatste.door == coordinator
    assert gezin.screeningsgesprekken.count() == 2
    assert set(VOG.objects.values_list("gezinslid", "status")) == {
        (oudste.pk, VOG.Status.ONTVANGEN),
        (jongste.pk, VOG.Status.ONTVANGEN),
    }
    assert VOG.objects.get(gezinslid=oudste).ontvangen_op == today() - datetime.timedelta(days=7)
    assert list(TrainingDeelname.objects.values_list("gezinslid", flat=True)) == [jongste.pk]
