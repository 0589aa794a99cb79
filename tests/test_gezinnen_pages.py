import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEntry
from gezinnen.integrity import version_fields
from gezinnen.models import Gezin, Steungezin, Vraaggezin
from gezinnen.services import gezin_status_wijzigen
from tests.factories import (
    KoppelingFactory,
    SteungezinFactory,
    UserFactory,
    VraaggezinFactory,
    WijkFactory,
)

pytestmark = pytest.mark.django_db


def family_data(**overrides) -> dict:
    """A complete vraaggezin form as the coordinator would fill it in."""
    data = {
        "naam": "Jansen",
        "straat": "Dorpsstraat",
        "huisnummer": "12",
        "postcode": "7551ab",
        "plaats": "Hengelo",
        "telefoon": "06-12345678",
        "email": "Jansen@Example.nl",
        "aangemeld_op": "2026-11-01",
        "verwijzer_soort": "wijkteam",
        "verwijzer_organisatie": "Wijkteam Noord",
        "hulpvraag": "Moeder is overbelast.",
        "ondersteuning": ["speelmiddag"],
        "dagdelen": ["wo_middag", "za_ochtend"],
        "leden-TOTAL_FORMS": "4",
        "leden-INITIAL_FORMS": "0",
        "leden-MIN_NUM_FORMS": "0",
        "leden-MAX_NUM_FORMS": "1000",
        "leden-0-voornaam": "Anna",
        "leden-0-achternaam": "Jansen",
        "leden-0-soort": "volwassene",
        "leden-0-geboortedatum": "1990-02-03",
        "leden-1-voornaam": "Bram",
        "leden-1-achternaam": "Jansen",
        "leden-1-soort": "kind",
        "leden-1-geboortedatum": "2019-06-07",
        "leden-1-krijgt_steun": "on",
    }
    data.update(overrides)
    return data


def edit_data(gezin, **overrides) -> dict:
    """The edit form as it was opened, with the given changes."""
    data = family_data(
        naam=gezin.naam,
        postcode=gezin.postcode,
        huisnummer=gezin.huisnummer,
        telefoon=gezin.telefoon,
        email=gezin.email,
        **version_fields(gezin),
    )
    members = list(gezin.leden.order_by("pk"))
    data.update({"leden-TOTAL_FORMS": str(len(members)), "leden-INITIAL_FORMS": str(len(members))})
    for index in range(4):
        for field in ("voornaam", "achternaam", "soort", "geboortedatum", "krijgt_steun"):
            data.pop(f"leden-{index}-{field}", None)
    for index, lid in enumerate(members):
        data.update(
            {
                f"leden-{index}-id": str(lid.pk),
                f"leden-{index}-gezin": str(gezin.pk),
                f"leden-{index}-voornaam": lid.voornaam,
                f"leden-{index}-achternaam": lid.achternaam,
                f"leden-{index}-soort": lid.soort,
                f"leden-{index}-geboortedatum": lid.geboortedatum.isoformat(),
            }
        )
    data.update(overrides)
    return data


# session, user with its organisation, count, wijken of the filter, page (with
# its members counted), audit entry and the families it names (2); the session
# is saved only once a minute, so not here
LIST_QUERIES = 7
# session, user with its organisation, family, members,
# koppelingen with their families, audit entry and the family it names (2), and the
# timeline's newest lines: status changes, notes, contactmomenten, signals, documents of
# the family, its members and koppelingen, mail sent (6);
# a steungezin's screening section adds the family with its members, VOGs, trainings,
# conversations, references and criteria.
DETAIL_QUERIES = {"vraaggezin": 14, "steungezin": 21}


@pytest.fixture
def logged_in(client, coordinator):
    client.force_login(coordinator)
    return client


def test_it_lists_the_current_families_of_the_organisation(logged_in, organisatie, outsider):
    waiting = VraaggezinFactory(organisatie=organisatie, naam="Wachters", status="wachtend")
    VraaggezinFactory(organisatie=organisatie, naam="Klaar", status="afgesloten")
    VraaggezinFactory(organisatie=outsider.organisatie, naam="Elders")
    url = reverse("gezinnen:vraaggezin-list")

    page = logged_in.get(url).context["page"]
    assert list(page.object_list) == [waiting]
    everything = logged_in.get(url, {"status": "alle"}).context["page"]
    assert {g.naam for g in everything.object_list} == {"Wachters", "Klaar"}
    closed = logged_in.get(url, {"status": "afgesloten"}).context["page"]
    assert [g.naam for g in closed.object_list] == ["Klaar"]


