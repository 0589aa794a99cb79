"""Two-factor authentication in a real browser: a coordinator whose organisation
requires it sets up the app on first login, and from then on logs in with her
password and a code from the app."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def app_code(secret: str, coordinator) -> str:
    """What the app on Carla's phone shows, from the secret she typed into it:
    the current code, or the next one if the current one was just used (a
    code works once)."""
    device = TOTPDevice.objects.get(user=coordinator)
    now = int(time.time()) // device.step
    ahead = max(device.drift, device.last_t + 1 - now)
    return f"{totp(b32decode(secret.replace(' ', '')), drift=ahead):06d}"


def test_a_coordinator_sets_up_the_app_and_logs_in_with_a_code(
    page, live_server, log_in, organisatie, coordinator
):
    organisatie.tweestaps_verplicht = True
    organisatie.save()

    log_in(coordinator.email, PASSWORD)
    expect(page.get_by_role("heading", name="Tweestapsverificatie instellen")).to_be_visible()
    expect(page.get_by_role("img", name="QR-code")).to_be_visible()
    secret = page.locator("#sleutel").inner_text()
    page.get_by_label("Code uit de app").fill(app_code(secret, coordinator))
    page.get_by_role("button", name="Bevestigen").click()

    expect(page.get_by_role("heading", name="Uw herstelcodes")).to_be_visible()
    expect(page.locator("#herstelcodes li")).to_have_count(10)
    page.get_by_role("link", name="Ik heb de codes bewaard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")

    page.get_by_role("button", name="Uitloggen").click()
    log_in(coordinator.email, PASSWORD)
    expect(page.get_by_role("heading", name="Code invoeren")).to_be_visible()
    page.get_by_label("Code uit de app").fill("000000")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_text("Deze code klopt niet")).to_be_visible()

    page.wait_for_timeout(1100)  # django-otp's wait after a wrong code
    page.get_by_label("Code uit de app").fill(app_code(secret, coordinator))
    page.get_by_role("button", name="Verder").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
