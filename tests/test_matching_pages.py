import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEntry
from gezinnen.integrity import version_fields
from gezinnen.models import today
from matching.correcties import corrigeren, intrekken
from matching.models import (
    EVALUATIEVRAGEN,
    Contactmoment,
    CoordinatieUren,
    Evaluatie,
    Koppeling,
    Signaal,
)
from tests.factories import KoppelingFactory, VraaggezinFactory, approved_steungezin

pytestmark = pytest.mark.django_db

DAY = today()


@pytest.fixture
def koppeling(organisatie, vrijwilliger):
    return KoppelingFactory(
        organisatie=organisatie,
        vrijwilliger=vrijwilliger,
        start_op=DAY - datetime.timedelta(days=20),
    )


def test_the_volunteer_sees_contact_details_but_no_sensitive_parts(
    client, koppeling, vrijwilliger, coordinator
):
    Evaluatie.objects.create(
        koppeling=koppeling, soort="jaarlijks", door=coordinator, conclusie="Prima"
    )
    signaal = Signaal.objects.create(
        koppeling=koppeling, omschrijving="Geheime zorg", gemeld_door=coordinator
    )
    url = reverse("matching:detail", args=[koppeling.pk])

    client.force_login(vrijwilliger)
    html = client.get(url).text
    assert koppeling.vraaggezin.telefoon in html
    assert koppeling.vraaggezin.hulpvraag not in html
    assert "Evaluaties" not in html
    assert "Geheime zorg" not in html
    assert reverse("matching:signaal", args=[signaal.pk]) not in html

    client.force_login(coordinator)
    html = client.get(url).text
    assert "Evaluaties" in html
    assert reverse("matching:signaal", args=[signaal.pk]) in html


def test_opening_a_koppeling_is_audited(client, koppeling, vrijwilliger):
    client.force_login(vrijwilliger)
    client.get(reverse("matching:detail", args=[koppeling.pk]))
    entry = AuditEntry.objects.get(action="view")
    assert (entry.user, entry.object_type, entry.object_id) == (
        vrijwilliger,
        "matching.koppeling",
        str(koppeling.pk),
    )


def test_the_volunteer_logs_a_contactmoment_with_a_signal(client, koppeling, vrijwilliger):
    client.force_login(vrijwilliger)
    response = client.post(
        reverse("matching:contactmoment", args=[koppeling.pk]),
        {
            "datum": DAY.isoformat(),
            "met": "beide",
            "hoe": "telefoon",
            "verloop": "zorgen",
            "notities": "Kind was stil",
            "signaal-omschrijving": "Kind vertelde over slaan thuis",
        },
    )
    assert response.status_code == 302
    contact = Contactmoment.objects.get()
    assert (contact.door, contact.verloop) == (vrijwilliger, "zorgen")
    signaal = Signaal.objects.get()
    assert (signaal.contactmoment, signaal.gemeld_door) == (contact, vrijwilliger)
    koppeling.refresh_from_db()
    assert koppeling.volgende_contact_op == koppeling.start_op + datetime.timedelta(weeks=6)


def test_a_contactmoment_keeps_what_was_typed_on_bad_input(client, koppeling, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("matching:contactmoment", args=[koppeling.pk]),
        {
            "datum": (DAY + datetime.timedelta(days=2)).isoformat(),
            "met": "beide",
            "hoe": "telefoon",
            "notities": "Lang verhaal",
        },
    )
    assert response.status_code == 200
    assert "Een contactmoment kan niet in de toekomst liggen." in response.text
    assert "Dit veld is verplicht." in response.text  # verloop
    assert "Lang verhaal" in response.text
    assert not Contactmoment.objects.exists()


def test_the_volunteer_raises_a_signal(client, koppeling, vrijwilliger):
    client.force_login(vrijwilliger)
    response = client.post(
        reverse("matching:signaal-melden", args=[koppeling.pk]), {"omschrijving": "Blauwe plek"}
    )
    assert response.status_code == 302
    assert Signaal.objects.get().gemeld_door == vrijwilliger


def test_a_professional_match_cannot_get_a_volunteer(client, koppeling, coordinator, vrijwilliger):
    client.force_login(coordinator)
    response = client.post(
        reverse("matching:begeleiding", args=[koppeling.pk]),
        {
            "coordinator": coordinator.pk,
            "vrijwilliger": vrijwilliger.pk,
            "professional_nodig": "on",
        },
    )
    assert response.status_code == 200
    assert "geen vrijwillige coördinator" in response.text
    koppeling.refresh_from_db()
    assert not koppeling.professional_nodig