def test_it_filters_by_wijk_and_searches(logged_in, organisatie):
    noord = WijkFactory(organisatie=organisatie, naam="Noord")
    VraaggezinFactory(organisatie=organisatie, naam="Noorderling", wijk=noord)
    VraaggezinFactory(organisatie=organisatie, naam="Zuiderling")
    url = reverse("gezinnen:vraaggezin-list")
    assert [g.naam for g in logged_in.get(url, {"wijk": noord.pk}).context["page"]] == [
        "Noorderling"
    ]
    assert [g.naam for g in logged_in.get(url, {"q": "zuider"}).context["page"]] == ["Zuiderling"]
    response = logged_in.get(url, {"q": "niemand"})
    assert "Niets gevonden" in response.text


def test_it_sorts_the_longest_waiting_first(logged_in, organisatie):
    today = datetime.date.today()
    VraaggezinFactory(organisatie=organisatie, naam="Kort", wacht_sinds=today)
    VraaggezinFactory(organisatie=organisatie, naam="Lang", wacht_sinds=today.replace(year=2025))
    VraaggezinFactory(
        organisatie=organisatie, naam="Gekoppeld", status="gekoppeld", wacht_sinds=None
    )
    page = logged_in.get(reverse("gezinnen:vraaggezin-list")).context["page"]
    assert [g.naam for g in page] == ["Lang", "Kort", "Gekoppeld"]


