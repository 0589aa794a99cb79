"""Corrections of screening items (issue 16, point 3): a conversation, a
reference, a VOG and a training attendance are corrected or withdrawn by a
coordinator with a reason, through the one mechanism of matching.correcties;
the stored verdict follows in the same transaction."""

import datetime
import pathlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from gezinnen.integrity import EditConflict, TransitionError, new_token, version_fields
from gezinnen.models import Gezin, today
from matching.correcties import corrigeren, intrekken
from matching.models import Correctie
from reports.inzage import inzage
from screening import services, stand
from screening.models import (
    VOG,
    Screeningstand,
    Training,
    TrainingDeelname,
)
from steungezinnen.datums import korte_datum
from tests.factories import UserFactory, approved_steungezin

pytestmark = pytest.mark.django_db

DAY = today()
AGO = DAY - datetime.timedelta(days=60)


@pytest.fixture
def steungezin(organisatie, coordinator):
    gezin = approved_steungezin(organisatie, naam="Jansen")
    stand.bijwerken([gezin.pk], DAY)
    return gezin


@pytest.fixture
def vog(steungezin):
    return VOG.objects.get(gezinslid__gezin=steungezin)


@pytest.fixture
def training(organisatie):
    return Training.objects.create(
        organisatie=organisatie, datum=AGO, titel="Basis", trainer="Tineke", plaats="Hengelo"
    )


@pytest.fixture
def deelname(steungezin, training):
    return TrainingDeelname.objects.create(training=training, gezinslid=steungezin.leden.get())


@pytest.fixture
def referentie(coordinator, steungezin):
    return services.referentie_vastleggen(
        door=coordinator,
        steungezin=steungezin,
        naam="Buurvrouw Ria",
        relatie="buren",
        benaderd_op=AGO,
        uitkomst="positief",
        notitie="Kent het gezin tien jaar",
    )


@pytest.fixture
def gesprek(coordinator, steungezin):
    return services.gesprek_vastleggen(
        door=coordinator,
        steungezin=steungezin,
        soort="kennismaking",
        datum=AGO,
        gevoerd_door=coordinator,
        notities="Warm gezin",
    )


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def kan_koppelen(steungezin) -> bool:
    return Screeningstand.objects.get(steungezin=steungezin).kan_koppelen


# The service -------------------------------------------------------------------


def test_a_vog_date_is_corrected_with_its_history_on_the_family(coordinator, steungezin, vog):
    correctie = corrigeren(
        door=coordinator,
        item=vog,
        reden="Afgiftedatum verkeerd overgenomen",
        versie=vog.versie,
        afgegeven_op=AGO + datetime.timedelta(days=1),
        ontvangen_op=AGO + datetime.timedelta(days=2),
    )
    vog.refresh_from_db()
    assert vog.afgegeven_op == AGO + datetime.timedelta(days=1)
    assert vog.versie == 2
    assert (correctie.gezin_id, correctie.koppeling_id) == (steungezin.pk, None)
    assert correctie.oud == {"ontvangen_op": korte_datum(AGO), "afgegeven_op": korte_datum(AGO)}
    entry = AuditEntry.objects.filter(object_type="screening.vog").get()
    assert entry.detail.startswith("gecorrigeerd: ")
    assert "Afgiftedatum" not in entry.detail  # field names, never the reason


def test_withdrawing_the_only_vog_makes_an_available_family_ineligible(
    coordinator, steungezin, vog
):
    assert kan_koppelen(steungezin)
    intrekken(door=coordinator, item=vog, reden="Hoorde bij een ander gezin")
    assert not VOG.objects.filter(pk=vog.pk).exists()
    opgeslagen = Screeningstand.objects.get(steungezin=steungezin)
    assert (opgeslagen.kan_koppelen, opgeslagen.reden) == (False, "herscreening")
    weg = Correctie.objects.get(gezin=steungezin)
    assert weg.soort == "ingetrokken"
    assert weg.oud["status"] == "ontvangen"


def test_a_status_correction_keeps_the_vog_rules(coordinator, vog):
    with pytest.raises(ValidationError) as error:
        corrigeren(door=coordinator, item=vog, reden="x", status="geweigerd")
    assert "geweigerd_op" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        corrigeren(
            door=coordinator, item=vog, reden="x", ontvangen_op=DAY + datetime.timedelta(days=1)
        )
    assert "ontvangen_op" in error.value.message_dict
    assert fresh(vog).versie == 1
    assert not Correctie.objects.exists()


