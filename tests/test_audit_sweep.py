"""Walks every family page: each GET that shows family data leaves a view (or
export) in the audit log, so "who looked at this family?" has an answer."""

import pytest
from django.urls import reverse

from accounts import audit
from accounts.models import AuditEntry, AuditGezin
from gezinnen.models import Vraaggezin
from tests.factories import VraaggezinFactory
from tests.test_url_sweep import (
    COORDINATOR_ONLY,
    POST_ONLY,
    TEAM_PAGES,
    url_for,
    values,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db

# Pages of those apps that show no family data, so log nothing.
NO_FAMILY_DATA = {
    "gezinnen:vraaggezin-create",  # an empty form
    "gezinnen:steungezin-create",  # an empty form
    "matching:uren",  # the coordinator's own hours
    "matching:uren-corrigeren",  # a row of them
    "matching:uren-intrekken",
    "reports:gemeente",  # anonymised figures only
    "matching:zoeken",  # without a term, only the explanation (searches: test_zoeken.py)
    "importeren:start",  # the imports by number, status and who uploaded them
    "importeren:sjabloon",  # the empty template
}
SEEN = (AuditEntry.Action.VIEW, AuditEntry.Action.EXPORT)


def _gets(pages):
    return [(n, t) for n, t in pages if n not in POST_ONLY and n not in NO_FAMILY_DATA]


def _assert_logged(client, user, url):
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    new = AuditEntry.objects.exclude(pk__in=before).filter(user=user, action__in=SEEN)
    assert new.exists(), f"{url} showed family data to {user} without an audit entry"
    # And the entry says which families, what "wie heeft dit gezien" finds;
    # unless it is a list that showed none.
    for entry in new:
        named = AuditGezin.objects.filter(entry=entry).exists()
        assert named or entry.detail.endswith(": geen"), f"{url}: no family named"


def test_the_allow_list_names_real_pages():
    names = {n for n, _ in COORDINATOR_ONLY + TEAM_PAGES}
    assert names >= NO_FAMILY_DATA


@pytest.mark.parametrize(
    ("name", "template"), _gets(COORDINATOR_ONLY), ids=[n for n, _ in _gets(COORDINATOR_ONLY)]
)
def test_every_family_page_is_audited(client, coordinator, values, name, template):  # noqa: F811
    _assert_logged(client, coordinator, url_for(name, template, values))


@pytest.mark.parametrize("person", ["coordinator", "vrijwilliger"])
@pytest.mark.parametrize(
    ("name", "template"), _gets(TEAM_PAGES), ids=[n for n, _ in _gets(TEAM_PAGES)]
)
def test_every_koppeling_page_is_audited(
    client,
    all_roles,
    values,  # noqa: F811
    person,
    name,
    template,
):
    _assert_logged(client, all_roles[person], url_for(name, template, values))


@pytest.mark.parametrize("person", ["coordinator", "vrijwilliger"])
def test_the_start_page_names_the_families_it_shows(client, all_roles, values, person):  # noqa: F811
    _assert_logged(client, all_roles[person], reverse("home"))
    entry = AuditEntry.objects.filter(user=all_roles[person]).latest("pk")
    assert f"koppeling nr. {values['koppeling']}" in entry.detail


def test_a_list_entry_names_records_by_type_and_number_within_the_field(coordinator):
    gezinnen = VraaggezinFactory.create_batch(3, organisatie=coordinator.organisatie)
    entry = audit.lijst_bekeken(door=coordinator, wat="lijst vraaggezinnen", records=gezinnen)
    numbers = ", ".join(str(g.pk) for g in gezinnen)
    assert entry.detail == f"lijst vraaggezinnen: vraaggezin nr. {numbers}"
    assert (entry.action, entry.object_id) == (AuditEntry.Action.VIEW, "")
    assert not any(g.naam in entry.detail for g in gezinnen)

    many = [Vraaggezin(pk=pk) for pk in range(1000, 1300)]
    entry = audit.lijst_bekeken(door=coordinator, wat="lijst vraaggezinnen", records=many)
    assert len(entry.detail) <= 500
    shown = entry.detail.split("nr. ")[1].split(" …")[0].split(", ")
    assert entry.detail.endswith(f"… en {300 - len(shown)} meer")