def test_it_survives_nonsense_in_the_query_string(logged_in):
    url = reverse("gezinnen:steungezin-list")
    response = logged_in.get(url, {"status": "bestaat-niet", "wijk": "abc", "pagina": "999"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url_name", "factory"),
    [
        ("gezinnen:vraaggezin-list", VraaggezinFactory),
        ("gezinnen:steungezin-list", SteungezinFactory),
    ],
)
def test_the_list_takes_the_same_queries_for_more_families(
    logged_in, organisatie, url_name, factory
):
    url = reverse(url_name)
    factory.create_batch(2, organisatie=organisatie, wijk=WijkFactory(organisatie=organisatie))
    with CaptureQueriesContext(connection) as few:
        logged_in.get(url)
    factory.create_batch(20, organisatie=organisatie, wijk=WijkFactory(organisatie=organisatie))
    with CaptureQueriesContext(connection) as many:
        logged_in.get(url)
    assert len(many) == len(few) == LIST_QUERIES, [q["sql"] for q in many]


@pytest.mark.parametrize("factory", [VraaggezinFactory, SteungezinFactory])
def test_the_detail_page_takes_the_same_queries_for_a_bigger_family(
    logged_in, organisatie, coordinator, factory
):
    small = factory(organisatie=organisatie, leden=[("volwassene", 40)])
    big = factory(organisatie=organisatie, leden=[("volwassene", 40)] * 2 + [("kind", 5)] * 5)
    for step in (
        ("intake", "ingetrokken") if factory is VraaggezinFactory else ("in_screening", "gestopt")
    ):
        gezin_status_wijzigen(door=coordinator, gezin=big, naar=step, reden="test")
    side = "vraaggezin" if factory is VraaggezinFactory else "steungezin"
    for _ in range(3):
        KoppelingFactory(
            organisatie=organisatie,
            status="afgesloten",
            einde_op=datetime.date.today(),
            einde_reden="doel_bereikt",
            **{side: big},
        )
    kind = "vraaggezin" if factory is VraaggezinFactory else "steungezin"
    with CaptureQueriesContext(connection) as few:
        logged_in.get(reverse(f"gezinnen:{kind}-detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as many:
        logged_in.get(reverse(f"gezinnen:{kind}-detail", args=[big.pk]))
    assert len(many) == len(few) == DETAIL_QUERIES[kind], [q["sql"] for q in many]


def test_opening_a_family_is_audited(logged_in, organisatie, coordinator):
    gezin = VraaggezinFactory(organisatie=organisatie)
    response = logged_in.get(reverse("gezinnen:vraaggezin-detail", args=[gezin.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW).get()
    assert entry.user == coordinator
    assert entry.object_type == "gezinnen.vraaggezin"
    assert entry.object_id == str(gezin.pk)
    assert entry.organisatie == organisatie


def test_it_creates_a_vraaggezin_with_its_household(logged_in, organisatie, coordinator):
    noord = WijkFactory(organisatie=organisatie, naam="Noord", postcodes="7551")
    response = logged_in.post(reverse("gezinnen:vraaggezin-create"), family_data())
    gezin = Vraaggezin.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("gezinnen:vraaggezin-detail", args=[gezin.pk])
    assert gezin.organisatie == organisatie
    assert (gezin.postcode, gezin.telefoon, gezin.email) == (
        "7551 AB",
        "06 12345678",
        "jansen@example.nl",
    )
    assert gezin.wijk == noord  # from the postcode
    assert gezin.status == Vraaggezin.Status.AANGEMELD
    assert gezin.wacht_sinds == datetime.date(2026, 11, 1)
    assert [(m.voornaam, m.soort, m.krijgt_steun) for m in gezin.leden.order_by("soort")] == [
        ("Bram", "kind", True),
        ("Anna", "volwassene", False),
    ]
    assert gezin.statuswijzigingen.get().naar == "aangemeld"
    assert AuditEntry.objects.filter(
        action="create", object_id=str(gezin.pk), user=coordinator
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"postcode": "12"}, "Vul een Nederlandse postcode in"),
        ({"telefoon": "12345"}, "Dit telefoonnummer bestaat niet"),
        ({"email": "geen-mail"}, "geldig e-mailadres"),
        (
            {"leden-1-geboortedatum": "2099-01-01"},
            "Een geboortedatum kan niet in de toekomst liggen",
        ),
        ({"leden-1-geboortedatum": "31-02-2020"}, "geldige datum"),
        ({"leden-1-soort": "volwassene", "leden-1-krijgt_steun": ""}, "ten minste één kind"),
        ({"aangemeld_op": "2099-01-01"}, "De aanmelddatum kan niet in de toekomst liggen"),
    ],
)
def test_it_refuses_bad_input_and_keeps_what_was_typed(logged_in, overrides, message):
    response = logged_in.post(reverse("gezinnen:vraaggezin-create"), family_data(**overrides))
    assert response.status_code == 200
    assert message in response.text
    assert 'value="Dorpsstraat"' in response.text
    assert "Moeder is overbelast." in response.text
    assert not Gezin.objects.exists()


def test_it_warns_about_a_possible_duplicate_before_saving(logged_in, organisatie):
    existing = SteungezinFactory(organisatie=organisatie, naam="Jansen", telefoon="06 12345678")
    url = reverse("gezinnen:vraaggezin-create")

    response = logged_in.post(url, family_data())
    assert response.status_code == 200
    assert "Lijkt op een gezin dat al bestaat" in response.text
    assert reverse("gezinnen:steungezin-detail", args=[existing.pk]) in response.text
    assert not Vraaggezin.objects.exists()

    response = logged_in.post(url, family_data(toch_opslaan="1"))
    assert response.status_code == 302
    assert Vraaggezin.objects.count() == 1


def test_it_saves_changes_and_audits_which_fields(logged_in, organisatie):
    gezin = VraaggezinFactory(organisatie=organisatie)
    url = reverse("gezinnen:vraaggezin-edit", args=[gezin.pk])
    response = logged_in.post(url, edit_data(gezin, plaats="Borne", telefoon="0612345670"))
    assert response.status_code == 302
    gezin.refresh_from_db()
    assert (gezin.plaats, gezin.telefoon, gezin.versie) == ("Borne", "06 12345670", 2)
    entry = AuditEntry.objects.get(action="change")
    assert "plaats" in entry.detail
    assert "telefoon" in entry.detail


def test_a_second_save_of_the_same_version_is_refused(client, organisatie, coordinator):
    colleague = UserFactory(organisatie=organisatie, first_name="Marieke", last_name="Mol")
    gezin = VraaggezinFactory(organisatie=organisatie, plaats="Hengelo")
    opened = edit_data(gezin)  # both open the form on version 1
    url = reverse("gezinnen:vraaggezin-edit", args=[gezin.pk])

    client.force_login(colleague)
    assert client.post(url, {**opened, "telefoon": "06 11111111"}).status_code == 302

    client.force_login(coordinator)
    response = client.post(url, {**opened, "plaats": "Borne"})
    assert response.status_code == 200
    assert "iemand anders heeft dit intussen gewijzigd" in response.text
    assert "Marieke Mol" in response.text
    assert "telefoonnummer" in response.text
    assert 'value="Borne"' in response.text  # what was typed is still there
    gezin.refresh_from_db()
    assert (gezin.plaats, gezin.telefoon) == ("Hengelo", "06 11111111")

    # Saving again, knowingly, goes through.
    again = {
        **opened,
        "plaats": "Borne",
        "versie": response.context["form"].data["versie"],
        "snapshot": response.context["form"].data["snapshot"],
    }
    assert client.post(url, again).status_code == 302
    gezin.refresh_from_db()
    assert gezin.plaats == "Borne"


def test_it_changes_the_status_with_a_reason(logged_in, organisatie):
    gezin = SteungezinFactory(organisatie=organisatie)
    url = reverse("gezinnen:steungezin-status", args=[gezin.pk])
    response = logged_in.post(url, {"naar": "afgewezen", "reden": ""})
    assert "Geef een reden op" in response.text
    response = logged_in.post(url, {"naar": "afgewezen", "reden": "Geen klik bij het huisbezoek"})
    assert response.status_code == 302
    gezin.refresh_from_db()
    assert gezin.status == Steungezin.Status.AFGEWEZEN
    assert gezin.statuswijzigingen.get().reden == "Geen klik bij het huisbezoek"


def test_it_refuses_a_status_the_lifecycle_does_not_offer(logged_in, organisatie):
    gezin = SteungezinFactory(organisatie=organisatie)
    url = reverse("gezinnen:steungezin-status", args=[gezin.pk])
    response = logged_in.post(url, {"naar": "beschikbaar"})
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.text
    gezin.refresh_from_db()
    assert gezin.status == Steungezin.Status.AANGEMELD


def test_the_intake_puts_the_family_on_the_waiting_list(logged_in, organisatie, coordinator):
    gezin = VraaggezinFactory(
        organisatie=organisatie, leden=[("volwassene", 30), ("kind", 4), ("kind", 8)]
    )
    young, old = gezin.leden.filter(soort="kind").order_by("-geboortedatum")
    url = reverse("gezinnen:vraaggezin-intake", args=[gezin.pk])
    response = logged_in.post(
        url,
        {
            "intake_op": "2026-11-20",
            "hulpvraag": "Even lucht.",
            "ondersteuning": ["opvang"],
            "kinderen": [young.pk],
        },
    )
    assert response.status_code == 302
    gezin.refresh_from_db()
    assert gezin.status == Vraaggezin.Status.WACHTEND
    assert gezin.intake_door == coordinator
    assert gezin.ondersteuning == ["opvang"]
    young.refresh_from_db()
    old.refresh_from_db()
    assert young.krijgt_steun
    assert not old.krijgt_steun
    assert [s.naar for s in gezin.statuswijzigingen.order_by("id")] == ["intake", "wachtend"]


def test_the_intake_needs_the_children_and_the_question(logged_in, organisatie):
    gezin = VraaggezinFactory(organisatie=organisatie)
    url = reverse("gezinnen:vraaggezin-intake", args=[gezin.pk])
    response = logged_in.post(url, {"intake_op": "2026-11-20", "hulpvraag": ""})
    assert "Kies voor welke kinderen de steun bedoeld is" in response.text
    gezin.refresh_from_db()
    assert gezin.status == Vraaggezin.Status.AANGEMELD


def test_no_intake_for_a_family_that_is_matched(logged_in, organisatie):
    gezin = VraaggezinFactory(organisatie=organisatie, status="gekoppeld")
    response = logged_in.get(reverse("gezinnen:vraaggezin-intake", args=[gezin.pk]), follow=True)
    assert "De intake kan nu niet: de status is gekoppeld." in response.text
