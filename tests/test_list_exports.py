import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEntry
from tests.factories import KoppelingFactory, VraaggezinFactory, WijkFactory

pytestmark = pytest.mark.django_db


def test_the_family_list_exports_with_its_filters(client, organisatie, coordinator, outsider):
    VraaggezinFactory(organisatie=organisatie, naam="Wachters", status="wachtend")
    VraaggezinFactory(organisatie=organisatie, naam="Nieuw", status="aangemeld")
    VraaggezinFactory(organisatie=outsider.organisatie, naam="Elders", status="wachtend")
    client.force_login(coordinator)

    response = client.get(
        reverse("reports:export-vraaggezinnen", args=["csv"]), {"status": "wachtend"}
    )
    text = response.content.decode("utf-8-sig")
    assert response["Content-Disposition"] == 'attachment; filename="vraaggezinnen.csv"'
    assert "Wachters" in text
    assert "Nieuw" not in text
    assert "Elders" not in text

    response = client.get(reverse("reports:export-vraaggezinnen", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == ["Nieuw", "Wachters"]
    assert AuditEntry.objects.filter(action="export", user=coordinator).count() == 2


def test_the_koppeling_list_exports(client, organisatie, coordinator):
    koppeling = KoppelingFactory(organisatie=organisatie, coordinator=coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("reports:export-koppelingen", args=["csv"]))
    assert koppeling.vraaggezin.naam in response.content.decode("utf-8-sig")


def test_an_unknown_format_is_a_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("reports:export-koppelingen", args=["pdf"])).status_code == 404


@pytest.mark.parametrize("person", ["vrijwilliger", "beheerder"])
def test_exports_are_never_for_others(client, all_roles, person):
    client.force_login(all_roles[person])
    for name in ("reports:export-vraaggezinnen", "reports:export-koppelingen"):
        assert client.get(reverse(name, args=["csv"])).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


# session, user with its organisation, the families with their
# wijk and members counted, audit entry and the families it names (2)
EXPORT_QUERIES = 5


@pytest.mark.parametrize("formaat", ["csv", "xlsx"])
def test_the_export_takes_the_same_queries_for_more_families(
    client, organisatie, coordinator, formaat
):
    url = reverse("reports:export-vraaggezinnen", args=[formaat])
    client.force_login(coordinator)
    VraaggezinFactory.create_batch(
        2, organisatie=organisatie, wijk=WijkFactory(organisatie=organisatie)
    )
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    VraaggezinFactory.create_batch(
        4, organisatie=organisatie, wijk=WijkFactory(organisatie=organisatie)
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few) == EXPORT_QUERIES, [q["sql"] for q in many]
    if formaat == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == 6
        assert {(row[9], row[10]) for row in rows} == {(1, 1)}  # volwassenen, kinderen


# session, user with its organisation, the koppelingen, their families (2),
# coordinators and volunteer coordinators (2), the organisation's reasons to end (2:
# whether there are any, which), audit entry and the families it names (2)
KOPPELINGEN_EXPORT_QUERIES = 11


def test_the_koppeling_export_takes_the_same_queries_for_more(
    client, organisatie, coordinator, vrijwilliger
):
    url = reverse("reports:export-koppelingen", args=["csv"])
    client.force_login(coordinator)
    KoppelingFactory.create_batch(2, organisatie=organisatie, vrijwilliger=vrijwilliger)
    client.get(url)  # the first asks the organisation's reasons to end once
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    KoppelingFactory.create_batch(4, organisatie=organisatie, vrijwilliger=vrijwilliger)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few) == KOPPELINGEN_EXPORT_QUERIES, [q["sql"] for q in many]
    assert response.content.decode("utf-8-sig").count(vrijwilliger.get_full_name()) == 6
