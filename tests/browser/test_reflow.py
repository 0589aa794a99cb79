"""Reflow (WCAG 1.4.10) and the public forms on a phone, in Chromium.

At 320 CSS px no page scrolls sideways: every page of a coordinator (from the
URL patterns, so a new page is measured without a new line here), the home of
a volunteer coordinator, the public pages, the error states of the public forms
and the 404 page, over the demo's families (long names, evaluations, a report
with a chart). With SCREENSHOTS=<folder> the
pages are also photographed at 320, 820 and 1366 px to look at.
"""

import datetime
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models.functions import Length
from django.test import Client
from playwright.sync_api import expect

from accounts.models import Organisatie, User
from gezinnen.models import Steungezin, Vraaggezin, today
from importeren import lezen, services
from matching.documenten import document_toevoegen
from matching.models import Contactmoment, CoordinatieUren, Koppeling, MeldcodeStap, Signaal
from screening.models import VOG, Referentie, ScreeningGesprek, TrainingDeelname
from tests import importbestand
from tests.sweep import ALL, fill
from tests.test_url_sweep import COORDINATOR_ONLY, POST_ONLY, PUBLIC, TEAM_PAGES, url_for

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 320, "height": 640}
SIZES = (PHONE, {"width": 820, "height": 1180}, {"width": 1366, "height": 900})
OLD_REFERRAL_HEIGHT = 5153  # px at 320 wide, with six empty household blocks

# No page for a person: files, feeds, machine answers and steps that only take a POST.
NOT_A_PAGE = {
    "reports:evaluatieverslag",
    "reports:inzage",
    "reports:export-vraaggezinnen",
    "reports:export-steungezinnen",
    "reports:export-koppelingen",
    "matching:agenda-feed",
    "matching:document",  # the file itself, as a download
    "importeren:sjabloon",  # the template, an XLSX
    "accounts:logout",
    "health",  # for the load balancer
    *POST_ONLY,
}

WIDER_THAN_THE_PAGE = "() => document.documentElement.scrollWidth - window.innerWidth"
# Lists stack their rows on a phone: no cell (status, waiting time) hidden to the
# right in a scrolling table.
CELLS_OUT_OF_VIEW = """() => [...document.querySelectorAll('.table-stack td')]
    .filter(td => td.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map(td => td.dataset.label || td.innerText.slice(0, 20))"""
# What sticks out: the outermost elements wider than the page, for the message.
STICKING_OUT = """() => [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5
        && el.parentElement.getBoundingClientRect().right <= window.innerWidth + 0.5)
    .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${
        (el.innerText || el.name || '').slice(0, 40).replace(/\\s+/g, ' ')}"`)
    .slice(0, 3).join('; ')"""
# Is the whole value of a field in view? Its text measured in the field's own font
# against the room inside it. A date field's scrollWidth never exceeds its
# clientWidth, whatever it cuts off: its text is the date as Chromium writes it
# (in the locale's or in the American order), beside a 20 px calendar button.
CUT_OFF = """el => {
    const style = getComputedStyle(el);
    const context = document.createElement('canvas').getContext('2d');
    context.font = style.font;
    const width = text => context.measureText(text).width;
    let needed;
    if (el.tagName === 'SELECT') {
        needed = width(el.options[el.selectedIndex].text);
    } else if (el.type === 'date') {
        const formats = [navigator.language, 'en-US'].map(locale => new Intl.DateTimeFormat(
            locale, {day: '2-digit', month: '2-digit', year: 'numeric'}).format(el.valueAsDate));
        needed = Math.max(...formats.map(width)) + 20;
    } else {
        return el.scrollWidth > el.clientWidth;
    }
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return needed > room;
}"""
# The selects in view whose chosen option is cut off (their names).
SELECTS_CUT_OFF = f"""() => [...document.querySelectorAll('select')]
    .filter(el => el.offsetParent && el.selectedIndex >= 0 && ({CUT_OFF})(el))
    .map(el => el.name)"""