def test_a_refused_vog_corrected_to_received_makes_the_family_eligible(
    coordinator, steungezin, vog
):
    VOG.objects.filter(pk=vog.pk).update(status="geweigerd", geweigerd_op=AGO)
    stand.bijwerken([steungezin.pk], DAY)
    assert not kan_koppelen(steungezin)
    corrigeren(door=coordinator, item=vog, reden="Verkeerd aangeklikt", status="ontvangen")
    assert kan_koppelen(steungezin)


def test_a_training_attendance_is_withdrawn_or_moved_to_the_other_session(
    coordinator, organisatie, deelname, training
):
    andere = Training.objects.create(
        organisatie=organisatie, datum=AGO, titel="Verdieping", trainer="T", plaats="Delden"
    )
    correctie = corrigeren(door=coordinator, item=deelname, reden="Was de andere", training=andere)
    assert fresh(deelname).training == andere
    assert correctie.oud == {"training": str(training)}
    assert correctie.nieuw == {"training": str(andere)}
    intrekken(door=coordinator, item=deelname, reden="Was er niet")
    assert not TrainingDeelname.objects.exists()
    assert Correctie.objects.filter(soort="ingetrokken").get().oud["training"] == str(andere)


def test_a_training_attendance_is_not_moved_to_one_to_come_or_attended_already(
    coordinator, organisatie, steungezin, deelname
):
    komt = Training.objects.create(
        organisatie=organisatie,
        datum=DAY + datetime.timedelta(days=3),
        titel="K",
        trainer="T",
        plaats="H",
    )
    with pytest.raises(ValidationError, match="nog moet komen"):
        corrigeren(door=coordinator, item=deelname, reden="x", training=komt)
    al = Training.objects.create(
        organisatie=organisatie, datum=AGO, titel="A", trainer="T", plaats="H"
    )
    TrainingDeelname.objects.create(training=al, gezinslid=deelname.gezinslid)
    with pytest.raises(ValidationError, match="staat al bij deze training"):
        corrigeren(door=coordinator, item=deelname, reden="x", training=al)


def test_a_conversation_and_a_reference_are_corrected(coordinator, gesprek, referentie):
    corrigeren(door=coordinator, item=gesprek, reden="Was thuis", soort="huisbezoek")
    assert fresh(gesprek).soort == "huisbezoek"
    correctie = corrigeren(
        door=coordinator, item=referentie, reden="Naam verkeerd", naam="Buurvrouw Rita"
    )
    assert (correctie.oud, correctie.nieuw) == (
        {"naam": "Buurvrouw Ria"},
        {"naam": "Buurvrouw Rita"},
    )
    with pytest.raises(ValidationError, match="toekomst"):
        corrigeren(
            door=coordinator,
            item=referentie,
            reden="x",
            benaderd_op=DAY + datetime.timedelta(days=1),
        )


@pytest.fixture
def collega(organisatie):
    """Gerda, another professional coordinator of Carla's organisation."""
    return UserFactory(organisatie=organisatie, first_name="Gerda", last_name="Gerritsen")


def test_who_held_a_conversation_is_corrected_to_a_coordinator_of_the_organisation(
    coordinator, collega, vrijwilliger, beheerder, outsider, gesprek
):
    correctie = corrigeren(
        door=coordinator, item=gesprek, reden="Gerda voerde het gesprek", gevoerd_door=collega
    )
    assert fresh(gesprek).door == collega
    assert (correctie.oud, correctie.nieuw) == (
        {"door": coordinator.get_full_name()},
        {"door": "Gerda Gerritsen"},
    )
    assert correctie.door == coordinator  # who corrected, apart from who held it
    # The audit log names the field, not the people.
    assert AuditEntry.objects.filter(detail="gecorrigeerd: gevoerd door").count() == 1
    for wie in (vrijwilliger, beheerder, outsider):
        with pytest.raises(ValidationError, match="coördinator van de eigen organisatie"):
            corrigeren(door=coordinator, item=fresh(gesprek), reden="x", gevoerd_door=wie)
    assert fresh(gesprek).door == collega
    assert Correctie.objects.count() == 1
    # Who held it and has since changed role stays while the notes are corrected.
    type(collega).objects.filter(pk=collega.pk).update(rol=vrijwilliger.rol)
    corrigeren(door=coordinator, item=fresh(gesprek), reden="Aangevuld", notities="Warm, rustig")
    assert (fresh(gesprek).door, fresh(gesprek).notities) == (collega, "Warm, rustig")


