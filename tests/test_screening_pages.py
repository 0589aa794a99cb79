import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts import audit
from accounts.models import AuditEntry
from gezinnen.models import Steungezin, today
from matching.correcties import corrigeren, intrekken
from screening import services
from screening.models import (
    VOG,
    Criterium,
    CriteriumBeoordeling,
    ScreeningGesprek,
    Training,
    TrainingDeelname,
    add_months,
)
from tests.factories import GezinslidFactory, SteungezinFactory, approved_steungezin

pytestmark = pytest.mark.django_db

DAY = today()
# The screening page, whatever the number of members and records (pinned).
PAGE_QUERIES = 23


def iso(days_ago: int) -> str:
    return (DAY - datetime.timedelta(days=days_ago)).isoformat()


@pytest.fixture
def logged_in(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def gezin(organisatie):
    return SteungezinFactory(
        organisatie=organisatie, status="in_screening", leden=[("volwassene", 45)]
    )


@pytest.fixture
def training(organisatie):
    return Training.objects.create(
        organisatie=organisatie,
        datum=DAY - datetime.timedelta(days=3),
        titel="Basis",
        trainer="Marloes",
        plaats="De Bron",
    )


def page_url(gezin) -> str:
    return reverse("screening:gezin", args=[gezin.pk])


def vog_url(gezin, lid=None):
    lid = lid or gezin.leden.first()
    return reverse("screening:vog", args=[gezin.pk, lid.pk])


def vog_data(lid, **values) -> dict:
    """A VOG form of the page as it is sent, for this member."""
    values.setdefault("screeningsprofiel", "functiegebied 08")
    return {f"vog{lid.pk}-{name}": value for name, value in values.items()}


def prefixed(prefix: str, **values) -> dict:
    return {f"{prefix}-{name}": value for name, value in values.items()}


def test_it_records_a_received_vog_and_returns_to_the_page(logged_in, gezin, coordinator):
    lid = gezin.leden.first()
    response = logged_in.post(
        vog_url(gezin),
        vog_data(
            lid,
            status="ontvangen",
            aangevraagd_op=iso(20),
            afgegeven_op=iso(10),
            ontvangen_op=iso(8),
            gratis="on",
        ),
        follow=True,
    )
    assert response.redirect_chain == [(page_url(gezin) + f"#vog-{lid.pk}", 302)]
    # At the top of the page, and beside the VOG the redirect lands on.
    assert response.text.count(f"De VOG van {lid} is bijgewerkt.") == 2
    vog = VOG.objects.get()
    assert (vog.status, vog.afgegeven_op, vog.bijgewerkt_door) == (
        "ontvangen",
        DAY - datetime.timedelta(days=10),
        coordinator,
    )
    assert vog.gratis
    assert AuditEntry.objects.filter(
        action="change", object_id=str(gezin.pk), detail__contains="VOG"
    ).exists()


def test_each_status_shows_only_its_own_dates(logged_in, gezin):
    form = logged_in.get(page_url(gezin)).context["vogs"][0]["form"]
    assert {radio.data["value"]: [f.name for f in dates] for radio, dates in form.keuzes()} == {
        "aan_te_vragen": [],
        "klaargezet": ["klaargezet_op"],
        "aangevraagd": ["aangevraagd_op"],
        "ontvangen": ["ontvangen_op", "afgegeven_op"],
        "geweigerd": ["geweigerd_op"],
    }


def test_it_refuses_vog_dates_in_the_wrong_order_and_keeps_them_at_the_member(
    logged_in, organisatie
):
    gezin = SteungezinFactory(
        organisatie=organisatie,
        status="in_screening",
        leden=[("volwassene", 45), ("volwassene", 40)],
    )
    eerste, tweede = gezin.leden.order_by("geboortedatum")
    response = logged_in.post(
        vog_url(gezin, tweede),
        vog_data(
            tweede,
            status="ontvangen",
            aangevraagd_op=iso(5),
            afgegeven_op=iso(10),
            ontvangen_op=iso(8),
        ),
    )
    assert response.status_code == 200
    forms = {entry["lid"]: entry["form"] for entry in response.context["vogs"]}
    assert forms[tweede].errors == {
        "afgegeven_op": ["De VOG kan niet vóór de aanvraag zijn afgegeven."],
        "ontvangen_op": ["Ontvangen kan niet vóór aangevraagd."],
    }
    assert not forms[eerste].is_bound
    assert f'value="{iso(10)}"' in response.text
    assert not VOG.objects.exists()


def test_it_refuses_an_issue_date_in_the_future(logged_in, gezin):
    lid = gezin.leden.first()
    response = logged_in.post(
        vog_url(gezin), vog_data(lid, status="ontvangen", afgegeven_op=iso(-3), ontvangen_op=iso(0))
    )
    assert "Deze datum ligt in de toekomst." in response.text
    assert not VOG.objects.exists()


def test_a_vog_saved_meanwhile_by_someone_else_is_a_conflict(
    logged_in, gezin, coordinator, organisatie
):
    lid = gezin.leden.first()
    form = logged_in.get(page_url(gezin)).context["vogs"][0]["form"]
    gezien = form.initial["gezien"]
    collega = type(coordinator).objects.create_user(
        "collega@humanitas.example",
        "x" * 12,
        first_name="Carla",
        last_name="Collega",
        organisatie=organisatie,
        rol=coordinator.rol,
    )
    services.vog_bijwerken(
        door=collega,
        lid=lid,
        vog_id=None,
        gegevens={"status": "aangevraagd", "aangevraagd_op": DAY - datetime.timedelta(days=3)},
    )
    mine = vog_data(lid, status="aangevraagd", aangevraagd_op=iso(1), gezien=gezien)
    response = logged_in.post(vog_url(gezin), mine)
    assert response.status_code == 200
    assert "Niet opgeslagen: iemand anders heeft dit intussen gewijzigd" in response.text
    assert "Carla Collega" in response.text
    assert response.context["conflict_bij"] == f"vog{lid.pk}"
    assert f'value="{iso(1)}"' in response.text
    assert VOG.objects.get().aangevraagd_op == DAY - datetime.timedelta(days=3)
    # Sent again as it now stands, it replaces the other's change.
    again = response.context["vogs"][0]["form"].data
    assert logged_in.post(vog_url(gezin), again).status_code == 302
    assert VOG.objects.get().aangevraagd_op == DAY - datetime.timedelta(days=1)


def test_opening_a_vog_shows_the_screening_page_and_is_audited(logged_in, gezin, coordinator):
    response = logged_in.get(vog_url(gezin))
    assert response.templates[0].name == "screening/pagina.html"
    entry = AuditEntry.objects.get(action="view")
    assert (entry.user, entry.object_id) == (coordinator, str(gezin.pk))
    assert entry.detail.startswith("VOG ")


def test_a_member_of_another_family_is_a_404(logged_in, gezin, organisatie):
    other = SteungezinFactory(organisatie=organisatie)
    assert logged_in.get(vog_url(gezin, other.leden.first())).status_code == 404


def test_a_renewal_starts_a_new_vog_once_the_last_is_final(logged_in, gezin):
    lid = gezin.leden.first()
    old = VOG.objects.create(
        gezinslid=lid, status="ontvangen", afgegeven_op=iso(400), ontvangen_op=iso(390)
    )
    response = logged_in.post(reverse("screening:vog-nieuw", args=[gezin.pk, lid.pk]))
    assert response.url == page_url(gezin) + f"#vog-{lid.pk}"
    new = VOG.objects.exclude(pk=old.pk).get()
    assert new.status == VOG.Status.AAN_TE_VRAGEN
    # A second click does not start a third.
    logged_in.post(reverse("screening:vog-nieuw", args=[gezin.pk, lid.pk]))
    assert VOG.objects.count() == 2


def test_a_renewal_is_offered_only_where_the_vog_no_longer_does(logged_in, gezin):
    lid = gezin.leden.first()
    vog = VOG.objects.create(
        gezinslid=lid, status="ontvangen", afgegeven_op=iso(10), ontvangen_op=iso(8)
    )
    renew = reverse("screening:vog-nieuw", args=[gezin.pk, lid.pk])
    assert renew not in logged_in.get(page_url(gezin)).text
    VOG.objects.filter(pk=vog.pk).update(afgegeven_op=iso(400), ontvangen_op=iso(390))
    response = logged_in.get(page_url(gezin))
    assert renew in response.text
    assert "langer dan" in response.context["vogs"][0]["probleem"]


def test_no_vog_for_a_young_child(logged_in, gezin):
    child = GezinslidFactory(gezin=gezin, soort="kind", geboortedatum=add_months(DAY, -12 * 10))
    response = logged_in.post(
        reverse("screening:vog-nieuw", args=[gezin.pk, child.pk]), follow=True
    )
    assert "heeft nog geen VOG nodig" in response.text
    assert not VOG.objects.exists()
    assert [entry["lid"] for entry in response.context["vogs"]] == [
        gezin.leden.get(soort="volwassene")
    ]


def test_it_records_an_intake_at_home_as_both_conversations(logged_in, gezin, coordinator):
    response = logged_in.post(
        reverse("screening:gesprek", args=[gezin.pk]),
        prefixed(
            "gesprek",
            soorten=["kennismaking", "huisbezoek"],
            datum=iso(1),
            door=coordinator.pk,
            notities="Veilig huis",
        ),
        follow=True,
    )
    assert response.redirect_chain == [(page_url(gezin) + "#gesprekken", 302)]
    gesprekken = ScreeningGesprek.objects.order_by("soort")
    assert [(g.soort, g.door, g.notities) for g in gesprekken] == [
        ("huisbezoek", coordinator, "Veilig huis"),
        ("kennismaking", coordinator, "Veilig huis"),
    ]
    assert AuditEntry.objects.filter(action="change", object_id=str(gezin.pk)).count() == 1
    # Read back on the page, once.
    assert response.text.count("Veilig huis") == 1
    assert "Het huisbezoek is nog niet gedaan." not in response.text


def test_a_conversation_needs_its_kind_and_a_past_date(logged_in, gezin, coordinator):
    response = logged_in.post(
        reverse("screening:gesprek", args=[gezin.pk]),
        prefixed("gesprek", datum=iso(-1), door=coordinator.pk, notities="Morgen"),
    )
    form = response.context["forms"]["gesprek"]
    assert form.errors == {
        "soorten": ["Kies wat voor gesprek het was."],
        "datum": ["Deze datum ligt in de toekomst."],
    }
    assert "Morgen" in response.text
    assert not ScreeningGesprek.objects.exists()


def test_it_records_a_reference_and_shows_its_note(logged_in, gezin, coordinator):
    url = reverse("screening:referentie", args=[gezin.pk])
    data = prefixed(
        "referentie",
        naam="Ingrid",
        relatie="buurvrouw",
        benaderd_op=iso(2),
        uitkomst="positief",
        notitie="Kent hen al jaren",
        inzending="een-token",
    )
    response = logged_in.post(url, data, follow=True)
    assert response.redirect_chain == [(page_url(gezin) + "#referenties", 302)]
    assert "Kent hen al jaren" in response.text
    # The same form sent twice saves once.
    logged_in.post(url, data)
    referentie = gezin.referenties.get()
    assert (referentie.naam, referentie.door) == ("Ingrid", coordinator)


def test_a_reference_without_a_name_is_refused_at_its_form(logged_in, gezin):
    response = logged_in.post(
        reverse("screening:referentie", args=[gezin.pk]),
        prefixed("referentie", relatie="oom", benaderd_op=iso(2), uitkomst="twijfel"),
    )
    assert list(response.context["forms"]["referentie"].errors) == ["naam"]
    assert 'value="oom"' in response.text
    assert not gezin.referenties.exists()


def test_it_records_the_criteria_and_shows_them(logged_in, gezin, organisatie, coordinator):
    ja, nee, open_ = (Criterium.objects.create(organisatie=organisatie, tekst=t) for t in "abc")
    Criterium.objects.create(organisatie=organisatie, tekst="Vervallen vraag", actief=False)
    url = reverse("screening:criteria", args=[gezin.pk])
    assert "Vervallen vraag" not in logged_in.get(url).text
    response = logged_in.post(
        url,
        prefixed(
            "criteria",
            **{f"c{ja.pk}": "ja", f"c{nee.pk}": "nee", f"n{nee.pk}": "Trap zonder hek"},
            **{f"c{open_.pk}": ""},
        ),
        follow=True,
    )
    assert response.redirect_chain == [(page_url(gezin) + "#criteria", 302)]
    stored = {b.criterium_id: (b.voldoet, b.notitie) for b in CriteriumBeoordeling.objects.all()}
    assert stored == {ja.pk: (True, ""), nee.pk: (False, "Trap zonder hek")}
    # As the page writes it: a generated name may hold an apostrophe ("van 't").
    assert f"Nu: nee (Trap zonder hek), door {escape(coordinator.get_full_name())}" in response.text


def test_criteria_answered_meanwhile_by_someone_else_are_a_conflict(
    logged_in, gezin, organisatie, coordinator
):
    criterium = Criterium.objects.create(organisatie=organisatie, tekst="Veilig huis")
    gezien = logged_in.get(page_url(gezin)).context["forms"]["criteria"].initial["gezien"]
    services.criteria_beoordelen(
        door=coordinator, steungezin=gezin, antwoorden=[(criterium, "nee", "Geen traphek")]
    )
    url = reverse("screening:criteria", args=[gezin.pk])
    mine = prefixed("criteria", **{f"c{criterium.pk}": "ja", "gezien": gezien})
    response = logged_in.post(url, mine)
    assert response.context["conflict_bij"] == "criteria"
    assert "heeft gewijzigd: <strong>Veilig huis</strong>" in response.text
    assert CriteriumBeoordeling.objects.get().voldoet is False
    # Sent again as it now stands, it replaces the other's answer.
    assert logged_in.post(url, response.context["forms"]["criteria"].data).status_code == 302
    assert CriteriumBeoordeling.objects.get().voldoet is True


def test_it_records_training_attendance(logged_in, gezin, training):
    lid = gezin.leden.first()
    url = reverse("screening:training", args=[gezin.pk])
    response = logged_in.post(
        url, prefixed("training", training=training.pk, leden=[lid.pk]), follow=True
    )
    assert response.redirect_chain == [(page_url(gezin) + "#training", 302)]
    assert list(training.deelnemers.all()) == [lid]
    assert f"{lid}: Basis" in response.text


def test_attendance_only_for_members_of_the_family(logged_in, gezin, training, organisatie):
    stranger = SteungezinFactory(organisatie=organisatie).leden.first()
    url = reverse("screening:training", args=[gezin.pk])
    response = logged_in.post(url, prefixed("training", training=training.pk, leden=[stranger.pk]))
    assert response.status_code == 200
    assert "Alleen leden van dit gezin kunnen als deelnemer worden vastgelegd." in response.text
    assert not training.deelnemers.exists()


def test_no_attendance_for_a_training_still_to_come(logged_in, gezin, organisatie):
    future = Training.objects.create(
        organisatie=organisatie,
        datum=DAY + datetime.timedelta(days=5),
        titel="Later",
        trainer="T",
        plaats="P",
    )
    url = reverse("screening:training", args=[gezin.pk])
    response = logged_in.post(
        url, prefixed("training", training=future.pk, leden=[gezin.leden.first().pk])
    )
    assert "kan niet in de toekomst liggen" in response.text


def test_the_decision_says_what_is_missing_and_offers_no_button(logged_in, gezin):
    response = logged_in.get(page_url(gezin))
    assert "Het huisbezoek is nog niet gedaan." in response.context["tekorten"]
    assert "Goedkeuren: beschikbaar" not in response.text
    response = logged_in.post(reverse("screening:besluit", args=[gezin.pk]))
    assert "Nog niet goed te keuren" in response.text
    gezin.refresh_from_db()
    assert gezin.status == Steungezin.Status.IN_SCREENING


def _complete(gezin, training, coordinator) -> None:
    lid = gezin.leden.first()
    VOG.objects.create(
        gezinslid=lid,
        status="ontvangen",
        aangevraagd_op=iso(20),
        afgegeven_op=iso(10),
        ontvangen_op=iso(5),
    )
    for soort in ("kennismaking", "huisbezoek"):
        ScreeningGesprek.objects.create(steungezin=gezin, soort=soort, datum=DAY, door=coordinator)
    training.deelnames.create(gezinslid=lid)


def test_a_complete_screening_is_approved(logged_in, gezin, training, coordinator):
    _complete(gezin, training, coordinator)
    assert "Goedkeuren: beschikbaar" in logged_in.get(page_url(gezin)).text
    response = logged_in.post(
        reverse("screening:besluit", args=[gezin.pk]),
        prefixed("besluit", versie=gezin.versie),
        follow=True,
    )
    assert response.redirect_chain == [(page_url(gezin) + "#besluit", 302)]
    assert "is goedgekeurd en nu beschikbaar" in response.text
    gezin.refresh_from_db()
    assert gezin.status == Steungezin.Status.BESCHIKBAAR
    stap = gezin.statuswijzigingen.get()
    assert (stap.van, stap.naar, stap.door) == ("in_screening", "beschikbaar", coordinator)
    assert AuditEntry.objects.filter(
        object_id=str(gezin.pk), user=coordinator, detail="goedgekeurd: beschikbaar"
    ).exists()


def test_an_aangemeld_family_is_approved_through_in_screening(
    logged_in, gezin, training, coordinator
):
    Steungezin.objects.filter(pk=gezin.pk).update(status="aangemeld")
    _complete(gezin, training, coordinator)
    assert "Goedkeuren: beschikbaar" in logged_in.get(page_url(gezin)).text
    logged_in.post(reverse("screening:besluit", args=[gezin.pk]))
    gezin.refresh_from_db()
    assert gezin.status == Steungezin.Status.BESCHIKBAAR
    stappen = gezin.statuswijzigingen.order_by("op", "id")
    assert [(s.van, s.naar, s.door) for s in stappen] == [
        ("aangemeld", "in_screening", coordinator),
        ("in_screening", "beschikbaar", coordinator),
    ]
    assert list(
        AuditEntry.objects.filter(action="change", object_id=str(gezin.pk))
        .order_by("id")
        .values_list("detail", flat=True)
    ) == ["status: aangemeld → in_screening", "goedgekeurd: beschikbaar"]


def test_the_first_record_takes_an_aangemeld_family_into_screening(logged_in, gezin, coordinator):
    """Nobody sets "in screening" by hand: the first thing recorded does it,
    as the table's step, so the screening lists see the family at once."""
    Steungezin.objects.filter(pk=gezin.pk).update(status="aangemeld")
    lid = gezin.leden.first()
    versie = Steungezin.objects.get(pk=gezin.pk).versie
    logged_in.post(vog_url(gezin), vog_data(lid, status="aangevraagd", aangevraagd_op=iso(2)))
    gezin.refresh_from_db()
    assert gezin.status == Steungezin.Status.IN_SCREENING
    assert gezin.versie == versie + 1  # a form opened before sees the change
    stap = gezin.statuswijzigingen.get()
    assert (stap.van, stap.naar, stap.door) == ("aangemeld", "in_screening", coordinator)
    assert "VOG" in stap.reden
    logged_in.post(
        reverse("screening:referentie", args=[gezin.pk]),
        prefixed("referentie", naam="Tante Els", relatie="familie", benaderd_op=iso(1)),
    )
    assert gezin.statuswijzigingen.count() == 1  # once
    assert list(
        AuditEntry.objects.filter(action="change", object_id=str(gezin.pk))
        .order_by("id")
        .values_list("detail", flat=True)
    )[:2] == ["status: aangemeld → in_screening", f"VOG {audit.label(lid)}: aangevraagd"]
    overzicht = logged_in.get(reverse("screening:overzicht") + "?lijst=in_screening")
    assert [row[0] for row in overzicht.context["rijen"]] == [gezin]


def test_a_decision_on_a_stale_page_is_a_conflict(logged_in, gezin, training, coordinator):
    _complete(gezin, training, coordinator)
    Steungezin.objects.filter(pk=gezin.pk).update(versie=gezin.versie + 1)
    response = logged_in.post(
        reverse("screening:besluit", args=[gezin.pk]), prefixed("besluit", versie=gezin.versie)
    )
    assert response.status_code == 200
    assert response.context["conflict_bij"] == "besluit"
    assert "Niet opgeslagen: iemand anders heeft dit intussen gewijzigd" in response.text
    gezin.refresh_from_db()
    assert gezin.status == Steungezin.Status.IN_SCREENING


def test_a_family_that_left_offers_no_decision(logged_in, gezin):
    Steungezin.objects.filter(pk=gezin.pk).update(status="gestopt")
    response = logged_in.get(page_url(gezin))
    assert response.context["kan_niet"] == "Goedkeuren kan nu niet: de status is gestopt."
    assert "Goedkeuren: beschikbaar" not in response.text


def test_the_family_page_leads_to_the_screening_page(logged_in, gezin):
    response = logged_in.get(reverse("gezinnen:steungezin-detail", args=[gezin.pk]))
    assert f'href="{page_url(gezin)}"' in response.text
    for old in ("screening:referentie", "screening:criteria", "screening:training"):
        assert reverse(old, args=[gezin.pk]) not in response.text


def test_the_dashboard_leads_a_new_steungezin_and_its_vogs_to_the_page(logged_in, organisatie):
    nieuw = SteungezinFactory(organisatie=organisatie, leden=[("volwassene", 30)])
    bezig = SteungezinFactory(
        organisatie=organisatie, status="in_screening", leden=[("volwassene", 30)]
    )
    text = logged_in.get(reverse("home")).text
    assert f'href="{page_url(nieuw)}"' in text
    lid = bezig.leden.get()
    assert f'href="{vog_url(bezig, lid)}#vog-{lid.pk}"' in text


ITEM_URLS = [
    ("screening:gezin", False),
    ("screening:vog", True),
    ("screening:gesprek", False),
    ("screening:referentie", False),
    ("screening:criteria", False),
    ("screening:training", False),
    ("screening:besluit", False),
]


@pytest.mark.parametrize(("name", "per_lid"), ITEM_URLS)
def test_the_page_is_for_the_own_coordinators_only(client, all_roles, gezin, name, per_lid):
    args = [gezin.pk, gezin.leden.first().pk] if per_lid else [gezin.pk]
    url = reverse(name, args=args)
    client.force_login(all_roles["coordinator"])
    assert client.get(url).status_code == 200
    for person in ("vrijwilliger", "beheerder", "outsider"):
        client.force_login(all_roles[person])
        assert client.get(url).status_code == 404, person
        assert client.post(url).status_code == 404, person
    assert not VOG.objects.exists()
    assert not ScreeningGesprek.objects.exists()


def _a_full_screening(organisatie, coordinator, training, adults: int) -> Steungezin:
    gezin = SteungezinFactory(
        organisatie=organisatie, status="in_screening", leden=[("volwassene", 40)] * adults
    )
    for lid in gezin.leden.all():
        VOG.objects.create(
            gezinslid=lid, status="ontvangen", afgegeven_op=iso(10), ontvangen_op=iso(5)
        )
        VOG.objects.create(gezinslid=lid, status="aangevraagd", aangevraagd_op=iso(3))
        training.deelnames.create(gezinslid=lid)
        ScreeningGesprek.objects.create(
            steungezin=gezin, soort="huisbezoek", datum=DAY, door=coordinator
        )
        gezin.referenties.create(
            naam="R", relatie="buur", benaderd_op=DAY, uitkomst="positief", door=coordinator
        )
        criterium = Criterium.objects.create(organisatie=organisatie, tekst=f"c{lid.pk}")
        CriteriumBeoordeling.objects.create(
            steungezin=gezin, criterium=criterium, voldoet=True, door=coordinator
        )
    return gezin


def test_the_page_takes_the_same_queries_for_more_members_and_items(
    logged_in, organisatie, coordinator, training, django_assert_num_queries
):
    small = _a_full_screening(organisatie, coordinator, training, adults=1)
    large = _a_full_screening(organisatie, coordinator, training, adults=4)
    # And the large one's items corrected and withdrawn, with their history.
    first, second, *_ = large.referenties.all()
    corrigeren(door=coordinator, item=first, reden="typfout", naam="Ria")
    intrekken(door=coordinator, item=second, reden="dubbel")
    for vog in VOG.objects.filter(gezinslid__gezin=large, status="ontvangen"):
        corrigeren(door=coordinator, item=vog, reden="datum", ontvangen_op=DAY)
    for deelname in TrainingDeelname.objects.filter(gezinslid__gezin=large)[:2]:
        intrekken(door=coordinator, item=deelname, reden="was er niet")
    for gezin in (small, large):
        with django_assert_num_queries(PAGE_QUERIES):
            response = logged_in.get(page_url(gezin))
        assert response.status_code == 200
    assert len(response.context["vogs"]) == 4


def test_the_menu_marks_one_section_on_the_screening_page(logged_in, gezin):
    text = logged_in.get(page_url(gezin)).text
    nav = text[text.index('aria-label="Hoofdmenu"') : text.index("</nav>")]
    active = re.findall(r'class="nav-link[^"]*\bactive\b[^"]*"[^>]*>([^<]+)<', nav)
    assert len(active) == 1
    assert active[0] in {"Screening", "Steungezinnen"}


def test_the_overview_lists_what_needs_doing(logged_in, organisatie, gezin):
    ready = SteungezinFactory(
        organisatie=organisatie, status="beschikbaar", naam="Klaar", leden=[("volwassene", 50)]
    )
    ouder = ready.leden.get()
    expiring = VOG.objects.create(
        gezinslid=ouder,
        status="ontvangen",
        afgegeven_op=add_months(DAY, -36) + datetime.timedelta(days=20),
        ontvangen_op=add_months(DAY, -36) + datetime.timedelta(days=25),
    )
    teen = GezinslidFactory(
        gezin=ready,
        voornaam="Sanne",
        soort="kind",
        geboortedatum=add_months(DAY + datetime.timedelta(days=30), -12 * 18),
    )
    waiting = SteungezinFactory(
        organisatie=organisatie, status="in_screening", naam="Wacht", leden=[("volwassene", 30)]
    )
    VOG.objects.create(gezinslid=waiting.leden.get(), status="aangevraagd", aangevraagd_op=iso(35))

    response = logged_in.get(reverse("screening:overzicht"))
    delen = response.context["delen"]
    assert [g for g, _ in delen["in_screening"].rijen] == [gezin, waiting]
    assert [(g, lid) for g, lid in delen["aan_te_vragen"].rijen] == [
        (gezin, gezin.leden.get()),
        (ready, teen),
    ]
    assert [row[2] for row in delen["bij_justis"].rijen] == [waiting.leden.get().vogs.get()]
    assert [row[2] for row in delen["verlopend"].rijen] == [expiring]
    assert [row[1] for row in delen["wordt_18"].rijen] == [teen]
    assert [deel.aantal for deel in delen.values()] == [2, 1, 0, 2, 1, 1, 1]


def _one_of_each(organisatie, coordinator) -> None:
    """A steungezin on every list of the screening overview."""
    long_ago = DAY - datetime.timedelta(days=40)
    SteungezinFactory(organisatie=organisatie, status="in_screening", aangemeld_op=long_ago)
    herscreening = approved_steungezin(organisatie, leden=[("volwassene", 40), ("volwassene", 19)])
    herscreening.leden.get(geboortedatum__year=DAY.year - 19).vogs.all().delete()
    wacht = SteungezinFactory(organisatie=organisatie, status="in_screening")
    VOG.objects.create(gezinslid=wacht.leden.first(), status="aangevraagd", aangevraagd_op=iso(35))
    verloopt = SteungezinFactory(
        organisatie=organisatie, status="beschikbaar", leden=[("volwassene", 50)]
    )
    VOG.objects.create(
        gezinslid=verloopt.leden.get(),
        status="ontvangen",
        afgegeven_op=add_months(DAY, -36) + datetime.timedelta(days=20),
        ontvangen_op=add_months(DAY, -36) + datetime.timedelta(days=25),
    )
    GezinslidFactory(
        gezin=verloopt,
        soort="kind",
        geboortedatum=add_months(DAY + datetime.timedelta(days=30), -216),
    )


def test_the_overview_takes_the_same_queries_for_more_families(logged_in, organisatie, coordinator):
    _one_of_each(organisatie, coordinator)
    logged_in.get(reverse("screening:overzicht"))  # the stored verdicts made
    with CaptureQueriesContext(connection) as few:
        response = logged_in.get(reverse("screening:overzicht"))
    assert all(deel.rijen for deel in response.context["delen"].values())
    for _ in range(9):
        _one_of_each(organisatie, coordinator)
    logged_in.get(reverse("screening:overzicht"))
    with CaptureQueriesContext(connection) as many:
        response = logged_in.get(reverse("screening:overzicht"))
    assert len(many) == len(few)
    # Each list shows its first rows and counts the rest.
    in_screening = response.context["delen"]["in_screening"]
    assert (len(in_screening.rijen), in_screening.aantal) == (8, 20)


def test_it_creates_a_training(logged_in, organisatie):
    response = logged_in.post(
        reverse("screening:trainingen"),
        {
            "datum": iso(-10),
            "titel": "Basistraining",
            "trainer": "Marloes",
            "plaats": "De Bron",
        },
    )
    assert response.status_code == 302
    assert Training.objects.get().organisatie == organisatie
