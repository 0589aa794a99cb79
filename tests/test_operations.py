"""Running it for real: background mail with retries, the daily command, the
health endpoint, and error reports without personal data."""

import datetime
import logging
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.tasks import MAX_POGINGEN, mail_versturen
from steungezinnen.observability import REDACTED, NoPersonalDataFilter, scrub_event

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


# The worker closes its database connection when done, as a real one does:
# these tests commit for real instead of running in a rolled-back transaction.
worker_test = pytest.mark.django_db(transaction=True)


@worker_test
@override_settings(TASKS=DATABASE_TASKS)
def test_a_queued_mail_is_sent_once_by_the_worker():
    mail_versturen.enqueue("Onderwerp", "Tekst", ["a@example.nl"])
    assert mail.outbox == []  # nothing happens in the request itself
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert [m.to for m in mail.outbox] == [["a@example.nl"]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@worker_test
@override_settings(TASKS=DATABASE_TASKS)
def test_a_mail_server_that_is_down_is_tried_again_later_and_shows_as_failed(caplog):
    mail_versturen.enqueue("Onderwerp", "Tekst", ["a@example.nl"])
    with mock.patch("accounts.tasks.verzenden", side_effect=ConnectionRefusedError("down")):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    failed, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert failed.status == "FAILED"  # visible in the back office, with its traceback
    assert "ConnectionRefusedError" in failed.traceback
    assert retry.status == "READY"
    assert retry.args_kwargs["args"][4] == 2  # onderwerp, tekst, aan, html, poging
    assert retry.run_after > timezone.now() + datetime.timedelta(seconds=50)
    assert "volgende poging" in caplog.text

    # The server is back; when the retry is due, the worker sends it.
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert len(mail.outbox) == 1


@override_settings(TASKS=DATABASE_TASKS)
def test_after_the_last_attempt_no_more_are_queued(caplog):
    with (
        mock.patch("accounts.tasks.verzenden", side_effect=ConnectionRefusedError("down")),
        pytest.raises(ConnectionRefusedError),
        caplog.at_level(logging.ERROR),
    ):
        mail_versturen.call("Onderwerp", "Tekst", ["a@example.nl"], "", MAX_POGINGEN)
    assert not DBTaskResult.objects.exists()
    assert "opgegeven" in caplog.text


def test_the_task_results_are_for_the_superuser_only(client, beheerder, superuser, log_in_verified):
    url = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    client.force_login(beheerder)
    assert client.get(url).status_code in (302, 403)
    log_in_verified(client, superuser)
    assert client.get(url).status_code == 200


def test_the_daily_command_is_safe_to_run_twice(organisatie, coordinator):
    call_command("dagelijks")
    call_command("dagelijks")  # the immediate test backend runs the tasks at once


# Health ------------------------------------------------------------------------


def test_the_health_endpoint_needs_no_login_and_names_no_one(client, coordinator):
    response = client.get(reverse("health"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert set(response.json().values()) == {"OK"}
    assert len(response.json()) == 4
    assert coordinator.email not in response.text


def test_the_health_endpoint_fails_when_migrations_are_missing(client):
    from steungezinnen.health import Migrations

    Migrations.applied = False
    with mock.patch(
        "django.db.migrations.executor.MigrationExecutor.migration_plan", return_value=[1]
    ):
        response = client.get(reverse("health"), HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    assert "OK" not in response.json()["Migrations()"]


# Error reports ---------------------------------------------------------------------


def test_error_mails_carry_no_form_values(rf):
    request = rf.post("/vraaggezinnen/nieuw/", {"naam": "Jansen", "telefoon": "0612345678"})
    assert NoPersonalDataFilter().get_post_parameters(request) == {
        "naam": REDACTED,
        "telefoon": REDACTED,
    }


def test_sentry_events_lose_what_names_a_person():
    event = {
        "request": {
            "url": "https://x/vraaggezinnen/",
            "query_string": "q=Jansen",
            "data": {"naam": "Jansen"},
            "cookies": {"sessionid": "abc"},
            "headers": {"User-Agent": "Firefox", "Cookie": "sessionid=abc"},
        },
        "user": {"id": 7, "email": "carla@example.nl", "username": "Carla"},
        "exception": {"values": [{"stacktrace": {"frames": [{"vars": {"naam": "Jansen"}}]}}]},
        "breadcrumbs": {
            "values": [{"category": "query", "message": "SELECT ... 'Jansen'", "data": {}}]
        },
    }
    scrubbed = scrub_event(event, {})
    assert "Jansen" not in str(scrubbed)
    assert "carla" not in str(scrubbed).lower()
    assert scrubbed["user"] == {"id": 7}
    assert scrubbed["request"]["headers"] == {"User-Agent": "Firefox"}


# A mail server that is down (nothing listens on port 9 here).
SMTP_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 9,
    "EMAIL_TIMEOUT": 2,
}


@override_settings(**SMTP_DOWN)
def test_a_mail_server_that_is_down_breaks_no_page(
    client, organisatie, coordinator, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from tests.test_gezinnen_public import signup_data

    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reset = client.post(reverse("accounts:password-reset"), {"email": coordinator.email})
        signup = client.post(
            reverse("gezinnen:aanmelden-steungezin", args=[organisatie.slug]), signup_data()
        )
    assert reset.status_code == 302
    assert signup.status_code == 302
    assert signup.url == reverse("gezinnen:bedankt", args=[organisatie.slug])


def test_a_number_too_big_for_the_calendar_is_bad_input(client, superuser, log_in_verified):
    log_in_verified(client, superuser)
    url = reverse("admin:accounts_auditentry_changelist")
    for year in ("9" * 30, "-99999999999"):
        response = client.get(url, {"timestamp__year": year})
        assert response.status_code == 400
        assert "te groot of te klein" in response.text


def test_a_field_name_that_does_not_exist_is_a_broken_address(client, superuser, log_in_verified):
    log_in_verified(client, superuser)
    url = reverse("admin:accounts_user_change", args=[superuser.pk])
    for send in (client.get, client.post):
        response = send(url, {"_to_field": ""})
        assert response.status_code == 400
        assert "Dit webadres klopt niet." in response.text


def test_a_bulk_action_with_a_broken_id_is_bad_input(
    client, superuser, organisatie, log_in_verified
):
    from tests.factories import WijkFactory

    wijk = WijkFactory(organisatie=organisatie)
    log_in_verified(client, superuser)
    response = client.post(
        reverse("admin:gezinnen_wijk_changelist"),
        {"action": "delete_selected", "_selected_action": "x"},
    )
    assert response.status_code == 400
    assert "ongeldige waarde" in response.text
    assert type(wijk).objects.filter(pk=wijk.pk).exists()
