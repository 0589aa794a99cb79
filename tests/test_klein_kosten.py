"""Costs that must not grow with the installation: the back office's audit
log reads one page of the log and counts it once, whatever its size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.admin import TotHoogstensPaginator
from accounts.models import AuditEntry
from tests.factories import OrganisatieFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accounts_auditentry_changelist"


@pytest.fixture
def many_entries():
    """A thousand lines of log from ten organisations' coordinators."""
    entries = []
    for _ in range(10):
        organisatie = OrganisatieFactory()
        user = UserFactory(organisatie=organisatie)
        entries += [
            AuditEntry(
                user=user,
                organisatie=organisatie,
                action=AuditEntry.Action.VIEW,
                object_type="gezinnen.vraaggezin" if n % 2 else "matching.koppeling",
                object_id=str(n),
            )
            for n in range(100)
        ]
    return AuditEntry.objects.bulk_create(entries)


def test_it_shows_the_superuser_a_page_of_the_log_in_few_queries(
    client, superuser, many_entries, log_in_verified, django_assert_num_queries
):
    log_in_verified(client, superuser)

    # Session, user, app, count, page; the session is saved only once a minute.
    with django_assert_num_queries(5), CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 100
    log_queries = [q["sql"] for q in queries if "accounts_auditentry" in q["sql"]]
    assert len(log_queries) == 2  # one COUNT, one page
    assert not [sql for sql in log_queries if "DISTINCT" in sql or "MIN(" in sql]


def test_it_counts_the_log_only_up_to_a_limit(
    client, superuser, many_entries, log_in_verified, monkeypatch
):
    monkeypatch.setattr(TotHoogstensPaginator, "LIMIT", 250)
    log_in_verified(client, superuser)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_count == 250
    assert len(response.context["cl"].result_list) == 100
    assert "Meer dan 250 auditregels" in response.text
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1
    assert "LIMIT 251" in counts[0]

    # Fewer than the limit: the exact number, as before.
    one_user = many_entries[0].user
    response = client.get(reverse(CHANGELIST), {"q": one_user.email})
    assert response.context["cl"].result_count == 100
    assert "Meer dan" not in response.text
    assert "100 auditlog" in response.text


def test_it_filters_the_log_by_kind_of_record_and_counts_once(
    client, superuser, many_entries, log_in_verified
):
    log_in_verified(client, superuser)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST), {"object_type": "matching.koppeling"})
    assert response.context["cl"].result_count == 500
    assert {e.object_type for e in response.context["cl"].result_list} == {"matching.koppeling"}
    assert "vraaggezin" in response.text  # a choice of the filter, without reading the log
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1
    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"]]