def test_the_suggestions_page_proposes_a_match(client, organisatie, coordinator):
    vraag = VraaggezinFactory(organisatie=organisatie, status="wachtend")
    steun = approved_steungezin(organisatie)
    approved_steungezin(organisatie, naam="Gestopt", status="gestopt")
    client.force_login(coordinator)
    response = client.get(reverse("matching:suggesties", args=[vraag.pk]))
    assert [s.steungezin for s in response.context["gevonden"].beste] == [steun]
    assert "van 100 punten" in response.text
    assert "Gestopt" not in response.text
    response = client.get(reverse("matching:suggesties", args=[vraag.pk]), {"uitgesloten": "1"})
    assert "status is gestopt" not in response.text  # only those that could become available
    response = client.post(reverse("matching:voorstellen", args=[vraag.pk, steun.pk]))
    koppeling = Koppeling.objects.get()
    # The step that follows at once: planning the kennismaking.
    assert response.url == reverse("matching:kennismaking", args=[koppeling.pk])


@pytest.mark.parametrize(
    ("uitkomst", "next_page"), [("go", "matching:starten"), ("no_go", "matching:detail")]
)
def test_after_the_kennismaking_a_go_goes_on_to_the_start(
    client, organisatie, coordinator, uitkomst, next_page
):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        status="kennismaking",
        kennismaking_op=DAY,
        start_op=None,
        vraaggezin__status="wachtend",
    )
    client.force_login(coordinator)
    response = client.post(
        reverse("matching:kennismaking", args=[koppeling.pk]),
        {
            "uitkomst": "1",
            "uitkomst-uitkomst": uitkomst,
            "uitkomst-notities": "",
            **{f"uitkomst-{k}": v for k, v in version_fields(koppeling).items()},
        },
    )
    assert response.url == reverse(next_page, args=[koppeling.pk])
    koppeling.refresh_from_db()
    assert koppeling.kennismaking_uitkomst == uitkomst


def test_proposing_for_a_family_without_intake_says_why(client, organisatie, coordinator):
    vraag = VraaggezinFactory(organisatie=organisatie, status="aangemeld")
    steun = approved_steungezin(organisatie)
    client.force_login(coordinator)
    response = client.post(reverse("matching:voorstellen", args=[vraag.pk, steun.pk]), follow=True)
    assert "na de intake" in response.text
    assert not Koppeling.objects.exists()