# Is the hint in an empty field whole?
PLACEHOLDER_CUT_OFF = """el => {
    const style = getComputedStyle(el);
    const context = document.createElement('canvas').getContext('2d');
    context.font = style.font;
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return context.measureText(el.placeholder).width > room;
}"""


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    # Every sent public form counts against the limit per address (127.0.0.1 here).
    cache.clear()


@pytest.fixture
def demo():
    call_command("demo", force=True)
    return Organisatie.objects.get(slug="humanitas-hengelo")


def demo_values(organisatie: Organisatie) -> dict:
    """Records of the demo for every URL parameter, the richest of their kind."""
    koppeling = Koppeling.objects.filter(organisatie=organisatie, evaluaties__isnull=False).first()
    steungezin = Steungezin.objects.filter(organisatie=organisatie, status="beschikbaar").first()
    vraaggezin = Vraaggezin.objects.filter(organisatie=organisatie, status="wachtend").first()
    (document,) = document_toevoegen(
        door=koppeling.coordinator,
        gezin=vraaggezin,
        soort="toestemming",
        bestanden=[SimpleUploadedFile("toestemming.pdf", b"%PDF-1.4 toestemming")],
    )
    coordinator = User.objects.get(email="coordinator@humanitas.demo")
    signaal = Signaal.objects.filter(koppeling__organisatie=organisatie).first()
    # The demo's signal has no steps yet: one, for its correction page.
    stap = MeldcodeStap.objects.create(
        signaal=signaal,
        stap=MeldcodeStap.Stap.COLLEGIAAL,
        door=coordinator,
        notitie="Met de aandachtsfunctionaris en Veilig Thuis (advies) besproken; afspraken "
        "over een gesprek met moeder en het wijkteam.",
    )
    # An import of a file with errors, checked: the preview in full.
    bestand = importbestand.maak(today(), vraag=12, steun=4, koppelingen=2)
    import_ = services.import_aanmaken(
        door=coordinator,
        bestanden=["ons programma.xlsx"],
        rijen=lezen.bestanden_lezen([("ons programma.xlsx", bestand.inhoud)]),
    )
    services.import_controleren(import_=import_)
    return {
        "import": import_.pk,
        "meldcodestap": stap.pk,
        "koppeling": koppeling.pk,
        "document": document.pk,
        # The longest check-in, and the hours of the coordinator who corrects them.
        "contactmoment": Contactmoment.objects.filter(koppeling__organisatie=organisatie)
        .order_by(Length("notities").desc())
        .first()
        .pk,
        "uren": CoordinatieUren.objects.filter(coordinator=coordinator).first().pk,
        # The screening items and an evaluation, for their correction pages.
        "evaluatie": koppeling.evaluaties.first().pk,
        **{
            kind: model.objects.filter(**{f"{pad}__organisatie": organisatie}).first().pk
            for kind, model, pad in (
                ("gesprek", ScreeningGesprek, "steungezin"),
                ("referentie", Referentie, "steungezin"),
                ("vog", VOG, "gezinslid__gezin"),
                ("deelname", TrainingDeelname, "gezinslid__gezin"),
            )
        },
        "klaar": koppeling.pk,
        "afgesloten": Koppeling.objects.filter(
            organisatie=organisatie, status="afgesloten", start_op__isnull=False
        )
        .first()
        .pk,
        "signaal": signaal.pk,
        "lid": steungezin.leden.filter(soort="volwassene").first().pk,
        "soort": "huisbezoek",
        "mail": "uitnodiging",
        "organisatie": organisatie.slug,
        "vraaggezin": vraaggezin.pk,
        "steungezin": steungezin.pk,
    }


def coordinator_pages(organisatie: Organisatie) -> list[tuple[str, str]]:
    values = demo_values(organisatie)
    pages = [
        (name, url_for(name, template, values))
        for name, template in [*COORDINATOR_ONLY, *TEAM_PAGES]
        if name not in NOT_A_PAGE
    ]
    last_year = datetime.date.today().year - 1
    return [
        ("home", "/"),
        *pages,
        ("reports:gemeente met cijfers", f"/rapportage/?gemeente=*&soort=jaar&jaar={last_year}"),
        ("404", "/bestaat-niet/"),
    ]


