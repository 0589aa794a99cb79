import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEntry
from tests.factories import KoppelingFactory, VraaggezinFactory

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
