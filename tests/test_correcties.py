"""Corrections with history (issue 16, point 3): a coordinator corrects or
withdraws a contactmoment or a row of hours with a reason; the history keeps
the old and new values; a withdrawn item counts nowhere any more."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEntry
from gezinnen.integrity import EditConflict, TransitionError, new_token
from gezinnen.models import today
from matching import correcties
from matching.bewaren import gezin_anonimiseren
from matching.correcties import corrigeren, intrekken
from matching.models import Contactmoment, CoordinatieUren, Correctie, Evaluatie, Koppeling, Signaal
from matching.services import contactmoment_vastleggen, maandag_van, uren_vastleggen
from reports.inzage import inzage
from steungezinnen.datums import korte_datum
from tests.factories import KoppelingFactory, UserFactory, WijkFactory
from tests.test_gemeenterapportage import Q1, d, figures
from tests.test_gemeenterapportage import dataset as dataset  # a fixture

pytestmark = pytest.mark.django_db

DAY = today()
NOTITIE = "Moeder vertelde over de verhuizing van Tim"


@pytest.fixture
def koppeling(organisatie, coordinator, vrijwilliger):
    return KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        vrijwilliger=vrijwilliger,
        start_op=DAY - datetime.timedelta(days=60),
    )


def contact(koppeling, door, days_ago=10, **kwargs) -> Contactmoment:
    values = {"met": "beide", "hoe": "telefoon", "verloop": "goed", "notities": NOTITIE}
    return contactmoment_vastleggen(
        door=door,
        koppeling=koppeling,
        datum=DAY - datetime.timedelta(days=days_ago),
        **{**values, **kwargs},
    )


@pytest.fixture
def contactmoment(koppeling, coordinator):
    return contact(koppeling, coordinator)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# The service: correcting -----------------------------------------------------


def test_it_corrects_and_the_history_keeps_the_old_and_new_values(coordinator, contactmoment):
    datum = contactmoment.datum
    correctie = corrigeren(
        door=coordinator,
        item=contactmoment,
        reden="Verkeerde dag ingevuld",
        versie=contactmoment.versie,
        datum=datum - datetime.timedelta(days=1),
        notities="Moeder vertelde over de verhuizing",
        hoe="telefoon",  # unchanged: not in the history
    )
    contactmoment.refresh_from_db()
    assert contactmoment.datum == datum - datetime.timedelta(days=1)
    assert contactmoment.notities == "Moeder vertelde over de verhuizing"
    assert contactmoment.versie == 2
    assert (correctie.soort, correctie.reden, correctie.door) == (
        "gecorrigeerd",
        "Verkeerde dag ingevuld",
        coordinator,
    )
    assert correctie.koppeling_id == contactmoment.koppeling_id
    assert correctie.oud == {"datum": korte_datum(datum), "notities": NOTITIE}
    assert correctie.nieuw == {
        "datum": korte_datum(datum - datetime.timedelta(days=1)),
        "notities": "Moeder vertelde over de verhuizing",
    }
    assert correctie.wijzigingen()[0] == (
        "datum",
        korte_datum(datum),
        korte_datum(datum - datetime.timedelta(days=1)),
    )


def test_a_reason_is_required(coordinator, contactmoment):
    with pytest.raises(ValidationError) as error:
        corrigeren(door=coordinator, item=contactmoment, reden="  ", verloop="zorgen")
    assert error.value.message_dict == {"reden": ["Geef de reden van de correctie."]}
    with pytest.raises(ValidationError) as error:
        intrekken(door=coordinator, item=contactmoment, reden="")
    assert "reden" in error.value.message_dict
    assert fresh(contactmoment).verloop == "goed"
    assert not Correctie.objects.exists()


def test_a_correction_that_changes_nothing_is_refused(coordinator, contactmoment):
    with pytest.raises(ValidationError) as error:
        corrigeren(
            door=coordinator, item=contactmoment, reden="typfout", verloop="goed", met="beide"
        )
    assert error.value.messages == [correcties.NIETS_GEWIJZIGD]
    assert fresh(contactmoment).versie == 1
    assert not Correctie.objects.exists()


def test_a_volunteer_coordinator_logs_check_ins_but_never_corrects_them(koppeling, vrijwilliger):
    eigen = contact(koppeling, vrijwilliger)
    with pytest.raises(TransitionError, match="Alleen een professionele coördinator"):
        corrigeren(door=vrijwilliger, item=eigen, reden="typfout", verloop="zorgen")
    with pytest.raises(TransitionError):
        intrekken(door=vrijwilliger, item=eigen, reden="dubbel")
    assert Contactmoment.objects.filter(pk=eigen.pk, verloop="goed").exists()


def test_another_organisation_finds_nothing_to_correct(outsider, contactmoment):
    with pytest.raises(TransitionError, match="bestaat niet"):
        corrigeren(door=outsider, item=contactmoment, reden="x", verloop="zorgen")
    with pytest.raises(TransitionError, match="bestaat niet"):
        intrekken(door=outsider, item=contactmoment, reden="x")
    assert Contactmoment.objects.filter(pk=contactmoment.pk).exists()


def test_a_correction_keeps_the_model_rules(coordinator, koppeling, contactmoment):
    too_early = koppeling.start_op - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        corrigeren(door=coordinator, item=contactmoment, reden="x", datum=too_early)
    assert "vóór de start" in str(error.value)
    with pytest.raises(ValidationError) as error:
        corrigeren(door=coordinator, item=contactmoment, reden="x", volgende_op=contactmoment.datum)
    assert "ligt na dit contactmoment" in str(error.value)
    assert fresh(contactmoment).datum == contactmoment.datum


def test_a_stale_version_gets_the_conflict_and_nothing_is_written(
    coordinator, organisatie, contactmoment
):
    colleague = UserFactory(organisatie=organisatie, first_name="Karin")
    opened = contactmoment.versie
    corrigeren(door=colleague, item=fresh(contactmoment), reden="a", versie=opened, hoe="bezoek")
    with pytest.raises(EditConflict) as error:
        corrigeren(door=coordinator, item=contactmoment, reden="b", versie=opened, verloop="zorgen")
    assert error.value.by == colleague
    assert (fresh(contactmoment).hoe, fresh(contactmoment).verloop) == ("bezoek", "goed")
    assert Correctie.objects.count() == 1


def test_it_writes_one_audit_entry_that_names_fields_not_texts(coordinator, contactmoment):
    before = AuditEntry.objects.count()
    corrigeren(
        door=coordinator,
        item=contactmoment,
        reden="Naam van Tim verkeerd gespeld",
        notities="Iets anders over Tim",
        verloop="aandacht",
    )
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("pk")
    assert (entry.action, entry.object_type, entry.object_id) == (
        "change",
        "matching.contactmoment",
        str(contactmoment.pk),
    )
    assert entry.detail == "gecorrigeerd: hoe gaat het?: gaat goed → vraagt aandacht; notities"
    assert "Tim" not in entry.detail
    assert set(entry.gezinnen.values_list("gezin_id", flat=True)) == {
        contactmoment.koppeling.vraaggezin_id,
        contactmoment.koppeling.steungezin_id,
    }
    intrekken(door=coordinator, item=contactmoment, reden="Dubbel ingevoerd, over Tim")
    entry = AuditEntry.objects.latest("pk")
    assert (entry.detail, entry.object_id) == ("ingetrokken", str(contactmoment.pk))


# The service: withdrawing ------------------------------------------------------


def test_a_withdrawn_contact_is_gone_and_the_next_check_in_follows_from_the_rest(
    coordinator, koppeling
):
    eerste = contact(koppeling, coordinator, days_ago=20)
    by_hand = DAY + datetime.timedelta(days=3)
    laatste = contact(koppeling, coordinator, days_ago=5, volgende_op=by_hand)
    assert fresh(koppeling).volgende_contact_op == by_hand

    correctie = intrekken(door=coordinator, item=laatste, reden="Bij de verkeerde koppeling")

    assert not Contactmoment.objects.filter(pk=laatste.pk).exists()
    assert (correctie.soort, correctie.item_id) == ("ingetrokken", laatste.pk)
    assert correctie.oud["notities"] == NOTITIE
    assert correctie.nieuw == {}
    # The cadence after the first contact, as if the second was never logged.
    koppeling = fresh(koppeling)
    assert koppeling.volgende_contact_op == koppeling.next_checkin(eerste.datum)
    assert koppeling.volgende_contact_op != by_hand

    intrekken(door=coordinator, item=eerste, reden="Ook verkeerd")
    koppeling = fresh(koppeling)
    assert koppeling.volgende_contact_op == koppeling.next_checkin(None)


def test_a_corrected_date_moves_the_next_check_in(coordinator, koppeling):
    logged = contact(koppeling, coordinator, days_ago=20)
    corrigeren(door=coordinator, item=logged, reden="x", datum=DAY - datetime.timedelta(days=2))
    koppeling = fresh(koppeling)
    assert koppeling.volgende_contact_op == koppeling.next_checkin(DAY - datetime.timedelta(days=2))


def test_a_contact_with_a_signal_is_not_withdrawn(coordinator, koppeling, contactmoment):
    Signaal.objects.create(
        koppeling=koppeling, contactmoment=contactmoment, omschrijving="x", gemeld_door=coordinator
    )
    with pytest.raises(TransitionError, match="signaal gemeld"):
        intrekken(door=coordinator, item=contactmoment, reden="dubbel")
    assert Contactmoment.objects.filter(pk=contactmoment.pk).exists()
    # A correction is still allowed.
    corrigeren(door=coordinator, item=contactmoment, reden="x", verloop="zorgen")


def test_a_closed_koppeling_is_corrected_and_gets_no_next_check_in(
    coordinator, koppeling, contactmoment
):
    Koppeling.objects.filter(pk=koppeling.pk).update(
        status="afgesloten", einde_op=DAY, einde_reden="doel_bereikt", volgende_contact_op=None
    )
    corrigeren(door=coordinator, item=contactmoment, reden="x", verloop="aandacht")
    intrekken(door=coordinator, item=fresh(contactmoment), reden="y")
    assert fresh(koppeling).volgende_contact_op is None
    assert Correctie.objects.count() == 2


def test_an_anonymised_koppeling_is_not_corrected(coordinator, koppeling, contactmoment):
    koppeling.vraaggezin.__class__.objects.filter(pk=koppeling.vraaggezin_id).update(
        geanonimiseerd_op=datetime.datetime.now(datetime.UTC)
    )
    with pytest.raises(TransitionError, match="gewist"):
        corrigeren(door=coordinator, item=contactmoment, reden="x", verloop="zorgen")


# The figures -------------------------------------------------------------------


def test_withdrawn_and_corrected_items_count_in_the_figures_as_they_are_now(
    dataset,
    coordinator,
):
    koppelingen = list(Koppeling.objects.filter(organisatie=dataset).order_by("pk"))
    # The dataset has 5 contacts in Q1 (one per koppeling, in February); 9
    # more in March (a month with 1 to 4 would be hidden).
    extra = [
        Contactmoment.objects.create(
            koppeling=k, datum=d(3, 1), met="beide", hoe="bezoek", verloop="goed", door=coordinator
        )
        for k in koppelingen[:3] * 3
    ]
    assert figures(dataset)[0][("Bereik", "contactmomenten")] == "14"
    intrekken(door=coordinator, item=extra[0], reden="dubbel")
    intrekken(door=coordinator, item=extra[1], reden="dubbel")
    # One moved out of the quarter into April.
    corrigeren(door=coordinator, item=extra[2], reden="datum", datum=d(4, 2))
    assert figures(dataset)[0][("Bereik", "contactmomenten")] == str(5 + 9 - 2 - 1)

    # Hours: 3 a week for Hengelo in 10 weeks (30); one week withdrawn, one
    # corrected from 3 to 1.
    hengelo = list(
        CoordinatieUren.objects.filter(coordinator=coordinator, gemeente="Hengelo").order_by("week")
    )
    intrekken(door=coordinator, item=hengelo[0], reden="dubbel")
    corrigeren(door=coordinator, item=hengelo[1], reden="typfout", uren=Decimal("1"))
    f, _ = figures(dataset)
    assert f[("Coördinatie", "uren voor deze gemeente")] == "25,0"  # 30 - 3 - 2
    assert Q1.start <= hengelo[1].week <= Q1.end


# Hours ---------------------------------------------------------------------------


@pytest.fixture
def regel(organisatie, coordinator):
    WijkFactory(organisatie=organisatie, naam="Noord", gemeente="Hengelo")
    WijkFactory(organisatie=organisatie, naam="Centrum", gemeente="Borne")
    week = maandag_van(DAY) - datetime.timedelta(weeks=1)
    for gemeente, uren in (("Hengelo", "3"), ("", "1")):
        CoordinatieUren.objects.create(
            organisatie=organisatie,
            coordinator=coordinator,
            week=week,
            gemeente=gemeente,
            uren=Decimal(uren),
        )
    return CoordinatieUren.objects.get(gemeente="Hengelo")


def test_hours_are_corrected_with_their_limits(coordinator, regel):
    correctie = corrigeren(
        door=coordinator, item=regel, reden="Borne", gemeente="Borne", uren=Decimal("2.5")
    )
    assert correctie.oud == {"gemeente": "Hengelo", "uren": "3,0"}
    assert correctie.nieuw == {"gemeente": "Borne", "uren": "2,5"}
    assert correctie.koppeling is None
    for waarden, message in (
        ({"gemeente": ""}, "Voor algemeen staan in deze week al uren."),
        ({"uren": Decimal("79.5")}, "hoogstens 80 uur"),
        ({"uren": Decimal("0")}, "trek de regel dan in"),
        ({"uren": Decimal("1.25")}, "tiende uur"),
        ({"gemeente": "Goor"}, "geen gemeente"),
    ):
        with pytest.raises(ValidationError) as error:
            corrigeren(door=coordinator, item=fresh(regel), reden="x", **waarden)
        assert message in str(error.value), waarden
    assert (fresh(regel).gemeente, fresh(regel).uren) == ("Borne", Decimal("2.5"))


def test_hours_are_the_coordinators_own(organisatie, regel, vrijwilliger):
    colleague = UserFactory(organisatie=organisatie)
    with pytest.raises(TransitionError, match="bestaat niet"):
        intrekken(door=colleague, item=regel, reden="x")
    with pytest.raises(TransitionError):
        intrekken(door=vrijwilliger, item=regel, reden="x")


# The pages ---------------------------------------------------------------------


def url(name, item):
    return reverse(f"matching:{name}", args=[item.pk])


def form_data(item, **changes) -> dict:
    from gezinnen.integrity import version_fields

    data = {
        "datum": item.datum.isoformat(),
        "met": item.met,
        "hoe": item.hoe,
        "verloop": item.verloop,
        "notities": item.notities,
        "volgende_op": "",
        "inzending": new_token(),
        **version_fields(item),
    }
    return {**data, **changes}


@pytest.mark.parametrize("name", ["contactmoment-corrigeren", "contactmoment-intrekken"])
def test_the_pages_are_for_the_own_coordinators_only(client, all_roles, contactmoment, name):
    client.force_login(all_roles["coordinator"])
    assert client.get(url(name, contactmoment)).status_code == 200
    for person in ("vrijwilliger", "beheerder", "outsider"):
        client.force_login(all_roles[person])
        assert client.get(url(name, contactmoment)).status_code == 404, person
        assert client.post(url(name, contactmoment), {"reden": "x"}).status_code == 404, person
    assert Contactmoment.objects.filter(pk=contactmoment.pk).exists()
    assert not Correctie.objects.exists()


def test_the_koppeling_page_shows_the_correction_and_its_history(
    client, coordinator, vrijwilliger, koppeling, contactmoment
):
    client.force_login(coordinator)
    page = client.get(reverse("matching:detail", args=[koppeling.pk])).text
    assert url("contactmoment-corrigeren", contactmoment) in page
    assert url("contactmoment-intrekken", contactmoment) in page
    form = client.get(url("contactmoment-corrigeren", contactmoment))
    assert "Reden van de correctie" in form.text
    assert form.context["form"]["notities"].value() == NOTITIE  # filled in
    entry = AuditEntry.objects.latest("pk")
    assert (entry.action, entry.object_id) == ("view", str(contactmoment.pk))

    response = client.post(
        url("contactmoment-corrigeren", contactmoment),
        form_data(contactmoment, verloop="zorgen", reden="Toch zorgen"),
    )
    assert response.status_code == 302
    assert response.url == reverse("matching:detail", args=[koppeling.pk])
    page = client.get(response.url).text
    assert "gecorrigeerd door Carla" in page
    assert "<summary>Geschiedenis (1)</summary>" in page
    assert "gaat goed → zorgen" in page
    assert "Toch zorgen" in page
    # The volunteer coordinator sees it was corrected, and no links.
    client.force_login(vrijwilliger)
    page = client.get(reverse("matching:detail", args=[koppeling.pk])).text
    assert "gecorrigeerd door Carla" in page
    assert url("contactmoment-corrigeren", contactmoment) not in page


def test_without_a_reason_or_a_change_the_page_keeps_what_was_typed(
    client, coordinator, contactmoment
):
    client.force_login(coordinator)
    response = client.post(
        url("contactmoment-corrigeren", contactmoment),
        form_data(contactmoment, notities="Nieuwe tekst", reden=""),
    )
    assert response.status_code == 200
    assert "Nieuwe tekst" in response.text
    response = client.post(
        url("contactmoment-corrigeren", contactmoment), form_data(contactmoment, reden="x")
    )
    assert correcties.NIETS_GEWIJZIGD in response.text
    assert not Correctie.objects.exists()


def test_the_second_of_two_coordinators_sees_the_conflict_and_keeps_her_text(
    client, coordinator, organisatie, contactmoment
):
    colleague = UserFactory(organisatie=organisatie, first_name="Karin", last_name="Smit")
    opened = form_data(contactmoment)  # both open the form
    client.force_login(colleague)
    client.post(
        url("contactmoment-corrigeren", contactmoment), {**opened, "hoe": "bezoek", "reden": "a"}
    )
    client.force_login(coordinator)
    response = client.post(
        url("contactmoment-corrigeren", contactmoment),
        {**opened, "inzending": new_token(), "notities": "Mijn versie", "reden": "b"},
    )
    assert response.status_code == 200
    assert "Karin Smit heeft gewijzigd: <strong>hoe</strong>" in response.text
    assert "Mijn versie" in response.text
    assert fresh(contactmoment).notities == NOTITIE
    # Saving again replaces the colleague's version, knowingly.
    again = response.context["form"].data.copy()
    response = client.post(url("contactmoment-corrigeren", contactmoment), again)
    assert response.status_code == 302
    assert fresh(contactmoment).notities == "Mijn versie"


def test_a_double_submission_corrects_once(client, coordinator, contactmoment):
    client.force_login(coordinator)
    data = form_data(contactmoment, verloop="zorgen", reden="x")
    assert client.post(url("contactmoment-corrigeren", contactmoment), data).status_code == 302
    response = client.post(url("contactmoment-corrigeren", contactmoment), data, follow=True)
    assert "één keer opgeslagen" in response.text
    assert Correctie.objects.count() == 1


def test_withdrawing_through_the_page(client, coordinator, koppeling, contactmoment):
    client.force_login(coordinator)
    page = client.get(url("contactmoment-intrekken", contactmoment))
    assert "Reden van het intrekken" in page.text
    assert NOTITIE in page.text  # what goes
    response = client.post(
        url("contactmoment-intrekken", contactmoment),
        {"reden": "Bij de verkeerde koppeling", **form_data(contactmoment)},
        follow=True,
    )
    assert "is ingetrokken" in response.text
    assert "Ingetrokken contactmomenten" in response.text
    assert "ingetrokken door Carla" in response.text
    assert "Bij de verkeerde koppeling" in response.text
    assert not Contactmoment.objects.filter(pk=contactmoment.pk).exists()


def test_the_withdrawal_page_says_why_not_before_anyone_types(
    client, coordinator, koppeling, contactmoment
):
    Signaal.objects.create(
        koppeling=koppeling, contactmoment=contactmoment, omschrijving="x", gemeld_door=coordinator
    )
    client.force_login(coordinator)
    response = client.get(url("contactmoment-intrekken", contactmoment), follow=True)
    assert "een contactmoment met een signaal kan niet worden ingetrokken" in response.text


def test_the_hours_page_corrects_and_withdraws_a_row(client, coordinator, regel):
    from gezinnen.integrity import version_fields

    client.force_login(coordinator)
    assert url("uren-corrigeren", regel) in client.get(reverse("matching:uren")).text
    response = client.post(
        url("uren-corrigeren", regel),
        {"gemeente": "Hengelo", "uren": "2,5", "reden": "te veel", **version_fields(regel)},
        follow=True,
    )
    assert "is gecorrigeerd" in response.text
    assert "3,0 → 2,5" in response.text
    assert "gecorrigeerd door Carla" in response.text
    regel = fresh(regel)
    assert regel.uren == Decimal("2.5")
    response = client.post(
        url("uren-intrekken", regel), {"reden": "dubbel", **version_fields(regel)}, follow=True
    )
    assert "Ingetrokken uren" in response.text
    assert not CoordinatieUren.objects.filter(pk=regel.pk).exists()
    # Hours are about no family: these pages log no view.
    assert not AuditEntry.objects.filter(action="view").exists()


# Erasure and inzage ------------------------------------------------------------


def test_erasure_wipes_the_texts_of_the_history(coordinator, koppeling, contactmoment, regel):
    corrigeren(door=coordinator, item=contactmoment, reden="Over Tim", notities="Tim is ziek")
    uren = corrigeren(door=coordinator, item=regel, reden="typfout", uren=Decimal("2"))
    Koppeling.objects.filter(pk=koppeling.pk).update(
        status="afgesloten", einde_op=DAY, einde_reden="doel_bereikt"
    )
    vraag = koppeling.vraaggezin
    type(vraag).objects.filter(pk=vraag.pk).update(status="afgesloten")
    gezin_anonimiseren(door=coordinator, gezin=vraag, wijze="verzoek", reden="verzoek_gezin")
    correctie = Correctie.objects.get(koppeling=koppeling)
    assert (correctie.reden, correctie.oud, correctie.nieuw) == ("", {}, {})
    assert correctie.soort == "gecorrigeerd"  # what kind of change stays
    # Hours are about no family: their history stays.
    assert fresh(uren).reden == "typfout"


def test_the_inzage_lists_the_corrections_of_the_familys_items(
    coordinator, koppeling, contactmoment
):
    corrigeren(door=coordinator, item=contactmoment, reden="Typfout", verloop="aandacht")
    weg = contact(koppeling, coordinator, days_ago=3, met="vraaggezin")
    intrekken(door=coordinator, item=weg, reden="Dubbel ingevoerd")
    # A contact with the other family alone is not in this family's file.
    ander = contact(koppeling, coordinator, days_ago=4, met="steungezin")
    intrekken(door=coordinator, item=ander, reden="Alleen het steungezin")

    gegevens = [g for o in inzage(koppeling.vraaggezin).onderdelen for g in o.gegevens]
    correcties_ = [g for g in gegevens if g.titel.endswith(("gecorrigeerd", "ingetrokken"))]
    assert [dict(g.velden)["Reden"] for g in correcties_] == ["Typfout", "Dubbel ingevoerd"]
    assert dict(correcties_[0].velden)["Hoe gaat het?"] == "gaat goed → vraagt aandacht"
    steun = [g for o in inzage(koppeling.steungezin).onderdelen for g in o.gegevens]
    assert "Alleen het steungezin" in [dict(g.velden).get("Reden") for g in steun]
    assert "Dubbel ingevoerd" not in [dict(g.velden).get("Reden") for g in steun]


def test_a_correction_page_opened_before_the_week_was_saved_again_gets_the_conflict(
    organisatie, coordinator
):
    """The week form replaces a saved week's hours: a correction page opened
    before that must not overwrite them unseen."""
    week = maandag_van(today())
    (regel,) = uren_vastleggen(door=coordinator, week=week, uren={"": Decimal("3")})
    geopend = regel.versie
    uren_vastleggen(door=coordinator, week=week, uren={"": Decimal("9")}, reden="meer")
    regel.refresh_from_db()
    assert regel.versie > geopend
    with pytest.raises(EditConflict):
        corrigeren(door=coordinator, item=regel, reden="typfout", versie=geopend, uren=Decimal("6"))
    regel.refresh_from_db()
    assert regel.uren == Decimal("9")


def test_the_week_form_corrects_and_withdraws_saved_rows_with_a_reason(organisatie, coordinator):
    """Saving a week again changes saved rows through the same mechanism: a
    reason, and Correctie rows in the hours' history; a first entry needs none."""
    for naam, gemeente in (("Noord", "Hengelo"), ("Centrum", "Borne")):
        WijkFactory(organisatie=organisatie, naam=naam, gemeente=gemeente)
    week = maandag_van(today())
    uren_vastleggen(door=coordinator, week=week, uren={"": Decimal("3"), "Hengelo": Decimal("2")})
    assert not Correctie.objects.exists()
    with pytest.raises(ValidationError) as error:
        uren_vastleggen(door=coordinator, week=week, uren={"": Decimal("4")})
    assert "reden" in error.value.message_dict
    assert {r.gemeente: r.uren for r in CoordinatieUren.objects.all()} == {"": 3, "Hengelo": 2}
    # A gemeente added and the note changed are no correction.
    uren_vastleggen(
        door=coordinator,
        week=week,
        uren={"": Decimal("3"), "Hengelo": Decimal("2"), "Borne": Decimal("1")},
        notitie="overleg",
    )
    assert not Correctie.objects.exists()
    uren_vastleggen(
        door=coordinator,
        week=week,
        uren={"": Decimal("5"), "Borne": Decimal("1")},
        reden="Hengelo was algemeen",
    )
    gecorrigeerd, ingetrokken = Correctie.objects.order_by("soort")
    assert (gecorrigeerd.soort, gecorrigeerd.oud, gecorrigeerd.nieuw) == (
        "gecorrigeerd",
        {"uren": "3,0"},
        {"uren": "5,0"},
    )
    assert (ingetrokken.soort, ingetrokken.reden) == ("ingetrokken", "Hengelo was algemeen")
    assert ingetrokken.oud["gemeente"] == "Hengelo"