def public_pages(organisatie: Organisatie) -> list[tuple[str, str]]:
    return [
        (name, fill(template, {"organisatie": organisatie.slug}))
        for name, template, _ in ALL
        if PUBLIC.get(name) == 200 and name not in NOT_A_PAGE
    ]


def log_in_as(page, live_server, user: User) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def photograph(page, label: str) -> None:
    """With SCREENSHOTS set: the whole page at each size, to look at."""
    folder = os.environ.get("SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        page.set_viewport_size(size)
        name = label.replace(":", "_").replace(" ", "_")
        page.screenshot(path=f"{folder}/{name}_{size['width']}.png", full_page=True)
    page.set_viewport_size(PHONE)


def test_no_page_scrolls_sideways_on_a_phone(page, live_server, demo):
    page.set_viewport_size(PHONE)
    too_wide = []

    def measure(label: str) -> None:
        if (extra := page.evaluate(WIDER_THAN_THE_PAGE)) > 0:
            too_wide.append(
                f"{label}: {page.url} is {extra} px te breed: {page.evaluate(STICKING_OUT)}"
            )
        if hidden := page.evaluate(CELLS_OUT_OF_VIEW):
            too_wide.append(f"{label}: {page.url} toont {sorted(set(hidden))} buiten beeld")
        if cut := page.evaluate(SELECTS_CUT_OFF):
            too_wide.append(f"{label}: {page.url} kapt de keuze af in {cut}")
        photograph(page, label)

    def visit(label: str, url: str) -> None:
        response = page.goto(live_server.url + url)
        if response.status != (404 if label == "404" else 200):
            too_wide.append(f"{label}: {url} gaf {response.status}")
        measure(label)

    for label, url in public_pages(demo):
        visit(label, url)
        if label.startswith("gezinnen:aanmelden"):
            # Sent empty: the error messages fit as well.
            with page.expect_navigation():
                page.get_by_role("button", name="Aanmelding versturen").last.click()
            measure(f"{label} met fouten")
    log_in_as(page, live_server, User.objects.get(email="vrijwilliger@humanitas.demo"))
    visit("home van een vrijwillige coördinator", "/")
    log_in_as(page, live_server, User.objects.get(email="coordinator@humanitas.demo"))
    pages = coordinator_pages(demo)
    for label, url in pages:
        visit(label, url)
    assert len(pages) > 30
    assert "gezinnen:vraaggezin-list" in dict(pages)
    if too_wide:
        pytest.fail("Breder dan 320 px:\n" + "\n".join(too_wide))


def test_a_parent_fills_in_the_referral_form_on_a_phone_without_javascript(
    browser, live_server, organisatie
):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    page.goto(f"{live_server.url}/aanmelden/{organisatie.slug}/gezin/")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 0.8 * OLD_REFERRAL_HEIGHT, f"{height} px hoog"
    assert page.evaluate(WIDER_THAN_THE_PAGE) <= 0
    assert page.get_by_role("group", name="Gezinslid 1").count() == 1
    assert page.get_by_role("group", name="Gezinslid 2").count() == 0

    page.get_by_label("Wie meldt aan?").select_option("zelfmelding")
    page.get_by_label("Achternaam van het gezin").fill("Bosman")
    page.get_by_label("Straat").fill("Lindelaan")
    page.get_by_label("Huisnummer").fill("4")
    page.get_by_label("Postcode").fill("7552 CD")
    page.get_by_label("Plaats").fill("Hengelo")
    page.get_by_label("E-mailadres").fill("bosman@example.nl")
    # Enter in a field sends the form, as everywhere: it adds no member block.
    with page.expect_navigation():
        page.get_by_label("Plaats").press("Enter")
    assert page.get_by_text("Niet alles is goed ingevuld").count() == 1
    assert page.get_by_role("group", name="Gezinslid 2").count() == 0
    assert page.get_by_label("Plaats").input_value() == "Hengelo"
    ouder = page.get_by_role("group", name="Gezinslid 1")
    ouder.get_by_label("Voornaam").fill("Ilse")
    ouder.get_by_label("Achternaam").fill("Bosman")
    ouder.get_by_label("Volwassene of kind").select_option("volwassene")
    ouder.get_by_label("Geboortedatum").fill("1988-12-31")

    page.get_by_role("button", name="Nog een gezinslid toevoegen").click()
    kind = page.get_by_role("group", name="Gezinslid 2")
    assert kind.get_by_label("Voornaam").evaluate("el => el === document.activeElement")
    assert page.get_by_label("Postcode").input_value() == "7552 CD"
    ouder = page.get_by_role("group", name="Gezinslid 1")
    assert ouder.get_by_label("Voornaam").input_value() == "Ilse"
    kind.get_by_label("Voornaam").fill("Mees")
    kind.get_by_label("Achternaam").fill("Bosman")
    kind.get_by_label("Volwassene of kind").select_option("kind")
    kind.get_by_label("Geboortedatum").fill("2019-06-15")
    kind.get_by_label("Steun voor dit kind").check()

    # The whole date and the whole choice are in view, on the phone and the desktop.
    for size in (PHONE, {"width": 1366, "height": 900}):
        page.set_viewport_size(size)
        for field in ("Geboortedatum", "Volwassene of kind"):
            for block in (ouder, kind):
                assert not block.get_by_label(field).evaluate(CUT_OFF), (field, size)
        assert not page.get_by_label("Wie meldt aan?").evaluate(CUT_OFF), size
    page.set_viewport_size(PHONE)
    assert page.evaluate(WIDER_THAN_THE_PAGE) <= 0

    page.get_by_label("Waar kan een steungezin bij helpen?").fill("Even lucht voor moeder.")
    page.get_by_label("Ik geef toestemming").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Aanmelding versturen").last.click()
    assert "/bedankt/" in page.url
    gezin = Vraaggezin.objects.get(naam="Bosman")
    assert sorted(gezin.leden.values_list("voornaam", "geboortedatum")) == [
        ("Ilse", datetime.date(1988, 12, 31)),
        ("Mees", datetime.date(2019, 6, 15)),
    ]
    context.close()


def test_the_menu_is_one_row_on_a_laptop_and_folds_away_below(page, live_server, outsider):
    """Otto, coordinator and beheerder: ten menu items, the search box and the
    account menu. On one row from 1366 px with the search hint whole, behind
    the menu button below 1360 px instead of on two rows."""
    log_in_as(page, live_server, outsider)
    page.goto(live_server.url + "/")
    menu_button = page.get_by_role("button", name="Menu openen")
    zoekvak = page.get_by_role("search").get_by_label("Zoeken")
    for width in (1200, 1280, 1359):
        page.set_viewport_size({"width": width, "height": 800})
        expect(menu_button).to_be_visible()
    for width in (1366, 1440, 1600, 1920):
        page.set_viewport_size({"width": width, "height": 800})
        expect(menu_button).to_be_hidden()
        assert page.locator(".app-navbar").evaluate("el => el.offsetHeight") < 60, width
        assert not zoekvak.evaluate(PLACEHOLDER_CUT_OFF), width


def test_the_back_office_sidebar_starts_closed_below_1200_px(page, live_server, beheerder):
    log_in_as(page, live_server, beheerder)
    sidebar = page.locator("#nav-sidebar")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + "/beheer/accounts/user/")
    expect(sidebar).to_have_attribute("aria-expanded", "true")

    page.set_viewport_size({"width": 820, "height": 1180})
    page.reload()
    expect(sidebar).to_have_attribute("aria-expanded", "false")
    expect(sidebar).to_be_hidden()
    page.locator("#toggle-nav-sidebar").click()
    expect(sidebar).to_be_visible()
    page.reload()  # opened with the button: remembered
    expect(sidebar).to_have_attribute("aria-expanded", "true")
