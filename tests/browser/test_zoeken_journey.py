"""Issue 16: the search box of the navigation, from the keyboard."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, VraaggezinFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_finds_a_family_by_its_postcode_and_opens_it(
    page, live_server, log_in, coordinator, organisatie, other_organisatie
):
    VraaggezinFactory(organisatie=organisatie, naam="Zuiderveld", postcode="7522 KL")
    VraaggezinFactory(organisatie=organisatie, naam="Bosman", postcode="7491 AA")
    VraaggezinFactory(organisatie=other_organisatie, naam="Elders", postcode="7522 KL")
    log_in(coordinator.email, PASSWORD)

    zoekvak = page.get_by_role("search").get_by_label("Zoeken")
    zoekvak.fill("7522kl")
    zoekvak.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Zoeken")
    expect(page.get_by_role("search").get_by_label("Zoeken")).to_have_value("7522kl")
    gezinnen = page.get_by_role("region", name="Vraaggezinnen")
    expect(gezinnen.get_by_role("link")).to_have_text(["Gezin Zuiderveld"])
    expect(page.get_by_role("main")).not_to_contain_text("Elders")
    expect(page.get_by_role("heading", level=2)).to_have_count(4)

    gezinnen.get_by_role("link", name="Gezin Zuiderveld").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gezin Zuiderveld")


def test_on_a_phone_the_box_is_in_the_menu_and_fits(page, live_server, log_in, coordinator):
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(coordinator.email, PASSWORD)
    zoekvak = page.get_by_role("search").get_by_label("Zoeken")
    expect(zoekvak).to_be_hidden()
    page.get_by_role("button", name="Menu openen").click()
    expect(zoekvak).to_be_visible()
    zoekvak.fill("x" * 100)  # the longest term, in the box and on the page
    zoekvak.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("0 gevonden")
    page.get_by_role("button", name="Menu openen").click()
    expect(zoekvak).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
