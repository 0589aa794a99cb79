from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import LOGIN_AT_KEY, RENEWED_AT_KEY
from accounts.models import AuditEntry, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    # Password resets are limited per address and per IP address in the cache.
    cache.clear()


def login(client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": email, "password": password}, **extra)


def test_it_creates_users_with_lowercase_email(organisatie):
    user = User.objects.create_user(
        "Carla@Example.NL",
        PASSWORD,
        first_name="Carla",
        last_name="de Vries",
        organisatie=organisatie,
    )
    assert user.email == "carla@example.nl"
    assert user.check_password(PASSWORD)


def test_it_requires_an_organisatie_unless_superuser():
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="los@example.nl", first_name="L", last_name="L")])


def test_it_allows_a_superuser_without_organisatie(superuser):
    assert superuser.organisatie is None
    assert superuser.is_staff


@pytest.mark.parametrize(
    ("rol", "is_beheerder", "sees_family_data", "is_staff"),
    [
        (User.Rol.COORDINATOR, False, True, False),
        (User.Rol.COORDINATOR, True, True, True),
        (User.Rol.VRIJWILLIG_COORDINATOR, False, True, False),
        ("", True, False, True),
        ("", False, False, False),
    ],
)
def test_it_derives_rights_from_role_and_beheerder(rol, is_beheerder, sees_family_data, is_staff):
    user = UserFactory(rol=rol, is_beheerder=is_beheerder)
    assert user.sees_family_data is sees_family_data
    assert user.is_staff is is_staff


def test_it_logs_in_with_email_in_any_case(client, coordinator):
    response = login(client, "CARLA@humanitas.example")
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(coordinator.pk)


def test_it_refuses_a_wrong_password_in_dutch(client, coordinator):
    response = login(client, coordinator.email, "fout-wachtwoord")
    assert response.status_code == 200
    assert "Deze combinatie van e-mailadres en wachtwoord kennen we niet" in response.text
    # What was typed stays in the form.
    assert 'value="carla@humanitas.example"' in response.text


def test_it_refuses_an_inactive_account(client, coordinator):
    coordinator.is_active = False
    coordinator.save()
    response = login(client, coordinator.email)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_locks_out_after_five_failures_for_an_hour(client, coordinator):
    for _ in range(4):
        assert login(client, coordinator.email, "fout").status_code == 200
    assert login(client, coordinator.email, "fout").status_code == 429

    # Now even the right password is refused, with the Dutch message.
    response = login(client, coordinator.email)
    assert response.status_code == 429
    assert "een uur lang niet inloggen" in response.text
    assert "_auth_user_id" not in client.session


def test_it_locks_only_that_account_and_address(client, coordinator, vrijwilliger):
    for _ in range(5):
        login(client, coordinator.email, "fout")
    # Another account from the same address, and the same account from another
    # address, can still log in.
    assert login(client, coordinator.email, REMOTE_ADDR="10.9.9.9").status_code == 302
    client.logout()
    assert login(client, vrijwilliger.email).status_code == 302


def test_it_lifts_the_lockout_after_an_hour(client, coordinator, settings):
    for _ in range(5):
        login(client, coordinator.email, "fout")
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(hours=1, minutes=1))
    assert login(client, coordinator.email).status_code == 302


def test_it_ends_an_idle_session_after_30_minutes(client, coordinator):
    login(client, coordinator.email)
    client.get(reverse("home"))
    assert client.session.get_expiry_age() == 30 * 60
    assert client.session.get_expire_at_browser_close()


def test_it_renews_the_idle_limit_once_a_minute_not_on_every_request(client, coordinator):
    login(client, coordinator.email)
    stored = Session.objects.filter(pk=client.session.session_key)
    earlier = timezone.now() + timedelta(minutes=29)
    stored.update(expire_date=earlier)
    client.get(reverse("home"))
    assert stored.get().expire_date == earlier  # the login renewed it, just now

    session = client.session
    session[RENEWED_AT_KEY] = timezone.now().timestamp() - 61
    session.save()
    stored.update(expire_date=earlier)
    client.get(reverse("home"))
    assert stored.get().expire_date > earlier + timedelta(seconds=50)  # 30 minutes from now


def test_it_ends_every_session_12_hours_after_login(client, coordinator):
    login(client, coordinator.email)
    assert client.get(reverse("home")).status_code == 200

    session = client.session
    session[LOGIN_AT_KEY] = (timezone.now() - timedelta(hours=12, minutes=1)).timestamp()
    session.save()

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)
    assert "_auth_user_id" not in client.session


def test_it_keeps_a_session_younger_than_12_hours(client, coordinator):
    login(client, coordinator.email)
    client.get(reverse("home"))
    session = client.session
    session[LOGIN_AT_KEY] = (timezone.now() - timedelta(hours=11, minutes=59)).timestamp()
    session.save()
    assert client.get(reverse("home")).status_code == 200


def test_it_sends_no_store_on_pages_behind_login(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("home"))
    assert "no-store" in response["Cache-Control"]


def test_it_logs_out_with_post(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_resets_a_password_by_email(client, coordinator, django_capture_on_commit_callbacks):
    # The mail leaves as a background task once the request's work is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password-reset"), {"email": coordinator.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Nieuw wachtwoord voor Steungezinnen"
    assert "Kies een nieuw wachtwoord via deze link" in message.body

    link = next(line for line in message.body.splitlines() if "/wachtwoord-herstellen/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get(f"/{path}", follow=True)
    assert "Nieuw wachtwoord kiezen" in response.text
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "nieuw-en-lang-genoeg-7", "new_password2": "nieuw-en-lang-genoeg-7"},
    )
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.check_password("nieuw-en-lang-genoeg-7")


def test_it_sends_no_reset_mail_for_an_unknown_address(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password-reset"), {"email": "niemand@example.nl"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_it_changes_a_password(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "nieuw-en-lang-genoeg-7",
            "new_password2": "nieuw-en-lang-genoeg-7",
        },
    )
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.check_password("nieuw-en-lang-genoeg-7")


def test_it_audits_login_and_failed_login(client, coordinator):
    login(client, coordinator.email, "fout")
    login(client, coordinator.email)
    failed, ok = AuditEntry.objects.order_by("id")
    assert failed.action == AuditEntry.Action.LOGIN_FAILED
    assert failed.user == coordinator
    assert failed.ip_address == "127.0.0.1"
    assert ok.action == AuditEntry.Action.LOGIN
    assert ok.user == coordinator
    assert ok.organisatie == coordinator.organisatie


def test_it_audits_a_failed_login_for_an_unknown_address(client):
    login(client, "onbekend@example.nl", "fout")
    entry = AuditEntry.objects.get()
    assert entry.user is None
    assert entry.action == AuditEntry.Action.LOGIN_FAILED
    assert "onbekend@example.nl" in entry.detail


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "accounts:password-change",
            {"old_password": "fout", "new_password1": "", "new_password2": ""},
        ),
        ("accounts:password-reset", {"email": "geen-adres"}),
    ],
)
def test_the_password_forms_say_at_the_top_that_something_is_wrong(client, coordinator, name, data):
    client.force_login(coordinator)
    response = client.post(reverse(name), data)
    assert response.status_code == 200
    summary = "Niet alles is goed ingevuld."
    first_field = f'name="{next(iter(data))}"'
    assert response.text.index(summary) < response.text.index(first_field)
