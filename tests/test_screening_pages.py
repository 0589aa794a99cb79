import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEntry
from gezinnen.models import Steungezin, today
from screening.models import (
    VOG,
    Criterium,
    CriteriumBeoordeling,
    ScreeningGesprek,
    Training,
    add_months,
)
from tests.factories import GezinslidFactory, SteungezinFactory, approved_steungezin

pytestmark = pytest.mark.django_db

DAY = today()


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


def vog_url(gezin, lid=None):
    lid = lid or gezin.leden.first()
    return reverse("screening:vog", args=[gezin.pk, lid.pk])


def test_it_records_a_received_vog(logged_in, gezin, coordinator):
    response = logged_in.post(
        vog_url(gezin),
        {
            "status": "ontvangen",
            "aangevraagd_op": iso(20),
            "afgegeven_op": iso(10),
            "ontvangen_op": iso(8),
            "screeningsprofiel": "functiegebied 08",
            "gratis": "on",
        },
    )
    assert response.status_code == 302
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


def test_it_refuses_vog_dates_in_the_wrong_order_and_keeps_them(logged_in, gezin):
    response = logged_in.post(
        vog_url(gezin),
        {
            "status": "ontvangen",
            "aangevraagd_op": iso(5),
            "afgegeven_op": iso(10),
            "ontvangen_op": iso(8),
            "screeningsprofiel": "functiegebied 08",
        },
    )
    assert response.status_code == 200
    assert "De VOG kan niet vóór de aanvraag zijn afgegeven." in response.text
    assert f'value="{iso(10)}"' in response.text
    assert not VOG.objects.exists()


def test_it_refuses_an_issue_date_in_the_future(logged_in, gezin):
    response = logged_in.post(
        vog_url(gezin),
        {
            "status": "ontvangen",
            "afgegeven_op": iso(-3),
            "ontvangen_op": iso(0),
            "screeningsprofiel": "08",
        },
    )
    assert "Deze datum ligt in de toekomst." in response.text
    assert not VOG.objects.exists()


def test_opening_a_vog_is_audited(logged_in, gezin, coordinator):
    logged_in.get(vog_url(gezin))
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
    assert response.status_code == 302
    new = VOG.objects.exclude(pk=old.pk).get()
    assert new.status == VOG.Status.AAN_TE_VRAGEN
    # A second click does not start a third.
    logged_in.post(reverse("screening:vog-nieuw", args=[gezin.pk, lid.pk]))
    assert VOG.objects.count() == 2


def test_no_vog_for_a_young_child(logged_in, gezin):
    child = GezinslidFactory(gezin=gezin, soort="kind", geboortedatum=add_months(DAY, -12 * 10))
    response = logged_in.post(
        reverse("screening:vog-nieuw", args=[gezin.pk, child.pk]), follow=True
    )
    assert "heeft nog geen VOG nodig" in response.text
    assert not VOG.objects.exists()


def test_it_records_a_home_visit(logged_in, gezin, coordinator):
    url = reverse("screening:gesprek", args=[gezin.pk, "huisbezoek"])
    assert logged_in.get(url).status_code == 200
    response = logged_in.post(
        url, {"datum": iso(1), "door": coordinator.pk, "notities": "Veilig huis"}
    )
    assert response.status_code == 302
    gesprek = ScreeningGesprek.objects.get()
    assert (gesprek.soort, gesprek.door, gesprek.notities) == (
        "huisbezoek",
        coordinator,
        "Veilig huis",
    )


def test_a_conversation_cannot_be_in_the_future(logged_in, gezin, coordinator):
    url = reverse("screening:gesprek", args=[gezin.pk, "kennismaking"])
    response = logged_in.post(url, {"datum": iso(-1), "door": coordinator.pk})
    assert "Deze datum ligt in de toekomst." in response.text
    assert not ScreeningGesprek.objects.exists()


def test_an_unknown_kind_of_conversation_is_a_404(logged_in, gezin):
    assert (
        logged_in.get(reverse("screening:gesprek", args=[gezin.pk, "feestje"])).status_code == 404
    )


def test_it_records_a_reference(logged_in, gezin):
    url = reverse("screening:referentie", args=[gezin.pk])
    response = logged_in.post(
        url,
        {"naam": "Ingrid", "relatie": "buurvrouw", "benaderd_op": iso(2), "uitkomst": "positief"},
    )
    assert response.status_code == 302
    assert gezin.referenties.get().naam == "Ingrid"


def test_it_records_the_criteria(logged_in, gezin, organisatie):
    ja, nee, open_ = (Criterium.objects.create(organisatie=organisatie, tekst=t) for t in "abc")
    Criterium.objects.create(organisatie=organisatie, tekst="Vervallen vraag", actief=False)
    url = reverse("screening:criteria", args=[gezin.pk])
    response = logged_in.get(url)
    assert "Vervallen vraag" not in response.text
    response = logged_in.post(
        url,
        {
            f"c{ja.pk}": "ja",
            f"c{nee.pk}": "nee",
            f"n{nee.pk}": "Trap zonder hek",
            f"c{open_.pk}": "",
        },
    )
    assert response.status_code == 302
    stored = {b.criterium_id: (b.voldoet, b.notitie) for b in CriteriumBeoordeling.objects.all()}
    assert stored == {ja.pk: (True, ""), nee.pk: (False, "Trap zonder hek")}


def test_it_records_training_attendance(logged_in, gezin, training):
    lid = gezin.leden.first()
    url = reverse("screening:training", args=[gezin.pk])
    response = logged_in.post(url, {"training": training.pk, "leden": [lid.pk]})
    assert response.status_code == 302
    assert list(training.deelnemers.all()) == [lid]


def test_attendance_only_for_members_of_the_family(logged_in, gezin, training, organisatie):
    stranger = SteungezinFactory(organisatie=organisatie).leden.first()
    url = reverse("screening:training", args=[gezin.pk])
    response = logged_in.post(url, {"training": training.pk, "leden": [stranger.pk]})
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
    response = logged_in.post(url, {"training": future.pk, "leden": [gezin.leden.first().pk]})
    assert "kan niet in de toekomst liggen" in response.text


def test_approval_is_refused_with_what_is_missing(logged_in, gezin):
    url = reverse("screening:besluit", args=[gezin.pk])
    response = logged_in.get(url)
    assert "Het huisbezoek is nog niet gedaan." in response.text
    response = logged_in.post(url)
    assert "Nog niet goed te keuren" in response.text
    gezin.refresh_from_db()
    assert gezin.status == Steungezin.Status.IN_SCREENING


def test_a_complete_screening_is_approved(logged_in, gezin, training, coordinator):
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

    response = logged_in.post(reverse("screening:besluit", args=[gezin.pk]))
    assert response.status_code == 302
    gezin.refresh_from_db()
    assert gezin.status == Steungezin.Status.BESCHIKBAAR
    stap = gezin.statuswijzigingen.get()
    assert (stap.van, stap.naar, stap.door) == ("in_screening", "beschikbaar", coordinator)
    assert AuditEntry.objects.filter(
        object_id=str(gezin.pk), user=coordinator, detail="goedgekeurd: beschikbaar"
    ).exists()


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
