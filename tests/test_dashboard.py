"""Each dashboard item appears exactly when its condition holds and goes away
once handled; the digest carries the same items without names."""

import datetime

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gezinnen.models import today
from gezinnen.services import gezin_status_wijzigen
from matching import services
from matching.dashboard import coordinator_due, volunteer_due
from matching.models import AgendaFeed, Koppeling, Signaal
from matching.reminders import send_reminders
from screening import services as screening
from screening.models import ScreeningGesprek, add_months
from screening.stand import Deel
from tests.factories import (
    KoppelingFactory,
    SteungezinFactory,
    UserFactory,
    VraaggezinFactory,
    approved_steungezin,
    lid_toevoegen,
)

pytestmark = pytest.mark.django_db

DAY = today()


def as_request(user):
    # Services take the acting user, never a request.
    return user


class Rows:
    """The dashboard's lists by their rows (each list is a bounded Deel)."""

    def __init__(self, due):
        self.due = due

    def __getattr__(self, name):
        value = getattr(self.due, name)
        return value.rijen if isinstance(value, Deel) else value


def due(user, day=DAY, mine=False):
    return Rows(coordinator_due(user, day, mine=mine))


def test_an_overdue_checkin_shows_until_it_is_logged(organisatie, coordinator):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        volgende_contact_op=DAY + datetime.timedelta(days=2),
    )
    assert due(coordinator, DAY).checkins_overdue == []
    later = DAY + datetime.timedelta(days=3)
    assert due(coordinator, later).checkins_overdue == [koppeling]
    services.contactmoment_vastleggen(
        door=as_request(coordinator),
        koppeling=koppeling,
        datum=DAY,
        met="beide",
        hoe="telefoon",
        verloop="goed",
    )
    assert due(coordinator, later).checkins_overdue == []


def test_a_checkin_this_week_shows_in_that_week_only(organisatie, coordinator):
    monday = DAY - datetime.timedelta(days=DAY.weekday())
    koppeling = KoppelingFactory(
        organisatie=organisatie, volgende_contact_op=monday + datetime.timedelta(days=4)
    )
    assert due(coordinator, monday).checkins_this_week == [koppeling]
    assert due(coordinator, monday - datetime.timedelta(days=7)).checkins_this_week == []


def test_the_yearly_evaluation_shows_until_recorded(organisatie, coordinator):
    start = add_months(DAY, -12)
    koppeling = KoppelingFactory(organisatie=organisatie, start_op=start)
    assert due(coordinator, DAY - datetime.timedelta(days=30)).evaluaties == []
    (item,) = due(coordinator, DAY).evaluaties
    assert item == (koppeling, "jaarlijkse evaluatie", start.replace(year=start.year + 1))
    services.evaluatie_vastleggen(
        door=coordinator,
        koppeling=koppeling,
        soort="jaarlijks",
        datum=DAY,
        vraag_scores={"sfeer": 4},
        steun_scores={"sfeer": 4},
        conclusie="Goed",
    )
    assert due(coordinator, DAY).evaluaties == []


def test_a_planned_kennismaking_shows_until_its_outcome(organisatie, coordinator):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        status="kennismaking",
        start_op=None,
        kennismaking_op=DAY + datetime.timedelta(days=3),
        vraaggezin__status="wachtend",
    )
    assert due(coordinator).kennismakingen == [koppeling]
    koppeling.kennismaking_op = DAY
    koppeling.save()
    services.kennismaking_uitkomst_vastleggen(
        door=as_request(coordinator), koppeling=koppeling, uitkomst="go", notities=""
    )
    assert due(coordinator).kennismakingen == []


def test_a_new_signup_shows_until_the_intake_starts(organisatie, coordinator):
    gezin = VraaggezinFactory(organisatie=organisatie)
    steun = SteungezinFactory(organisatie=organisatie)
    assert due(coordinator).nieuw_vraag == [gezin]
    assert due(coordinator).nieuw_steun == [steun]
    gezin_status_wijzigen(door=coordinator, gezin=gezin, naar="intake")
    assert due(coordinator).nieuw_vraag == []


def test_a_screening_without_progress_for_three_weeks(organisatie, coordinator):
    gezin = SteungezinFactory(
        organisatie=organisatie,
        status="in_screening",
        aangemeld_op=DAY - datetime.timedelta(days=40),
    )
    ScreeningGesprek.objects.create(
        steungezin=gezin, soort="kennismaking", datum=DAY, door=coordinator
    )
    assert due(coordinator, DAY + datetime.timedelta(days=20)).screening_stil == []
    assert [g for g, _ in due(coordinator, DAY + datetime.timedelta(days=21)).screening_stil] == [
        gezin
    ]
    screening.gesprek_vastleggen(
        door=coordinator,
        steungezin=gezin,
        soort="huisbezoek",
        datum=DAY + datetime.timedelta(days=15),
        gevoerd_door=coordinator,
    )
    assert due(coordinator, DAY + datetime.timedelta(days=21)).screening_stil == []