@pytest.mark.parametrize("kind", ["gesprek", "referentie", "vog", "deelname"])
def test_each_kind_is_refused_without_a_reason_a_change_or_the_right(
    request, coordinator, vrijwilliger, outsider, kind
):
    item = request.getfixturevalue(kind)
    veld, waarde = {
        "gesprek": ("notities", "Anders"),
        "referentie": ("uitkomst", "twijfel"),
        "vog": ("notitie", "Nagekeken"),
        "deelname": ("training", None),
    }[kind]
    if kind == "deelname":
        waarde = Training.objects.create(
            organisatie=coordinator.organisatie, datum=AGO, titel="B", trainer="T", plaats="H"
        )
    huidig = getattr(item, veld)
    with pytest.raises(ValidationError, match="reden"):
        corrigeren(door=coordinator, item=item, reden=" ", **{veld: waarde})
    with pytest.raises(ValidationError, match="niets gewijzigd"):
        corrigeren(door=coordinator, item=item, reden="x", **{veld: huidig})
    for wie in (vrijwilliger, outsider):
        with pytest.raises(TransitionError):
            corrigeren(door=wie, item=item, reden="x", **{veld: waarde})
        with pytest.raises(TransitionError):
            intrekken(door=wie, item=item, reden="x")
    # A tab opened before somebody else's correction.
    geopend = fresh(item).versie
    corrigeren(door=coordinator, item=item, reden="eerst", versie=geopend, **{veld: waarde})
    with pytest.raises(EditConflict):
        intrekken(door=coordinator, item=item, reden="tweede", versie=geopend)
    assert type(item).objects.filter(pk=item.pk).exists()
    assert Correctie.objects.count() == 1
    # Once the family is erased there is nothing left to correct.
    Gezin.objects.filter(pk=item_gezin(item)).update(geanonimiseerd_op=timezone.now())
    with pytest.raises(TransitionError, match="gewist"):
        intrekken(door=coordinator, item=fresh(item), reden="x")


def item_gezin(item) -> int:
    return item.gezinslid.gezin_id if hasattr(item, "gezinslid_id") else item.steungezin_id


def test_a_final_vog_is_corrected_with_a_reason_not_replaced_by_its_form(coordinator, vog):
    with pytest.raises(ValidationError, match="corrigeer hem dan met een reden"):
        services.vog_bijwerken(
            door=coordinator, lid=vog.gezinslid, vog_id=vog.pk, gegevens={"notitie": "Anders"}
        )
    assert fresh(vog).notitie == ""


def test_the_vog_form_bumps_the_version_so_an_older_correction_page_conflicts(
    coordinator, steungezin, vog
):
    VOG.objects.filter(pk=vog.pk).update(status="aangevraagd", ontvangen_op=None, afgegeven_op=None)
    geopend = vog.versie
    services.vog_bijwerken(
        door=coordinator,
        lid=vog.gezinslid,
        vog_id=vog.pk,
        gegevens={"notitie": "Gebeld met Justis"},
    )
    assert fresh(vog).versie == geopend + 1
    with pytest.raises(EditConflict):
        corrigeren(door=coordinator, item=vog, reden="x", versie=geopend, notitie="Anders")


def test_erasure_wipes_the_texts_of_the_screening_history(coordinator, steungezin, referentie):
    from matching.bewaren import WISSEN, rijen

    corrigeren(door=coordinator, item=referentie, reden="Over Ria", naam="Rita")
    assert rijen(Correctie, steungezin.pk).count() == 1
    assert "gezin" in WISSEN[Correctie].via


def test_the_inzage_lists_the_corrections_of_the_screening(coordinator, steungezin, vog, deelname):
    corrigeren(door=coordinator, item=vog, reden="Typfout", notitie="Nagekeken")
    intrekken(door=coordinator, item=deelname, reden="Was er niet")
    gegevens = [
        g
        for o in inzage(steungezin).onderdelen
        if o.titel == "Correcties in de screening"
        for g in o.gegevens
    ]
    assert [dict(g.velden)["Reden"] for g in gegevens] == ["Typfout", "Was er niet"]
    assert gegevens[0].titel.startswith("VOG van ")


# The pages -----------------------------------------------------------------------


def url(name, item):
    return reverse(f"matching:{name}", args=[item.pk])


def vog_data(vog, **changes) -> dict:
    data = {
        "status": vog.status,
        "aangevraagd_op": vog.aangevraagd_op.isoformat(),
        "ontvangen_op": vog.ontvangen_op.isoformat(),
        "afgegeven_op": vog.afgegeven_op.isoformat(),
        "screeningsprofiel": vog.screeningsprofiel,
        "gratis": "on",
        "notitie": vog.notitie,
        "inzending": new_token(),
        **version_fields(vog),
    }
    return {**data, **changes}


