"""What every request costs besides its page: the session read from a cache
that all processes share, and the finding that a login needs no code
remembered for a minute instead of asked on every request."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import GEEN_CODE_KEY, RENEW_EVERY
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
LOGIN_URL = reverse("accounts:login")
CACHED_DB = "django.contrib.sessions.backends.cached_db"
DB = "django.contrib.sessions.backends.db"


def session_engine(**env) -> str:
    ours = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "CACHE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    result = subprocess.run(
        [sys.executable, "-c", "import steungezinnen.settings as s; print(s.SESSION_ENGINE)"],
        cwd=BASE_DIR,
        env={**clean, "SECRET_KEY": "x" * 60, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_sessions_come_from_the_cache_only_when_every_server_shares_it(tmp_path):
    assert session_engine() == DB
    assert session_engine(CACHE_URL="locmemcache://") == DB
    assert session_engine(CACHE_URL="dummycache://") == DB
    # A file cache is one server's own: a second server would not see a logout.
    assert session_engine(CACHE_URL=f"filecache://{tmp_path}") == DB
    assert session_engine(CACHE_URL="redis://127.0.0.1:6379/0") == CACHED_DB
    assert session_engine(CACHE_URL="pymemcache://127.0.0.1:11211") == CACHED_DB


@pytest.fixture
def shared_cache(tmp_path):
    """Sessions as with Redis: in the cache (here a file cache, which two
    clients of one process share as two servers share Redis) and the database."""
    cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    with override_settings(CACHES=cache, SESSION_ENGINE=CACHED_DB):
        yield


def test_a_session_from_the_cache_costs_no_query_and_ends_everywhere_at_logout(
    shared_cache, coordinator
):
    # Two browsers' worth of requests on one session, as two workers see it.
    first, second = Client(), Client()
    first.post(LOGIN_URL, {"username": coordinator.email, "password": PASSWORD})
    second.cookies = first.cookies
    with CaptureQueriesContext(connection) as queries:
        assert second.get(reverse("home")).status_code == 200
    assert not any("django_session" in q["sql"] for q in queries.captured_queries)

    first.post(reverse("accounts:logout"))
    response = second.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_a_login_that_needs_no_code_is_not_asked_again_on_every_request(client, coordinator):
    client.post(LOGIN_URL, {"username": coordinator.email, "password": PASSWORD})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert not any("otp_totp_totpdevice" in q["sql"] for q in queries.captured_queries)


def test_a_code_switched_on_meanwhile_is_asked_within_a_minute(client, coordinator):
    client.post(LOGIN_URL, {"username": coordinator.email, "password": PASSWORD})
    assert client.get(reverse("home")).status_code == 200
    coordinator.organisatie.tweestaps_verplicht = True
    coordinator.organisatie.save()

    session = client.session
    session[GEEN_CODE_KEY] = timezone.now().timestamp() - RENEW_EVERY
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:tweestaps-code"))
    # And it stays asked: the finding is not remembered when a code is needed.
    assert client.get(reverse("gezinnen:vraaggezin-list")).status_code == 302
    assert SESSION_KEY in client.session


def test_a_login_of_someone_who_needs_a_code_goes_to_the_code_at_once(client, coordinator):
    coordinator.organisatie.tweestaps_verplicht = True
    coordinator.organisatie.save()
    client.post(LOGIN_URL, {"username": coordinator.email, "password": PASSWORD})
    assert GEEN_CODE_KEY not in client.session
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:tweestaps-code"))