def test_vogs_to_request_expiring_and_turning_18(organisatie, coordinator):
    gezin = approved_steungezin(organisatie)
    ouder = gezin.leden.get()
    vog = ouder.vogs.get()
    until = vog.geldig_tot(organisatie)
    assert due(coordinator, until - datetime.timedelta(days=61)).vog_verlopend == []
    assert [
        lid for _, lid, *_ in due(coordinator, until - datetime.timedelta(days=60)).vog_verlopend
    ] == [ouder]

    teen = lid_toevoegen(
        door=coordinator,
        gezin=gezin,
        voornaam="Sanne",
        soort="kind",
        geboortedatum=add_months(DAY + datetime.timedelta(days=30), -12 * 18),
    )
    current = due(coordinator)
    assert [lid for _, lid in current.wordt_18] == [teen]
    assert [lid for _, lid in current.vog_aanvragen] == [teen]
    screening.vog_bijwerken(
        door=coordinator,
        lid=teen,
        vog_id=None,
        gegevens={"status": "aangevraagd", "aangevraagd_op": DAY},
    )
    assert due(coordinator).vog_aanvragen == []


def test_an_open_signal_shows_until_the_decision(organisatie, coordinator):
    koppeling = KoppelingFactory(organisatie=organisatie)
    signaal = Signaal.objects.create(
        koppeling=koppeling, omschrijving="Zorg", gemeld_door=coordinator
    )
    assert due(coordinator).signalen == [signaal]
    for stap in (1, 2, 3, 4):
        services.meldcode_stap_vastleggen(
            door=coordinator, signaal=signaal, stap=stap, datum=DAY, notitie="gedaan"
        )
    assert due(coordinator).signalen == [signaal]
    services.meldcode_stap_vastleggen(
        door=coordinator,
        signaal=signaal,
        stap=5,
        datum=DAY,
        notitie="Hulp",
        hulp_georganiseerd=True,
    )
    assert due(coordinator).signalen == []


def test_a_family_waiting_longer_than_the_limit(organisatie, coordinator):
    gezin = VraaggezinFactory(
        organisatie=organisatie, status="wachtend", wacht_sinds=DAY - datetime.timedelta(weeks=8)
    )
    assert due(coordinator).lang_wachtend == []
    assert due(coordinator, DAY + datetime.timedelta(days=1)).lang_wachtend == [gezin]
    organisatie.wachttijd_limiet_weken = 12
    organisatie.save()
    coordinator.refresh_from_db()
    assert due(coordinator, DAY + datetime.timedelta(days=1)).lang_wachtend == []


def test_mine_shows_only_my_koppelingen(organisatie, coordinator):
    colleague = UserFactory(organisatie=organisatie)
    late = DAY - datetime.timedelta(days=1)
    mine = KoppelingFactory(
        organisatie=organisatie, coordinator=coordinator, volgende_contact_op=late
    )
    KoppelingFactory(organisatie=organisatie, coordinator=colleague, volgende_contact_op=late)
    assert due(coordinator, mine=True).checkins_overdue == [mine]
    assert len(due(coordinator, mine=False).checkins_overdue) == 2


def test_another_organisation_never_shows(organisatie, coordinator, outsider):
    KoppelingFactory(
        organisatie=outsider.organisatie, volgende_contact_op=DAY - datetime.timedelta(days=1)
    )
    VraaggezinFactory(organisatie=outsider.organisatie)
    assert due(coordinator).empty


def test_the_dashboard_page_takes_the_same_queries_for_more_data(client, organisatie, coordinator):
    client.force_login(coordinator)
    k = KoppelingFactory(
        organisatie=organisatie, volgende_contact_op=DAY - datetime.timedelta(days=1)
    )
    Signaal.objects.create(koppeling=k, omschrijving="x", gemeld_door=coordinator)
    approved_steungezin(organisatie)
    client.get(reverse("home"))  # the new steungezinnen's screening verdicts made
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse("home"))
    assert "Contactmomenten over tijd (1)" in response.text
    for _ in range(4):
        k = KoppelingFactory(
            organisatie=organisatie, volgende_contact_op=DAY - datetime.timedelta(days=1)
        )
        Signaal.objects.create(koppeling=k, omschrijving="x", gemeld_door=coordinator)
        approved_steungezin(organisatie, status="in_screening")
        VraaggezinFactory(organisatie=organisatie)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("home"))
    assert "Contactmomenten over tijd (5)" in response.text
    assert len(many) == len(few)


def test_the_volunteer_sees_only_their_checkins(organisatie, vrijwilliger):
    late = DAY - datetime.timedelta(days=1)
    theirs = KoppelingFactory(
        organisatie=organisatie, vrijwilliger=vrijwilliger, volgende_contact_op=late
    )
    KoppelingFactory(organisatie=organisatie, volgende_contact_op=late)
    assert volunteer_due(vrijwilliger, DAY).checkins_overdue.rijen == [theirs]


# Agenda -----------------------------------------------------------------------


