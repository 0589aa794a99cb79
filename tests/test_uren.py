"""Coordination hours per week and gemeente: the rules of ``uren_vastleggen``
and the page a coordinator fills them in on."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEntry
from gezinnen.models import today
from matching.models import CoordinatieUren
from matching.services import KoppelingError, uren_vastleggen
from steungezinnen.datums import korte_datum
from tests.factories import UserFactory, WijkFactory

pytestmark = pytest.mark.django_db

URL = reverse("matching:uren")
MAANDAG = today() - datetime.timedelta(days=today().weekday() + 7)
WOENSDAG = MAANDAG + datetime.timedelta(days=2)


@pytest.fixture(autouse=True)
def wijken(organisatie, other_organisatie):
    """Carla's organisation works in Hengelo (two wijken) and Borne; Otto's
    in Hof van Twente."""
    for naam, gemeente in (("Noord", "Hengelo"), ("Zuid", "Hengelo"), ("Centrum", "Borne")):
        WijkFactory(organisatie=organisatie, naam=naam, gemeente=gemeente)
    WijkFactory(organisatie=other_organisatie, naam="Goor", gemeente="Hof van Twente")


def week_of(coordinator, week=MAANDAG) -> dict[str, Decimal]:
    return dict(
        CoordinatieUren.objects.filter(coordinator=coordinator, week=week).values_list(
            "gemeente", "uren"
        )
    )


# The service -----------------------------------------------------------------


def test_it_records_hours_per_gemeente_on_the_monday(coordinator, organisatie):
    regels = uren_vastleggen(
        door=coordinator,
        week=WOENSDAG,
        uren={"Hengelo": Decimal("3.5"), "": Decimal("1"), "Borne": Decimal("2")},
        notitie="werving",
    )
    assert [(r.gemeente, r.uren) for r in regels] == [
        ("Borne", Decimal("2.0")),
        ("Hengelo", Decimal("3.5")),
        ("", Decimal("1.0")),
    ]
    assert week_of(coordinator) == {"Hengelo": 3.5, "Borne": 2, "": 1}
    assert set(CoordinatieUren.objects.values_list("organisatie", "week", "notitie")) == {
        (organisatie.pk, MAANDAG, "werving")
    }


def test_it_writes_one_audit_entry_with_the_hours_per_gemeente(coordinator):
    uren_vastleggen(
        door=coordinator, week=MAANDAG, uren={"Hengelo": Decimal("3.5"), "": Decimal("1")}
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.user, entry.object_id) == (
        "change",
        coordinator,
        str(coordinator.pk),
    )
    assert entry.detail == f"uren week {MAANDAG:%Y-%m-%d}: Hengelo 3,5; algemeen 1,0"


def test_it_replaces_the_week(coordinator):
    uren_vastleggen(
        reden="correctie",
        door=coordinator,
        week=MAANDAG,
        uren={"Hengelo": Decimal("3"), "Borne": Decimal("2"), "": Decimal("1")},
    )
    first = CoordinatieUren.objects.get(gemeente="Hengelo")
    uren_vastleggen(
        reden="correctie",
        door=coordinator,
        week=WOENSDAG,
        uren={"Hengelo": Decimal("4"), "": Decimal("0.5")},
    )
    assert week_of(coordinator) == {"Hengelo": 4, "": Decimal("0.5")}
    assert CoordinatieUren.objects.get(gemeente="Hengelo").pk == first.pk
    assert AuditEntry.objects.latest("id").detail.endswith(": Hengelo 4,0; algemeen 0,5")


def test_a_zero_removes_the_row_and_other_weeks_stay(coordinator, organisatie):
    colleague = UserFactory(organisatie=organisatie)
    vorige = MAANDAG - datetime.timedelta(weeks=1)
    uren_vastleggen(
        reden="correctie", door=coordinator, week=vorige, uren={"Hengelo": Decimal("6")}
    )
    uren_vastleggen(reden="correctie", door=colleague, week=MAANDAG, uren={"Hengelo": Decimal("5")})
    uren_vastleggen(
        reden="correctie",
        door=coordinator,
        week=MAANDAG,
        uren={"Hengelo": Decimal("3"), "Borne": Decimal("2")},
    )
    uren_vastleggen(
        reden="correctie",
        door=coordinator,
        week=MAANDAG,
        uren={"Hengelo": Decimal("0"), "Borne": Decimal("2")},
    )
    assert week_of(coordinator) == {"Borne": 2}
    assert week_of(coordinator, vorige) == {"Hengelo": 6}
    assert week_of(colleague) == {"Hengelo": 5}
    uren_vastleggen(reden="correctie", door=coordinator, week=MAANDAG, uren={})
    assert week_of(coordinator) == {}
    assert AuditEntry.objects.latest("id").detail == f"uren week {MAANDAG:%Y-%m-%d}: geen"


def test_it_refuses_a_gemeente_of_another_organisation(coordinator):
    with pytest.raises(ValidationError, match="Hof van Twente is geen gemeente"):
        uren_vastleggen(door=coordinator, week=MAANDAG, uren={"Hof van Twente": Decimal("2")})
    assert not CoordinatieUren.objects.exists()
    assert not AuditEntry.objects.exists()


def test_it_refuses_more_than_80_hours_in_a_week(coordinator):
    uren_vastleggen(
        reden="correctie", door=coordinator, week=MAANDAG, uren={"Hengelo": Decimal("6")}
    )
    with pytest.raises(
        ValidationError, match="hoogstens 80 uur coördinatie; samen is dit 80,5 uur"
    ):
        uren_vastleggen(
            reden="correctie",
            door=coordinator,
            week=MAANDAG,
            uren={"Hengelo": Decimal("50"), "Borne": Decimal("30"), "": Decimal("0.5")},
        )
    assert week_of(coordinator) == {"Hengelo": 6}
    uren_vastleggen(
        reden="correctie",
        door=coordinator,
        week=MAANDAG,
        uren={"Hengelo": Decimal("50"), "Borne": Decimal("30")},
    )
    assert week_of(coordinator) == {"Hengelo": 50, "Borne": 30}


def test_it_refuses_negative_hours(coordinator):
    with pytest.raises(ValidationError, match="Borne: vul 0 of meer uren in"):
        uren_vastleggen(
            door=coordinator, week=MAANDAG, uren={"Hengelo": Decimal("5"), "Borne": Decimal("-1")}
        )
    assert not CoordinatieUren.objects.exists()


def test_it_refuses_more_than_one_decimal(coordinator):
    with pytest.raises(ValidationError, match="algemeen: vul de uren in op een tiende uur"):
        uren_vastleggen(door=coordinator, week=MAANDAG, uren={"": Decimal("1.25")})
    assert not CoordinatieUren.objects.exists()
    uren_vastleggen(door=coordinator, week=MAANDAG, uren={"": Decimal("1.50")})
    assert week_of(coordinator) == {"": Decimal("1.5")}


def test_a_volunteer_coordinator_records_no_hours(vrijwilliger):
    with pytest.raises(KoppelingError, match="professionele coördinator"):
        uren_vastleggen(door=vrijwilliger, week=MAANDAG, uren={"Hengelo": Decimal("2")})
    assert not CoordinatieUren.objects.exists()


# The page --------------------------------------------------------------------


def test_the_page_has_a_field_per_gemeente_and_one_for_algemeen(client, coordinator):
    client.force_login(coordinator)
    form = client.get(URL).context["form"]
    assert [field.label for field in form.uren_velden()] == [
        "Borne",
        "Hengelo",
        "Algemeen (werving, training, overleg)",
    ]
    assert form.initial["week"] == today() - datetime.timedelta(days=today().weekday())


def test_it_saves_hours_typed_with_a_decimal_comma(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        URL,
        {
            "week": WOENSDAG.isoformat(),
            "uren_hengelo": "4,5",
            "uren_borne": "",
            "uren_algemeen": "1,0",
            "notitie": "training",
        },
    )
    assert response.status_code == 302
    assert week_of(coordinator) == {"Hengelo": Decimal("4.5"), "": 1}
    html = client.get(response.url).text
    assert f"De uren voor de week van {korte_datum(MAANDAG)} zijn opgeslagen." in html
    assert "Hengelo 4,5" in html
    assert "algemeen 1,0" in html
    assert ">5,5<" in html  # the week's total


def test_it_opens_a_week_to_correct_it(client, coordinator):
    uren_vastleggen(
        door=coordinator,
        week=MAANDAG,
        uren={"Hengelo": Decimal("3.5"), "": Decimal("1")},
        notitie="overleg",
    )
    client.force_login(coordinator)
    html = client.get(URL).text
    link = f"{URL}?week={MAANDAG:%Y-%m-%d}"
    assert f'href="{link}"' in html
    assert ">wijzigen<" in html
    response = client.get(link)
    form = response.context["form"]
    assert form.initial["week"] == MAANDAG
    assert 'name="uren_hengelo" value="3,5"' in response.text
    assert 'name="uren_algemeen" value="1,0"' in response.text
    assert 'value="overleg"' in response.text
    assert 'name="uren_borne" inputmode="decimal"' in response.text  # empty

    # Algemeen removed: not without a reason, and then in the hours' history.
    data = {"week": MAANDAG.isoformat(), "uren_hengelo": "3,5", "uren_borne": "1"}
    response = client.post(URL, data)
    assert "Geef de reden" in response.text
    assert 'value="3,5"' in response.text  # what was typed stays
    assert week_of(coordinator) == {"Hengelo": Decimal("3.5"), "": 1}
    client.post(URL, {**data, "reden": "Was overleg in Borne"})
    assert week_of(coordinator) == {"Hengelo": Decimal("3.5"), "Borne": 1}
    assert "Was overleg in Borne" in client.get(URL).text


@pytest.mark.parametrize(
    "week", ["morgen", "2026-02-30", "99999-01-01", "0001-01-01", "2999-01-01", ""]
)
def test_a_bad_week_in_the_address_opens_this_week(client, coordinator, week):
    uren_vastleggen(door=coordinator, week=MAANDAG, uren={"Hengelo": Decimal("3")})
    client.force_login(coordinator)
    response = client.get(URL, {"week": week})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["week"] == today() - datetime.timedelta(days=today().weekday())
    assert "uren_hengelo" not in form.initial


def test_bad_input_keeps_what_was_typed(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        URL,
        {"week": MAANDAG.isoformat(), "uren_hengelo": "60", "uren_borne": "30,5", "notitie": "x"},
    )
    assert response.status_code == 200
    assert "Een week heeft hoogstens 80 uur coördinatie; samen is dit 90,5 uur." in response.text
    assert 'value="30,5"' in response.text
    response = client.post(URL, {"week": MAANDAG.isoformat(), "uren_hengelo": "vier"})
    assert response.status_code == 200
    assert "Voer een getal in." in response.text
    assert 'value="vier"' in response.text
    response = client.post(URL, {"week": MAANDAG.isoformat(), "uren_hengelo": "2,25"})
    assert "Hengelo: vul de uren in op een tiende uur (bijvoorbeeld 2,5)." in response.text
    assert not CoordinatieUren.objects.exists()


@pytest.mark.parametrize("role", ["vrijwilliger", "beheerder"])
def test_only_a_coordinator_has_the_page(client, all_roles, role, log_in_verified):
    log_in_verified(client, all_roles[role])
    assert client.get(URL).status_code == 404
    assert client.get(URL, {"week": MAANDAG.isoformat()}).status_code == 404
    response = client.post(URL, {"week": MAANDAG.isoformat(), "uren_algemeen": "2"})
    assert response.status_code == 404
    assert not CoordinatieUren.objects.exists()


def test_a_visitor_is_sent_to_the_login(client):
    response = client.post(URL, {"week": MAANDAG.isoformat(), "uren_algemeen": "2"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not CoordinatieUren.objects.exists()


def test_another_organisation_sees_and_writes_none_of_it(
    client, coordinator, outsider, other_organisatie, log_in_verified
):
    uren_vastleggen(
        door=coordinator, week=MAANDAG, uren={"Hengelo": Decimal("7"), "": Decimal("1")}
    )
    log_in_verified(client, outsider)
    response = client.get(URL, {"week": MAANDAG.isoformat()})
    assert [f.label for f in response.context["form"].uren_velden()] == [
        "Hof van Twente",
        "Algemeen (werving, training, overleg)",
    ]
    assert "Hengelo" not in response.text
    assert "Nog geen uren ingevuld." in response.text
    assert "uren_hengelo" not in response.context["form"].initial
    response = client.post(
        URL, {"week": MAANDAG.isoformat(), "uren_hengelo": "9", "uren_hof-van-twente": "2"}
    )
    assert response.status_code == 302
    assert week_of(coordinator) == {"Hengelo": 7, "": 1}
    assert week_of(outsider) == {"Hof van Twente": 2}
    assert CoordinatieUren.objects.get(coordinator=outsider).organisatie == other_organisatie