def test_correcting_a_vog_date_through_the_pages(client, coordinator, steungezin, vog):
    client.force_login(coordinator)
    page = reverse("screening:gezin", args=[steungezin.pk])
    text = client.get(page).text
    assert url("vog-corrigeren", vog) in text
    response = client.get(url("vog-corrigeren", vog))
    assert response.status_code == 200
    assert "Screening" in response.text  # the trail back
    nieuw = AGO + datetime.timedelta(days=1)
    data = vog_data(vog, ontvangen_op=nieuw.isoformat(), reden="Datum van de verklaring")
    response = client.post(url("vog-corrigeren", vog), data)
    assert response.status_code == 302, response.context["form"].errors
    assert response.url == page + "#vogs"
    # Sent twice (a double click): corrected once.
    response = client.post(url("vog-corrigeren", vog), data, follow=True)
    assert "één keer opgeslagen" in response.text
    assert Correctie.objects.count() == 1
    text = client.get(page).text
    assert "gecorrigeerd door Carla" in text
    assert f"{korte_datum(AGO)} → {korte_datum(nieuw)}" in text
    assert "Datum van de verklaring" in text


def test_without_a_reason_the_page_keeps_what_was_typed(client, coordinator, vog):
    client.force_login(coordinator)
    data = vog_data(vog, notitie="Nagekeken bij Justis", reden="")
    response = client.post(url("vog-corrigeren", vog), data)
    assert response.status_code == 200
    assert "Nagekeken bij Justis" in response.text
    assert not Correctie.objects.exists()


def test_withdrawing_a_training_attendance_through_the_pages(
    client, coordinator, steungezin, deelname
):
    client.force_login(coordinator)
    response = client.get(url("deelname-intrekken", deelname))
    assert "Basis" in response.text
    data = {"reden": "Was er niet bij", "inzending": new_token(), **version_fields(deelname)}
    assert client.post(url("deelname-intrekken", deelname), data).status_code == 302
    text = client.get(reverse("screening:gezin", args=[steungezin.pk])).text
    assert "Ingetrokken deelnames" in text
    assert "Was er niet bij" in text


def gesprek_data(gesprek, **changes) -> dict:
    data = {
        "soort": gesprek.soort,
        "datum": gesprek.datum.isoformat(),
        "door": gesprek.door_id,
        "notities": gesprek.notities,
        "reden": "Gerda voerde het gesprek",
        "inzending": new_token(),
        **version_fields(gesprek),
    }
    return {**data, **changes}


def test_who_held_a_conversation_is_corrected_through_the_pages(
    client, coordinator, collega, vrijwilliger, outsider, steungezin, gesprek
):
    client.force_login(coordinator)
    page = reverse("screening:gezin", args=[steungezin.pk])
    assert url("gesprek-corrigeren", gesprek) in client.get(page).text
    form = client.get(url("gesprek-corrigeren", gesprek)).context["form"]
    assert set(form.fields["door"].queryset) == {coordinator, collega}
    # A tampered choice: a volunteer, a coordinator elsewhere, no one.
    for wie in (vrijwilliger.pk, outsider.pk, "iemand"):
        response = client.post(url("gesprek-corrigeren", gesprek), gesprek_data(gesprek, door=wie))
        assert response.status_code == 200
        assert "Selecteer een geldige keuze" in response.context["form"].errors["door"][0]
    assert fresh(gesprek).door == coordinator
    response = client.post(
        url("gesprek-corrigeren", gesprek), gesprek_data(gesprek, door=collega.pk)
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response.url == page + "#gesprekken"
    assert fresh(gesprek).door == collega
    text = client.get(page).text
    assert "gecorrigeerd door Carla" in text
    assert f"{coordinator.get_full_name()} → Gerda Gerritsen" in text


def test_a_volunteer_coordinator_sees_no_links_and_gets_404(
    client, vrijwilliger, outsider, vog, deelname
):
    for wie in (vrijwilliger, outsider):
        client.force_login(wie)
        for name, item in (("vog-corrigeren", vog), ("deelname-intrekken", deelname)):
            assert client.get(url(name, item)).status_code == 404
            assert client.post(url(name, item), {"reden": "x"}).status_code == 404
    assert not Correctie.objects.exists()


def test_the_screening_app_names_no_url_of_matching():
    """DESIGN §6: screening's pages reach corrections through its registry."""
    root = pathlib.Path(__file__).resolve().parent.parent
    for path in [
        *(root / "templates/screening").rglob("*.html"),
        *(root / "screening").rglob("*.py"),
    ]:
        text = path.read_text()
        assert "matching:" not in text, path
        assert "import matching" not in text, path
        assert "from matching" not in text, path