def test_the_agenda_and_its_private_feed(client, organisatie, coordinator):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        volgende_contact_op=DAY + datetime.timedelta(days=3),
    )
    client.force_login(coordinator)
    assert str(koppeling) in client.get(reverse("matching:agenda")).text
    client.post(reverse("matching:agenda-feed-nieuw"))
    token = AgendaFeed.objects.get(user=coordinator).token
    client.logout()

    response = client.get(reverse("matching:agenda-feed", args=[token]))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body
    assert f"Contactmoment {koppeling.vraaggezin.initialen}" in body
    assert koppeling.vraaggezin.naam not in body
    assert koppeling.steungezin.naam not in body

    client.force_login(coordinator)
    client.post(reverse("matching:agenda-feed-nieuw"))  # a new address ...
    client.logout()
    assert (
        client.get(reverse("matching:agenda-feed", args=[token])).status_code == 404
    )  # ... kills the old
    client.force_login(coordinator)
    client.post(reverse("matching:agenda-feed-intrekken"))
    assert not AgendaFeed.objects.exists()


def test_a_feed_of_a_deactivated_user_is_gone(client, coordinator):
    feed = AgendaFeed.objects.create(user=coordinator, token="geheim")
    coordinator.is_active = False
    coordinator.save()
    assert client.get(reverse("matching:agenda-feed", args=[feed.token])).status_code == 404


# Reminders --------------------------------------------------------------------


def test_the_digest_names_nobody_and_goes_out_once_a_day(
    organisatie, coordinator, vrijwilliger, django_capture_on_commit_callbacks
):
    def sent(day) -> int:
        # The mails leave as background tasks once the digest is committed.
        with django_capture_on_commit_callbacks(execute=True):
            return send_reminders(day)

    koppeling = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        vrijwilliger=vrijwilliger,
        volgende_contact_op=DAY - datetime.timedelta(days=2),
    )
    assert sent(DAY) == 2
    by_person = {m.to[0]: m for m in mail.outbox}
    body = by_person[coordinator.email].body
    assert "Contactmomenten over tijd (1)" in body
    assert f"{koppeling.vraaggezin.initialen}–{koppeling.steungezin.initialen}" in body
    assert reverse("matching:contactmoment", args=[koppeling.pk]) in body
    for message in mail.outbox:
        assert koppeling.vraaggezin.naam not in message.subject + message.body
        assert koppeling.steungezin.naam not in message.subject + message.body

    assert sent(DAY) == 0
    assert len(mail.outbox) == 2
    assert sent(DAY + datetime.timedelta(days=1)) == 2


def test_no_digest_when_nothing_is_due(organisatie, coordinator, vrijwilliger):
    assert send_reminders(DAY) == 0
    assert mail.outbox == []


def test_the_daily_command_enqueues_the_digest(
    organisatie, coordinator, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        volgende_contact_op=DAY - datetime.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("dagelijks")
        call_command("dagelijks")  # twice a day: still one digest
    assert len(mail.outbox) == 1
    assert Koppeling.objects.count() == 1


def test_the_feed_is_valid_icalendar_with_each_item_on_its_own_day(
    client, organisatie, coordinator
):
    overdue = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        volgende_contact_op=DAY - datetime.timedelta(days=20),
    )
    soon = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        volgende_contact_op=DAY + datetime.timedelta(days=3),
    )
    # A soort of more than one word ("jaarlijkse evaluatie") must not put a
    # space in the UID: two items of one koppeling on one day stay apart.
    feed = AgendaFeed.objects.create(user=coordinator, token="geheim-feed")
    response = client.get(reverse("matching:agenda-feed", args=[feed.token]))
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {
        int(str(event["url"]).rstrip("/").rsplit("/", 1)[1]): event
        for event in calendar.walk("VEVENT")
    }
    assert set(events) >= {overdue.pk, soon.pk}
    uids = [str(event["uid"]) for event in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids))
    for event in calendar.walk("VEVENT"):
        assert " " not in str(event["uid"])
        assert event.get("dtstamp") is not None
        assert event.decoded("dtend") == event.decoded("dtstart") + datetime.timedelta(days=1)
    # Each on its own day: the overdue one on the day it was due, marked.
    assert events[overdue.pk].decoded("dtstart") == overdue.volgende_contact_op
    assert str(events[overdue.pk]["summary"]).startswith("Achterstallig: Contactmoment")
    assert events[soon.pk].decoded("dtstart") == soon.volgende_contact_op
    assert str(events[soon.pk]["summary"]).startswith("Contactmoment")


def test_the_agenda_page_lists_what_is_overdue_apart(client, organisatie, coordinator):
    overdue = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        volgende_contact_op=DAY - datetime.timedelta(days=20),
    )
    client.force_login(coordinator)
    response = client.get(reverse("matching:agenda"))
    assert [item.koppeling for item in response.context["achterstallig"]] == [overdue]
    assert "Achterstallig" in response.text
    assert overdue.pk not in [item.koppeling.pk for item in response.context["items"]]
