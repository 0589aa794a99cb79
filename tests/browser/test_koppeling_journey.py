"""The life of a koppeling, end to end in a real browser: from a suggestion to a closed match."""

import datetime
import re

import pytest
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from gezinnen.models import Steungezin, Vraaggezin, today
from matching.models import EVALUATIEVRAGEN, Contactmoment, Evaluatie, Koppeling
from tests.factories import PASSWORD, VraaggezinFactory, approved_steungezin

pytestmark = pytest.mark.django_db(transaction=True)


def dutch(day: datetime.date, fmt: str) -> str:
    """A date as the pages show it, e.g. "woensdag 4 juni 2025"."""
    with translation.override("nl"):
        return date_format(day, fmt)


def group(scope, name: str):
    """A fieldset of radio buttons or checkboxes, by its legend (required ones end in '*')."""
    return scope.get_by_role("group", name=re.compile(rf"^\s*{re.escape(name)}\s*\*?\s*$"))


def field(scope, label: str):
    """A form field by its exact label (required ones end in '*')."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def test_a_coordinator_matches_starts_follows_evaluates_and_closes(
    page, live_server, log_in, organisatie, coordinator
):
    vraaggezin = VraaggezinFactory(
        organisatie=organisatie,
        naam="Jansen",
        status="wachtend",
        leden=[("volwassene", 35), ("kind", 6)],
    )
    steungezin = approved_steungezin(organisatie, naam="Bakker")
    kind = vraaggezin.leden.get(soort="kind")
    heading = page.get_by_role("heading", level=1)
    header = heading.locator("..")

    log_in(coordinator.email, PASSWORD)

    # 1. From the vraaggezin's page to a proposal.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Vraaggezinnen"
    ).click()
    expect(heading).to_have_text("Vraaggezinnen")
    page.get_by_role("link", name="Jansen", exact=True).click()
    expect(heading).to_have_text("Gezin Jansen")
    koppelingen = page.get_by_role("region", name="Koppelingen")
    expect(koppelingen).to_contain_text("Nog geen koppelingen.")
    koppelingen.get_by_role("link", name="Steungezin zoeken").click()

    expect(heading).to_have_text("Steungezin zoeken voor Gezin Jansen")
    suggestie = page.get_by_role("region", name="Gezin Bakker")
    expect(suggestie).to_have_count(1)
    expect(suggestie.get_by_role("link", name="Gezin Bakker")).to_be_visible()
    expect(suggestie).to_contain_text(re.compile(r"\d+\s*van 100 punten"))
    suggestie.get_by_role("button", name="Voorstellen").click()

    # 2. Proposed, the kennismaking comes next at once: planned for today,
    # then the outcome.
    expect(heading).to_have_text("Kennismaking Jansen – Bakker")
    expect(page.get_by_role("status")).to_contain_text(
        "Voorgesteld: Jansen – Bakker. Plan nu de kennismaking."
    )
    expect(page.get_by_label("Datum van de kennismaking")).to_have_value(today().isoformat())
    page.get_by_role("button", name="Kennismaking plannen").click()
    expect(heading).to_have_text("Koppeling Jansen – Bakker")
    expect(page.get_by_role("status")).to_contain_text("De kennismaking is gepland.")
    expect(header.get_by_text("kennismaking", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Vraaggezin")).to_contain_text("Gezin Jansen")
    expect(page.get_by_role("region", name="Steungezin")).to_contain_text("Gezin Bakker")

    page.get_by_role("link", name="Kennismaking").click()
    expect(heading).to_have_text("Kennismaking Jansen – Bakker")
    group(page, "Uitkomst").get_by_label("go: we gaan van start").check()
    page.get_by_label("Notities").fill("Klikte meteen; de kinderen speelden samen in de tuin.")
    page.get_by_role("button", name="Uitkomst vastleggen").click()

    # After a go, the start at once: first with a trial period that ends
    # before the start.
    expect(heading).to_have_text("Koppeling starten")
    expect(page.get_by_role("status")).to_contain_text(
        "De uitkomst van de kennismaking is vastgelegd. Leg nu de afspraken en de start vast."
    )
    expect(field(page, "Start")).to_have_value(today().isoformat())
    afspraken = "Elke woensdagmiddag speelt Lid1 bij de Bakkers; zij halen hem op van school."
    field(page, "Afspraken: wat gaan de gezinnen doen?").fill(afspraken)
    field(page, "Hoe vaak").fill("elke woensdagmiddag")
    kinderen = group(page, "Voor welke kinderen")
    kinderen.get_by_label(str(kind)).check()
    yesterday = today() - datetime.timedelta(days=1)
    field(page, "Einde proefperiode").fill(yesterday.isoformat())
    page.get_by_role("button", name="Opslaan").click()

    expect(heading).to_have_text("Koppeling starten")
    expect(page.get_by_role("alert")).to_contain_text("uw invoer is bewaard")
    expect(
        page.get_by_text("Het einde van de proefperiode moet na de start liggen.")
    ).to_be_visible()
    expect(field(page, "Afspraken: wat gaan de gezinnen doen?")).to_have_value(afspraken)
    expect(field(page, "Hoe vaak")).to_have_value("elke woensdagmiddag")
    expect(kinderen.get_by_label(str(kind))).to_be_checked()
    expect(field(page, "Einde proefperiode")).to_have_value(yesterday.isoformat())
    assert Koppeling.objects.get().status == Koppeling.Status.KENNISMAKING

    proef_tot = today() + datetime.timedelta(weeks=8)
    field(page, "Einde proefperiode").fill(proef_tot.isoformat())
    page.get_by_role("button", name="Opslaan").click()

    expect(heading).to_have_text("Koppeling Jansen – Bakker")
    expect(page.get_by_role("status")).to_contain_text("De koppeling Jansen – Bakker is gestart.")
    expect(header.get_by_text("actief", exact=True)).to_be_visible()
    afspraken_sectie = page.get_by_role("region", name="Afspraken")
    assert Koppeling.objects.get().kennismaking_uitkomst == Koppeling.Uitkomst.GO
    expect(page.get_by_role("link", name="Kennismaking")).to_have_count(0)
    expect(afspraken_sectie).to_contain_text(afspraken)
    expect(afspraken_sectie).to_contain_text("elke woensdagmiddag")
    expect(afspraken_sectie).to_contain_text(f"Start{dutch(today(), 'j F Y')}")
    expect(afspraken_sectie).to_contain_text(f"Proefperiode tot{dutch(proef_tot, 'j F Y')}")
    contact = page.get_by_role("region", name="Contactmomenten")
    eerste_contact = today() + datetime.timedelta(weeks=2)
    expect(contact).to_contain_text(f"Volgend contactmoment: {dutch(eerste_contact, 'l j F Y')}")
    expect(contact).to_contain_text("Nog geen contactmomenten.")

    # 3. A contactmoment, first without saying how it goes.
    page.get_by_role("link", name="Contactmoment vastleggen").click()
    expect(heading).to_have_text("Contactmoment Jansen – Bakker")
    expect(field(page, "Datum")).to_have_value(today().isoformat())
    group(page, "Met wie").get_by_label("beide gezinnen").check()
    field(page, "Hoe").select_option(label="telefoon")
    notities = "Beide gezinnen zijn tevreden; Lid1 kijkt uit naar de woensdag."
    field(page, "Notities").fill(notities)
    page.get_by_role("button", name="Contactmoment opslaan").click()

    expect(heading).to_have_text("Contactmoment Jansen – Bakker")
    expect(page.get_by_role("alert")).to_contain_text("uw invoer is bewaard")
    verloop = group(page, "Hoe gaat het?")
    expect(verloop).to_contain_text("Dit veld is verplicht.")
    expect(group(page, "Met wie").get_by_label("beide gezinnen")).to_be_checked()
    expect(field(page, "Hoe")).to_have_value("telefoon")
    expect(field(page, "Notities")).to_have_value(notities)
    assert not Contactmoment.objects.exists()

    verloop.get_by_label("gaat goed").check()
    page.get_by_role("button", name="Contactmoment opslaan").click()
    expect(heading).to_have_text("Koppeling Jansen – Bakker")
    expect(page.get_by_role("status")).to_contain_text("Het contactmoment is vastgelegd.")
    momenten = contact.get_by_role("listitem")
    expect(momenten).to_have_count(1)
    expect(momenten.first).to_contain_text(
        f"{dutch(today(), 'j F Y')} · telefoon met beide gezinnen · gaat goed"
    )
    expect(momenten.first).to_contain_text(coordinator.get_full_name())
    expect(momenten.first).to_contain_text(notities)
    expect(contact).to_contain_text(f"Volgend contactmoment: {dutch(eerste_contact, 'l j F Y')}")

    # 4. An evaluation with both families' scores side by side.
    page.get_by_role("link", name="Evaluatie vastleggen").click()
    expect(heading).to_have_text("Evaluatie Jansen – Bakker")
    field(page, "Soort").select_option(label="jaarlijkse evaluatie")
    vraag_scores = {"contact": 5, "afspraken": 4, "kinderen": 5, "ontlasting": 3}
    steun_scores = {"contact": 4, "afspraken": 4, "kinderen": 5, "ontlasting": 2}
    for key, tekst in EVALUATIEVRAGEN:
        vragen = group(page, tekst)
        expect(vragen).to_have_count(2)  # the vraaggezin's column, then the steungezin's
        vragen.nth(0).get_by_label(str(vraag_scores[key]), exact=True).check()
        vragen.nth(1).get_by_label(str(steun_scores[key]), exact=True).check()
    doorgaan = group(page, "Wil het gezin doorgaan?")
    doorgaan.nth(0).get_by_label("ja", exact=True).check()
    doorgaan.nth(1).get_by_label("ja", exact=True).check()
    conclusie = "Het gaat goed; de koppeling loopt door tot de zomer."
    field(page, "Conclusie van de coördinator").fill(conclusie)
    page.get_by_role("button", name="Evaluatie opslaan").click()

    expect(heading).to_have_text("Koppeling Jansen – Bakker")
    expect(page.get_by_role("status")).to_contain_text("De evaluatie is vastgelegd.")
    evaluaties = page.get_by_role("region", name="Evaluaties")
    expect(
        evaluaties.get_by_role("heading", name=f"Jaarlijkse evaluatie · {dutch(today(), 'j F Y')}")
    ).to_be_visible()
    expect(evaluaties.get_by_role("columnheader")).to_have_text(["", "vraaggezin", "steungezin"])
    for key, tekst in EVALUATIEVRAGEN:
        row = evaluaties.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=tekst, exact=True)
        )
        expect(row.get_by_role("cell")).to_have_text(
            [str(vraag_scores[key]), str(steun_scores[key])]
        )
    expect(evaluaties).to_contain_text(f"Conclusie: {conclusie}")

    # 5. Close: the goal is reached.
    page.get_by_role("link", name="Afsluiten").click()
    expect(heading).to_have_text("Koppeling afsluiten")
    expect(field(page, "Einde")).to_have_value(today().isoformat())
    field(page, "Reden").select_option(label="doel bereikt")
    group(page, "Is het doel van de koppeling bereikt?").get_by_label("ja", exact=True).check()
    uitkomst = "Moeder heeft weer lucht; Lid1 blijft af en toe logeren bij de Bakkers."
    field(page, "Uitkomst").fill(uitkomst)
    group(page, "Het vraaggezin").get_by_label("verlaat het programma").check()
    group(page, "Het steungezin").get_by_label("blijft beschikbaar").check()
    page.get_by_role("button", name="Opslaan").click()

    expect(heading).to_have_text("Koppeling Jansen – Bakker")
    expect(page.get_by_role("status")).to_contain_text(
        "De koppeling Jansen – Bakker is afgesloten."
    )
    expect(header.get_by_text("afgesloten", exact=True)).to_be_visible()
    afspraken_sectie = page.get_by_role("region", name="Afspraken")
    expect(afspraken_sectie).to_contain_text(f"{dutch(today(), 'j F Y')}: doel bereikt")
    expect(afspraken_sectie).to_contain_text(uitkomst)
    expect(afspraken_sectie).to_contain_text("Doel bereikt")
    expect(page.get_by_role("link", name="Afsluiten")).to_have_count(0)
    expect(page.get_by_role("link", name="Contactmoment vastleggen")).to_have_count(0)
    expect(contact).not_to_contain_text("Volgend contactmoment")

    koppeling = Koppeling.objects.get()
    assert koppeling.status == Koppeling.Status.AFGESLOTEN
    assert koppeling.einde_reden == Koppeling.Reden.DOEL_BEREIKT
    assert koppeling.doel_bereikt == Koppeling.DoelBereikt.JA
    assert koppeling.einde_op == today()
    assert koppeling.einde_uitkomst == uitkomst
    assert koppeling.start_op == today()
    assert koppeling.proefperiode_tot == proef_tot
    assert koppeling.afspraken == afspraken
    assert koppeling.kennismaking_uitkomst == Koppeling.Uitkomst.GO
    assert list(koppeling.kinderen.all()) == [kind]
    assert koppeling.coordinator == coordinator
    moment = Contactmoment.objects.get()
    assert (moment.koppeling, moment.met, moment.hoe, moment.verloop) == (
        koppeling,
        Contactmoment.Met.BEIDE,
        Contactmoment.Hoe.TELEFOON,
        Contactmoment.Verloop.GOED,
    )
    assert moment.notities == notities
    evaluatie = Evaluatie.objects.get()
    assert evaluatie.koppeling == koppeling
    assert evaluatie.soort == Evaluatie.Soort.JAARLIJKS
    assert evaluatie.vraag_scores == vraag_scores
    assert evaluatie.steun_scores == steun_scores
    assert evaluatie.vraag_doorgaan is True
    assert evaluatie.steun_doorgaan is True
    assert evaluatie.conclusie == conclusie
    vraaggezin.refresh_from_db()
    steungezin.refresh_from_db()
    assert vraaggezin.status == Vraaggezin.Status.AFGESLOTEN
    assert steungezin.status == Steungezin.Status.BESCHIKBAAR
