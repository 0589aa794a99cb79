import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("person", "heading"),
    [
        ("coordinator", "Dashboard"),
        ("vrijwilliger", "Mijn gezinnen"),
        ("beheerder", "Welkom, Bert"),
    ],
)
def test_each_role_lands_on_its_own_home(page, live_server, log_in, all_roles, person, heading):
    user = all_roles[person]
    log_in(user.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_contain_text(user.get_full_name())

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()


def test_a_beheerder_reaches_the_back_office(page, live_server, log_in, beheerder):
    log_in(beheerder.email, PASSWORD)
    page.get_by_role("link", name="Naar beheer").click()
    expect(page.get_by_role("heading", name="Beheer van uw organisatie")).to_be_visible()
    page.get_by_role("link", name="Gebruikers").first.click()
    expect(page.locator("#result_list")).to_contain_text(beheerder.email)


def test_a_wrong_password_shows_the_dutch_error(page, log_in, coordinator):
    log_in(coordinator.email, "niet-mijn-wachtwoord")
    alert = page.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("Deze combinatie van e-mailadres en wachtwoord kennen we niet")
    # At the top, above the fields.
    assert alert.bounding_box()["y"] < page.get_by_label("E-mailadres").bounding_box()["y"]
    expect(page.get_by_label("E-mailadres")).to_have_value(coordinator.email)


def test_an_empty_password_gets_the_summary_of_the_other_forms(page, log_in, coordinator):
    log_in(coordinator.email, "")
    alert = page.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("Niet alles is goed ingevuld")
    expect(page.get_by_label("E-mailadres")).to_have_value(coordinator.email)


def test_five_wrong_passwords_lock_the_account_out(page, log_in, coordinator):
    for _ in range(5):
        log_in(coordinator.email, "niet-mijn-wachtwoord")
    log_in(coordinator.email, PASSWORD)
    expect(page.get_by_role("heading", name="Tijdelijk geblokkeerd")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("een uur lang niet inloggen")
