"""The agenda page: what is due, read from the dates each koppeling keeps,
bounded to its first items with a count and a link to all of them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gezinnen.models import today
from matching import views
from matching.agenda import aantallen, geplande
from matching.models import AgendaFeed, Koppeling
from tests.factories import KoppelingFactory

pytestmark = pytest.mark.django_db

DAY = today()
URL = reverse("matching:agenda")


def days(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


def shown(response) -> list[tuple]:
    items = [*response.context["achterstallig"], *response.context["items"]]
    return [(item.datum, item.soort, item.koppeling) for item in items]


def test_it_lists_check_ins_kennismakingen_and_evaluations_by_date(
    client, organisatie, coordinator
):
    contact = KoppelingFactory(
        organisatie=organisatie, coordinator=coordinator, volgende_contact_op=days(3)
    )
    evaluatie = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        proefperiode_tot=days(10),
    )
    kennismaking = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        status="kennismaking",
        start_op=None,
        kennismaking_op=days(-2),
    )
    KoppelingFactory(  # its kennismaking has an outcome: nothing left to do
        organisatie=organisatie,
        coordinator=coordinator,
        status="kennismaking",
        start_op=None,
        kennismaking_op=days(1),
        kennismaking_uitkomst="go",
    )
    KoppelingFactory(  # ended: nothing due any more
        organisatie=organisatie,
        coordinator=coordinator,
        status="afgesloten",
        einde_op=DAY,
        einde_reden="doel_bereikt",
        volgende_contact_op=days(2),
    )
    KoppelingFactory(  # after the six weeks
        organisatie=organisatie, coordinator=coordinator, volgende_contact_op=days(43)
    )
    client.force_login(coordinator)

    response = client.get(URL)

    assert shown(response) == [
        (days(-2), "kennismaking", kennismaking),
        (days(3), "contactmoment", contact),
        (days(10), "einde proefperiode", evaluatie),
    ]
    assert [item.koppeling for item in response.context["achterstallig"]] == [kennismaking]
    assert "Alle" not in response.text


def test_the_counts_are_the_items_counted(organisatie, coordinator):
    KoppelingFactory(
        organisatie=organisatie, volgende_contact_op=days(-3), proefperiode_tot=days(2)
    )
    KoppelingFactory(
        organisatie=organisatie, status="kennismaking", start_op=None, kennismaking_op=days(-1)
    )
    KoppelingFactory(organisatie=organisatie, volgende_contact_op=days(50))
    koppelingen = Koppeling.objects.all()
    overdue = list(geplande(koppelingen, tot=days(-1)))
    upcoming = list(geplande(koppelingen, van=DAY, tot=days(42)))
    assert [soort for _, soort, _ in overdue] == ["contactmoment", "kennismaking"]
    assert [soort for _, soort, _ in upcoming] == ["einde proefperiode"]
    assert aantallen(koppelingen, start=DAY, tot=days(42)) == (2, 1)


def test_it_shows_the_first_items_and_a_link_to_all(client, organisatie, coordinator, monkeypatch):
    monkeypatch.setattr(views, "AGENDA_TONEN", 2)
    overdue = [
        KoppelingFactory(
            organisatie=organisatie, coordinator=coordinator, volgende_contact_op=days(-n)
        )
        for n in (3, 2, 1)
    ]
    upcoming = [
        KoppelingFactory(
            organisatie=organisatie, coordinator=coordinator, volgende_contact_op=days(n)
        )
        for n in (1, 2, 3, 4)
    ]
    client.force_login(coordinator)

    response = client.get(URL)
    assert [i.koppeling for i in response.context["achterstallig"]] == overdue[:2]
    assert [i.koppeling for i in response.context["items"]] == upcoming[:2]
    assert "Alle 3 tonen" in response.text
    assert "Alle 4 tonen" in response.text
    assert "alles=1" in response.text

    response = client.get(URL, {"alles": "1"})
    assert [i.koppeling for i in response.context["achterstallig"]] == overdue
    assert [i.koppeling for i in response.context["items"]] == upcoming
    assert "tonen</a>" not in response.text


def test_a_coordinator_sees_their_own_agenda_or_the_teams(client, organisatie, coordinator):
    own = KoppelingFactory(
        organisatie=organisatie, coordinator=coordinator, volgende_contact_op=days(1)
    )
    colleagues = KoppelingFactory(organisatie=organisatie, volgende_contact_op=days(2))
    KoppelingFactory(volgende_contact_op=days(1))  # another organisation's
    client.force_login(coordinator)
    assert [k for _, _, k in shown(client.get(URL))] == [own]
    everyone = client.get(URL, {"coordinator": "alle"})
    assert [k for _, _, k in shown(everyone)] == [own, colleagues]


def test_a_volunteer_coordinator_sees_only_their_koppelingen(
    client, organisatie, coordinator, vrijwilliger
):
    theirs = KoppelingFactory(
        organisatie=organisatie, vrijwilliger=vrijwilliger, volgende_contact_op=days(1)
    )
    KoppelingFactory(organisatie=organisatie, volgende_contact_op=days(1))
    client.force_login(vrijwilliger)
    assert [k for _, _, k in shown(client.get(URL, {"coordinator": "alle"}))] == [theirs]


# session, user, the team, overdue and upcoming (2), their
# koppelingen and both families (3), audit entry and the families it names (2), both
# counts, the agenda address (the organisation comes with the user); a volunteer
# coordinator has no team
QUERIES = {"coordinator": 12, "vrijwilliger": 11}


@pytest.mark.parametrize("person", ["coordinator", "vrijwilliger"])
def test_the_agenda_takes_the_same_queries_for_more_koppelingen(
    client, organisatie, coordinator, vrijwilliger, all_roles, person, monkeypatch
):
    monkeypatch.setattr(views, "AGENDA_TONEN", 3)

    def koppelingen(n: int) -> None:
        for index in range(n):
            KoppelingFactory(
                organisatie=organisatie,
                coordinator=coordinator,
                vrijwilliger=vrijwilliger,
                volgende_contact_op=days(index - 2),
                proefperiode_tot=days(index + 5),
            )

    client.force_login(all_roles[person])
    koppelingen(2)
    with CaptureQueriesContext(connection) as few:
        response = client.get(URL)
    assert len(shown(response)) == 4
    koppelingen(6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(shown(response)) == 6  # three overdue, three upcoming, of 16
    assert len(many) == len(few) == QUERIES[person], [q["sql"] for q in many]


def test_the_feed_takes_the_same_queries_for_more_koppelingen(client, organisatie, coordinator):
    feed = AgendaFeed.objects.create(user=coordinator, token="geheim-feed")
    url = reverse("matching:agenda-feed", args=[feed.token])

    def koppelingen(n: int) -> None:
        for index in range(n):
            KoppelingFactory(
                organisatie=organisatie,
                coordinator=coordinator,
                volgende_contact_op=days(index - 2),
                proefperiode_tot=days(index + 5),
            )

    koppelingen(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).content.count(b"BEGIN:VEVENT") == 4
    koppelingen(6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).content.count(b"BEGIN:VEVENT") == 16
    assert len(many) == len(few), [q["sql"] for q in many]