# Evaluaties ------------------------------------------------------------------


def evaluatie(koppeling, door, days_ago=5, **kwargs):
    from matching.models import EVALUATIEVRAGEN
    from matching.services import evaluatie_vastleggen

    scores = {key: 4 for key, _ in EVALUATIEVRAGEN}
    values = {
        "soort": "jaarlijks",
        "datum": DAY - datetime.timedelta(days=days_ago),
        "vraag_scores": scores,
        "steun_scores": scores,
        "conclusie": "Gaat goed",
    }
    return evaluatie_vastleggen(door=door, koppeling=koppeling, **{**values, **kwargs})


def test_an_evaluation_is_corrected_and_the_next_one_follows(coordinator, koppeling):
    eerste = evaluatie(koppeling, coordinator, days_ago=20)
    koppeling.refresh_from_db()
    volgende = koppeling.volgende_evaluatie_op
    scores = {**eerste.vraag_scores, next(iter(eerste.vraag_scores)): 2}
    correctie = corrigeren(
        door=coordinator,
        item=eerste,
        reden="Datum en score verkeerd",
        versie=eerste.versie,
        datum=DAY - datetime.timedelta(days=30),
        vraag_scores=scores,
    )
    assert set(correctie.oud) == {"datum", "vraag_scores"}
    assert ": 2" in correctie.nieuw["vraag_scores"]
    # The next one counts the yearly ones: one that was the trial period's is not.
    koppeling.refresh_from_db()
    assert koppeling.volgende_evaluatie_op == volgende
    corrigeren(door=coordinator, item=eerste, reden="Was de proefperiode", soort="proefperiode")
    koppeling.refresh_from_db()
    assert koppeling.volgende_evaluatie_op < volgende
    with pytest.raises(ValidationError, match="1 tot en met 5"):
        corrigeren(door=coordinator, item=eerste, reden="x", steun_scores={"contact": 9})