def test_the_start_form_refuses_dates_in_the_wrong_order(client, organisatie, coordinator):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        status="kennismaking",
        kennismaking_uitkomst="go",
        start_op=None,
        vraaggezin__status="wachtend",
    )
    client.force_login(coordinator)
    response = client.post(
        reverse("matching:starten", args=[koppeling.pk]),
        {
            "start_op": DAY.isoformat(),
            "afspraken": "Speelmiddag",
            "frequentie": "wekelijks",
            "kinderen": [koppeling.vraaggezin.leden.get(soort="kind").pk],
            "proefperiode_tot": (DAY - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert "Het einde van de proefperiode moet na de start liggen." in response.text
    assert "Speelmiddag" in response.text
    koppeling.refresh_from_db()
    assert koppeling.status == "kennismaking"


def test_ending_needs_a_reason(client, koppeling, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("matching:afsluiten", args=[koppeling.pk]),
        {
            "einde_op": DAY.isoformat(),
            "reden": "",
            "uitkomst": "Klaar",
            "vraaggezin_naar": "wachtend",
            "steungezin_naar": "beschikbaar",
        },
    )
    assert response.status_code == 200
    koppeling.refresh_from_db()
    assert koppeling.status == "actief"


ENDING = {
    "einde_op": DAY.isoformat(),
    "reden": "verhuisd",
    "uitkomst": "Verhuisd naar Almelo",
    "vraaggezin_naar": "afgesloten",
    "steungezin_naar": "beschikbaar",
}


def test_ending_a_started_koppeling_asks_whether_its_goal_was_reached(
    client, koppeling, coordinator, monkeypatch
):
    client.force_login(coordinator)
    url = reverse("matching:afsluiten", args=[koppeling.pk])
    assert "Is het doel van de koppeling bereikt?" in client.get(url).text
    response = client.post(url, ENDING)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "doel_bereikt": ["Geef aan of het doel van de koppeling bereikt is: ja, deels of nee."]
    }
    assert "Verhuisd naar Almelo" in response.text
    koppeling.refresh_from_db()
    assert koppeling.status == "actief"

    response = client.post(url, ENDING | {"doel_bereikt": "deels"})
    assert response.status_code == 302
    koppeling.refresh_from_db()
    assert (koppeling.status, koppeling.doel_bereikt) == ("afgesloten", "deels")
    html = client.get(reverse("matching:detail", args=[koppeling.pk])).text
    assert '<dt class="col-sm-4">Doel bereikt</dt><dd class="col-sm-8">deels</dd>' in html

    from reports import views as report_views

    real, seen = report_views.render_to_pdf, {}
    monkeypatch.setattr(
        report_views, "render_to_pdf", lambda *args: seen.setdefault("pdf", real(*args))
    )
    client.get(reverse("reports:evaluatieverslag", args=[koppeling.pk]))
    assert "<tr><th>Doel bereikt</th><td>deels</td></tr>" in seen["pdf"].html


def test_a_proposal_ends_without_the_goal_question(client, organisatie, coordinator):
    koppeling = KoppelingFactory(
        organisatie=organisatie, status="voorgesteld", start_op=None, vraaggezin__status="wachtend"
    )
    client.force_login(coordinator)
    url = reverse("matching:afsluiten", args=[koppeling.pk])
    assert "Is het doel van de koppeling bereikt?" not in client.get(url).text
    response = client.post(url, ENDING | {"vraaggezin_naar": "wachtend", "doel_bereikt": "ja"})
    assert response.status_code == 302
    koppeling.refresh_from_db()
    assert (koppeling.status, koppeling.doel_bereikt) == ("afgesloten", "")
    html = client.get(reverse("matching:detail", args=[koppeling.pk])).text
    assert "Doel bereikt" not in html


def test_the_meldcode_decision_needs_what_was_decided(client, koppeling, coordinator):
    signaal = Signaal.objects.create(
        koppeling=koppeling, omschrijving="Zorg", gemeld_door=coordinator
    )
    client.force_login(coordinator)
    url = reverse("matching:signaal", args=[signaal.pk])
    response = client.post(url, {"stap": 5, "datum": DAY.isoformat(), "notitie": "Besloten"})
    assert "Leg bij het besluit vast" in response.text
    response = client.post(
        url,
        {"stap": 5, "datum": DAY.isoformat(), "notitie": "Besloten", "hulp_georganiseerd": "on"},
    )
    assert "Het besluit (stap 5) komt na de stappen 1 tot en met 4" in response.text
    assert "Besloten" in response.text  # what was typed stays
    for stap in (1, 2, 3, 4):
        response = client.post(url, {"stap": stap, "datum": DAY.isoformat(), "notitie": "Gedaan"})
        assert response.status_code == 302
    response = client.post(
        url,
        {"stap": 5, "datum": DAY.isoformat(), "notitie": "Besloten", "melding_veilig_thuis": "on"},
    )
    assert response.status_code == 302
    signaal.refresh_from_db()
    assert not signaal.is_open


def test_an_evaluation_stores_both_sides(client, koppeling, coordinator):
    client.force_login(coordinator)
    data = {
        "soort": "jaarlijks",
        "datum": DAY.isoformat(),
        "conclusie": "Doorgaan",
        "vraag_doorgaan_keuze": "ja",
        "steun_doorgaan_keuze": "",
    }
    for index, (key, _) in enumerate(EVALUATIEVRAGEN):
        data[f"vraag_{key}"] = str(5 - index % 2)
        data[f"steun_{key}"] = "3"
    response = client.post(reverse("matching:evaluatie", args=[koppeling.pk]), data)
    assert response.status_code == 302
    evaluatie = Evaluatie.objects.get()
    assert evaluatie.vraag_scores == {"contact": 5, "afspraken": 4, "kinderen": 5, "ontlasting": 4}
    assert set(evaluatie.steun_scores.values()) == {3}
    assert (evaluatie.vraag_doorgaan, evaluatie.steun_doorgaan) == (True, None)


def test_coordination_hours_per_week(client, coordinator):
    client.force_login(coordinator)
    wednesday = DAY - datetime.timedelta(days=DAY.weekday() - 2 + 7)
    client.post(reverse("matching:uren"), {"week": wednesday.isoformat(), "uren_algemeen": "4,5"})
    client.post(
        reverse("matching:uren"),
        {
            "week": wednesday.isoformat(),
            "uren_algemeen": "5",
            "notitie": "training",
            "reden": "training vergeten",
        },
    )
    uren = CoordinatieUren.objects.get()
    assert uren.week.weekday() == 0
    assert (float(uren.uren), uren.notitie) == (5.0, "training")
    response = client.post(
        reverse("matching:uren"),
        {"week": (DAY + datetime.timedelta(days=9)).isoformat(), "uren_algemeen": "3"},
    )
    assert "kan niet in de toekomst liggen" in response.text


# list: session, user with its organisation, count, page, the page's
# vraaggezinnen, steungezinnen, coordinators and volunteer coordinators (4), audit
# entry and the families it names (2), filter users (2); the session is saved only
# once a minute, so not here
# detail: session, user with its organisation, koppeling, kinderen,
# families (2), members (2), contacts, signals, evaluations, notes, the corrections of
# its items (their history), audit entry and its two families (2); a coordinator's
# also the documents and the mail sent about it (2)
# A volunteer coordinator's list has no filter and no documents.
QUERIES = {
    "coordinator": {"list": 12, "detail": 17},
    "vrijwilliger": {"list": 10, "detail": 15},
}


@pytest.mark.parametrize("person", ["coordinator", "vrijwilliger"])
def test_the_list_and_detail_take_the_same_queries_for_more(
    client, organisatie, coordinator, vrijwilliger, all_roles, person
):
    client.force_login(all_roles[person])
    first = KoppelingFactory(organisatie=organisatie, vrijwilliger=vrijwilliger)
    with CaptureQueriesContext(connection) as few_list:
        response = client.get(reverse("matching:list"))
    assert list(response.context["page"].object_list) == [first]
    with CaptureQueriesContext(connection) as few_detail:
        client.get(reverse("matching:detail", args=[first.pk]))
    for _ in range(5):
        KoppelingFactory(organisatie=organisatie, vrijwilliger=vrijwilliger)
    for day in range(4):
        contact = Contactmoment.objects.create(
            koppeling=first,
            datum=DAY - datetime.timedelta(days=day),
            met="beide",
            hoe="telefoon",
            verloop="goed",
            door=coordinator,
        )
        # Each with a history, and one withdrawn: no query per item.
        for verloop in ("zorgen", "goed"):
            corrigeren(door=coordinator, item=contact, reden="x", verloop=verloop)
        if day == 3:
            intrekken(door=coordinator, item=contact, reden="dubbel")
        Signaal.objects.create(koppeling=first, omschrijving="x", gemeld_door=coordinator)
        Evaluatie.objects.create(
            koppeling=first, soort="jaarlijks", door=coordinator, conclusie="x"
        )
    with CaptureQueriesContext(connection) as many_list:
        response = client.get(reverse("matching:list"))
    assert len(response.context["page"].object_list) == 6
    with CaptureQueriesContext(connection) as many_detail:
        client.get(reverse("matching:detail", args=[first.pk]))
    assert len(many_list) == len(few_list) == QUERIES[person]["list"], [q["sql"] for q in many_list]
    assert len(many_detail) == len(few_detail) == QUERIES[person]["detail"], [
        q["sql"] for q in many_detail
    ]


def test_the_list_shows_an_open_signal_and_not_a_handled_one(client, organisatie, coordinator):
    open_one = KoppelingFactory(organisatie=organisatie)
    handled = KoppelingFactory(organisatie=organisatie)
    Signaal.objects.create(koppeling=open_one, omschrijving="x", gemeld_door=coordinator)
    Signaal.objects.create(
        koppeling=handled,
        omschrijving="x",
        gemeld_door=coordinator,
        status=Signaal.Status.AFGEHANDELD,
        afgehandeld_op=DAY,
    )
    client.force_login(coordinator)
    page = client.get(reverse("matching:list")).context["page"]
    assert {k.pk: k.open_signalen for k in page.object_list} == {
        open_one.pk: True,
        handled.pk: False,
    }


def test_the_organisation_words_its_own_reasons_to_end(client, koppeling, coordinator, beheerder):
    from matching.models import EindReden

    client.force_login(beheerder)
    response = client.post(
        reverse("admin:matching_eindreden_add"),
        {
            "tekst": "Steungezin heeft geen tijd meer",
            "code": "geen-tijd",
            "volgorde": 9,
            "actief": "on",
        },
    )
    assert response.status_code == 302
    EindReden.objects.filter(organisatie=koppeling.organisatie, code="verhuisd").update(
        actief=False
    )

    client.force_login(coordinator)
    url = reverse("matching:afsluiten", args=[koppeling.pk])
    form = client.get(url).context["form"]
    codes = [code for code, _ in form.fields["reden"].choices]
    assert "geen-tijd" in codes
    assert "verhuisd" not in codes
    response = client.post(
        url,
        {
            "einde_op": DAY.isoformat(),
            "reden": "verhuisd",
            "uitkomst": "x",
            "vraaggezin_naar": "wachtend",
            "steungezin_naar": "beschikbaar",
        },
    )
    assert response.status_code == 200  # retired: not a valid choice any more
    response = client.post(
        url,
        {
            "einde_op": DAY.isoformat(),
            "reden": "geen-tijd",
            "doel_bereikt": "nee",
            "uitkomst": "x",
            "vraaggezin_naar": "wachtend",
            "steungezin_naar": "beschikbaar",
        },
    )
    assert response.status_code == 302
    koppeling.refresh_from_db()
    assert koppeling.einde_reden == "geen-tijd"
    assert koppeling.einde_reden_label == "Steungezin heeft geen tijd meer"
    assert (
        "Steungezin heeft geen tijd meer"
        in client.get(reverse("matching:detail", args=[koppeling.pk])).text
    )
