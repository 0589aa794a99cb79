"""The lock-out cannot be sidestepped with a look-alike address, and a
password reset neither floods a mailbox nor tells who has an account."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.audit import attempted_email
from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
RESET_URL = reverse("accounts:password-reset")
RESET_DONE_URL = reverse("accounts:password-reset-done")

# Carla's address (carla@humanitas.example) as someone might type it.
SAME_ADDRESS = [
    "carla@humanitas.example",
    "CARLA@HUMANITAS.EXAMPLE",
    "  Carla@Humanitas.Example ",
    "carla@ｈｕｍａｎｉｔａｓ.example",  # fullwidth letters
    # Last: the reset form's e-mail field refuses a fullwidth name.
    "ｃａｒｌａ@humanitas.example",
]
# Addresses that only look like hers: other accounts, which do not exist.
LOOK_ALIKES = [
    "carla@humanıtas.example",  # dotless ı, which PostgreSQL's UPPER() makes an I
    "carla@humanİtas.example",  # dotted capital İ
    "cаrla@humanitas.example",  # Cyrillic а
]


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def login(client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": email, "password": password}, **extra)


def request_reset(client, email: str, **extra):
    return client.post(RESET_URL, {"email": email}, **extra)


@pytest.mark.parametrize("typed", SAME_ADDRESS)
def test_it_normalises_an_address_one_way_for_storing_lookup_and_lockout(typed, organisatie):
    user = User.objects.create_user(
        typed, PASSWORD, first_name="Carla", last_name="de Vries", organisatie=organisatie
    )
    assert user.email == "carla@humanitas.example"
    assert User.objects.get_by_natural_key(typed) == user
    assert attempted_email(None, {"username": typed}) == "carla@humanitas.example"


def test_it_normalises_the_address_in_clean():
    user = User(email=" ＣＡＲＬＡ@Humanitas.Example", first_name="C", last_name="V")
    user.clean()
    assert user.email == "carla@humanitas.example"


@pytest.mark.parametrize("typed", LOOK_ALIKES)
def test_a_look_alike_address_is_an_unknown_account(typed, coordinator):
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key(typed)
    assert attempted_email(None, {"username": typed}) != coordinator.email


@pytest.mark.parametrize("typed", SAME_ADDRESS)
def test_it_logs_in_with_the_address_however_typed(client, coordinator, typed):
    assert login(client, typed).status_code == 302
    assert client.session["_auth_user_id"] == str(coordinator.pk)


@pytest.mark.parametrize("typed", LOOK_ALIKES)
def test_a_look_alike_address_never_logs_in(client, coordinator, typed):
    response = login(client, typed)
    assert response.status_code == 200
    assert "Deze combinatie van e-mailadres en wachtwoord kennen we niet" in response.text
    assert "_auth_user_id" not in client.session


def test_after_five_failures_no_spelling_gets_past_the_lockout(client, coordinator):
    for _ in range(5):
        login(client, coordinator.email, "fout")
    for typed in SAME_ADDRESS:
        assert login(client, typed).status_code == 429, typed
    for typed in LOOK_ALIKES:
        assert login(client, typed).status_code == 200, typed
    assert "_auth_user_id" not in client.session


def test_failures_with_a_look_alike_count_under_its_own_address(client, coordinator):
    look_alike = LOOK_ALIKES[0]
    for _ in range(4):
        assert login(client, look_alike, "fout").status_code == 200
    assert login(client, look_alike, "fout").status_code == 429
    assert login(client, look_alike).status_code == 429
    # Carla herself was not locked out by them.
    assert login(client, coordinator.email).status_code == 302


def test_it_sends_at_most_three_reset_mails_per_address_an_hour(
    client, coordinator, django_capture_on_commit_callbacks
):
    spellings = SAME_ADDRESS[:-1]
    with django_capture_on_commit_callbacks(execute=True):
        responses = [request_reset(client, spellings[n % len(spellings)]) for n in range(10)]
    assert {(r.status_code, r.url) for r in responses} == {(302, RESET_DONE_URL)}
    assert len(mail.outbox) == 3
    assert {tuple(m.to) for m in mail.outbox} == {(coordinator.email,)}


def test_it_sends_at_most_ten_reset_mails_per_ip_address_an_hour(
    client, organisatie, django_capture_on_commit_callbacks
):
    users = UserFactory.create_batch(11, organisatie=organisatie)
    with django_capture_on_commit_callbacks(execute=True):
        responses = [request_reset(client, user.email) for user in users]
        from_elsewhere = request_reset(client, users[-1].email, REMOTE_ADDR="10.9.9.9")
    assert {(r.status_code, r.url) for r in responses} == {(302, RESET_DONE_URL)}
    assert from_elsewhere.url == RESET_DONE_URL
    assert [m.to for m in mail.outbox] == [[u.email] for u in [*users[:10], users[-1]]]


def test_a_reset_for_an_unknown_address_looks_and_works_the_same(
    client, coordinator, django_capture_on_commit_callbacks
):
    def reset(email: str):
        with CaptureQueriesContext(connection) as queries:
            response = request_reset(client, email)
        lookups = len(queries)
        templates = sorted(t.name for t in response.templates if t.name)
        done = client.get(response.url)
        return response.status_code, response.url, done.text, templates, lookups

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        known = reset(coordinator.email)
        unknown = reset("niemand@humanitas.example")
        look_alike = reset(LOOK_ALIKES[0])
    # The same answer and the same work: one lookup and the mail's templates
    # rendered; only the known address has a mail waiting for the commit.
    assert known == unknown == look_alike
    assert "registration/password_reset_email.txt" in known[3]
    # The account lookup for the audit entry, the entry, the lookup for the mail.
    assert known[4] == 3
    assert len(callbacks) == 1