def test_an_evaluation_for_the_wrong_koppeling_is_withdrawn(
    client, coordinator, vrijwilliger, outsider, koppeling
):
    voor = Koppeling.objects.get(pk=koppeling.pk).volgende_evaluatie_op
    fout = evaluatie(koppeling, coordinator)
    assert Koppeling.objects.get(pk=koppeling.pk).volgende_evaluatie_op != voor
    for wie in (vrijwilliger, outsider):
        with pytest.raises(TransitionError):
            intrekken(door=wie, item=fout, reden="x")
    intrekken(door=coordinator, item=fout, reden="Hoort bij de koppeling van Jansen")
    assert Koppeling.objects.get(pk=koppeling.pk).volgende_evaluatie_op == voor
    client.force_login(coordinator)
    text = client.get(reverse("matching:detail", args=[koppeling.pk])).text
    assert "Ingetrokken evaluaties" in text
    assert "Hoort bij de koppeling van Jansen" in text


def test_correcting_an_evaluation_through_its_page(client, coordinator, koppeling):
    from gezinnen.integrity import version_fields

    item = evaluatie(koppeling, coordinator)
    client.force_login(coordinator)
    page = client.get(url("evaluatie-corrigeren", item))
    assert page.status_code == 200
    form = page.context["form"]
    data = {
        **{k: v for k, v in form.initial.items() if v is not None},
        **version_fields(item),
        "datum": item.datum.isoformat(),
        "soort": item.soort,
        "conclusie": "Gaat heel goed",
        "reden": "Conclusie aangevuld",
    }
    response = client.post(url("evaluatie-corrigeren", item), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Evaluatie.objects.get(pk=item.pk).conclusie == "Gaat heel goed"
    text = client.get(reverse("matching:detail", args=[koppeling.pk])).text
    assert "Gaat goed → Gaat heel goed" in text
