"""The busiest pages show the first items of each list, the count, and a way
to the rest (issue 14): dashboard, screening overview, suggestions and
passend. Their queries do not grow with the organisation; odd query strings
give the page, never an error; other roles and organisations see nothing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEntry
from gezinnen.models import today
from matching import dashboard
from matching.suggestions import TONEN
from screening.stand import TONEN as LIJST_TONEN
from tests.factories import (
    KoppelingFactory,
    SteungezinFactory,
    VraaggezinFactory,
    approved_steungezin,
)

pytestmark = pytest.mark.django_db

DAY = today()


@pytest.fixture
def logged_in(client, coordinator):
    client.force_login(coordinator)
    return client


def overdue(organisatie, n: int) -> list:
    return [
        KoppelingFactory(
            organisatie=organisatie,
            volgende_contact_op=DAY - datetime.timedelta(days=i + 1),
            steungezin__naam=f"Steun {i:02}",
        )
        for i in range(n)
    ]


def queries(client, url: str) -> tuple[int, object]:
    client.get(url)  # stored verdicts and the like made once
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


# Dashboard --------------------------------------------------------------------


def test_the_dashboard_shows_the_first_and_counts_the_rest(logged_in, organisatie):
    late = overdue(organisatie, LIJST_TONEN + 3)
    response = logged_in.get(reverse("home"))
    deel = response.context["due"].checkins_overdue
    assert deel.aantal == LIJST_TONEN + 3
    assert deel.rijen == late[::-1][:LIJST_TONEN]  # the longest overdue first
    assert f"Contactmomenten over tijd ({LIJST_TONEN + 3})" in response.text
    assert f"Alle {LIJST_TONEN + 3} tonen" in response.text
    assert "?lijst=checkins_overdue" in response.text


def test_a_dashboard_list_in_full_a_page_at_a_time(logged_in, organisatie, coordinator):
    late = overdue(organisatie, 12)
    response = logged_in.get(reverse("home") + "?lijst=checkins_overdue")
    assert response.templates[0].name == "home/lijst.html"
    assert response.context["rijen"] == late[::-1]
    assert response.context["aantal"] == 12
    assert "Contactmomenten over tijd (12)" in response.text
    # Who saw which koppelingen is in the audit log.
    entry = AuditEntry.objects.filter(user=coordinator).latest("pk")
    assert "Contactmomenten over tijd" in entry.detail
    # Anything else on the address: the page, never an error.
    for odd in ("?lijst=checkins_overdue&pagina=999", "?lijst=checkins_overdue&pagina=x"):
        assert logged_in.get(reverse("home") + odd).status_code == 200
    for odd in ("?lijst=bestaat-niet", "?lijst=", "?lijst=__class__"):
        response = logged_in.get(reverse("home") + odd)
        assert response.status_code == 200
        assert response.templates[0].name == "home/coordinator.html"


def test_my_view_keeps_to_my_koppelingen_in_the_full_list(logged_in, organisatie, coordinator):
    mine = KoppelingFactory(
        organisatie=organisatie, coordinator=coordinator, volgende_contact_op=DAY
    )
    KoppelingFactory(organisatie=organisatie, volgende_contact_op=DAY)
    response = logged_in.get(reverse("home") + "?lijst=checkins_this_week&weergave=mijn")
    assert response.context["rijen"] == [mine]


def test_the_dashboard_takes_the_same_queries_for_ten_times_the_families(
    logged_in, organisatie, coordinator
):
    def some(n):
        overdue(organisatie, n)
        for _ in range(n):
            VraaggezinFactory(organisatie=organisatie)
            SteungezinFactory(organisatie=organisatie)
            approved_steungezin(organisatie, status="in_screening")

    some(2)
    few, _ = queries(logged_in, reverse("home"))
    some(18)
    many, response = queries(logged_in, reverse("home"))
    assert many == few
    due = response.context["due"]
    assert due.nieuw_vraag.aantal == 20
    assert due.checkins_overdue.aantal == 20
    assert few == 28
    # Each count (a window over the list, in the query of its first rows) is
    # the count of the list in full, which pages with a query of its own.
    for naam in dashboard.LIJSTEN:
        volledig = logged_in.get(reverse("home") + f"?lijst={naam}")
        assert getattr(due, naam).aantal == volledig.context["aantal"], naam
    for naam, lijst in dashboard.SCREENING.items():
        volledig = logged_in.get(reverse("screening:overzicht") + f"?lijst={lijst}")
        assert getattr(due, naam).aantal == volledig.context["aantal"], naam


def test_the_volunteer_and_the_other_organisation_get_no_full_list(
    client, organisatie, vrijwilliger, outsider
):
    overdue(organisatie, 2)
    client.force_login(outsider)
    response = client.get(reverse("home") + "?lijst=checkins_overdue")
    assert response.context["rijen"] == []
    client.force_login(vrijwilliger)
    response = client.get(reverse("home") + "?lijst=checkins_overdue")
    assert response.templates[0].name == "home/vrijwillig_coordinator.html"


# Screening overview -----------------------------------------------------------------


def test_a_screening_list_in_full(logged_in, organisatie):
    in_screening = [
        SteungezinFactory(organisatie=organisatie, status="in_screening", naam=f"Gezin {i:02}")
        for i in range(LIJST_TONEN + 2)
    ]
    overview = logged_in.get(reverse("screening:overzicht"))
    assert overview.context["delen"]["in_screening"].meer == 2
    assert "?lijst=in_screening" in overview.text
    response = logged_in.get(reverse("screening:overzicht") + "?lijst=in_screening")
    assert [g for g, _ in response.context["rijen"]] == in_screening
    assert all(tekorten for _, tekorten in response.context["rijen"])
    for odd in ("?lijst=x", "?lijst=in_screening&pagina=-1", "?lijst=in_screening&pagina=ab"):
        assert logged_in.get(reverse("screening:overzicht") + odd).status_code == 200


def test_the_screening_lists_are_the_coordinators_only(client, vrijwilliger, outsider, organisatie):
    SteungezinFactory(organisatie=organisatie, status="in_screening")
    client.force_login(outsider)
    response = client.get(reverse("screening:overzicht") + "?lijst=in_screening")
    assert response.context["rijen"] == []
    client.force_login(vrijwilliger)
    assert client.get(reverse("screening:overzicht") + "?lijst=in_screening").status_code == 404


# Suggestions and passend -------------------------------------------------------------


def test_suggestions_show_the_best_first_and_more_on_request(logged_in, organisatie):
    vraag = VraaggezinFactory(organisatie=organisatie, status="wachtend")
    for i in range(TONEN + 5):
        approved_steungezin(organisatie, naam=f"Steun {i:02}")
    url = reverse("matching:suggesties", args=[vraag.pk])
    first = logged_in.get(url).context["gevonden"]
    assert (len(first.beste), first.aantal, first.meer) == (TONEN, TONEN + 5, 5)
    more = logged_in.get(url + f"?toon={2 * TONEN}").context["gevonden"]
    assert len(more.beste) == TONEN + 5
    assert more.beste[:TONEN] == first.beste  # the same order, then the rest
    for odd in ("?toon=x", "?toon=-5", "?toon=99999999999999999999", "?uitgesloten=1&pagina=x"):
        assert logged_in.get(url + odd).status_code == 200


def test_suggestions_take_the_same_queries_for_more_steungezinnen(logged_in, organisatie):
    vraag = VraaggezinFactory(organisatie=organisatie, status="wachtend")

    def some(n):
        for _ in range(n):
            approved_steungezin(organisatie)
            SteungezinFactory(organisatie=organisatie, status="in_screening")
            KoppelingFactory(organisatie=organisatie, steungezin=approved_steungezin(organisatie))

    some(2)
    url = reverse("matching:suggesties", args=[vraag.pk])
    few, _ = queries(logged_in, url)
    few_uitgesloten, _ = queries(logged_in, url + "?uitgesloten=1")
    some(12)
    many, response = queries(logged_in, url)
    assert many == few
    assert queries(logged_in, url + "?uitgesloten=1")[0] == few_uitgesloten
    assert response.context["gevonden"].aantal == 14
    assert response.context["gevonden"].aantal_uitgesloten == 28


def test_passend_shows_the_best_first_and_counts_the_rest(logged_in, organisatie):
    steun = approved_steungezin(organisatie)
    for _ in range(TONEN + 2):
        VraaggezinFactory(organisatie=organisatie, status="wachtend")
    url = reverse("matching:passend", args=[steun.pk])
    few, response = queries(logged_in, url)
    assert (len(response.context["suggesties"]), response.context["aantal"]) == (TONEN, TONEN + 2)
    assert "Meer tonen" in response.text
    for _ in range(10):
        VraaggezinFactory(organisatie=organisatie, status="wachtend")
    many, response = queries(logged_in, url + "?toon=100")
    assert many == few
    assert len(response.context["suggesties"]) == TONEN + 12
