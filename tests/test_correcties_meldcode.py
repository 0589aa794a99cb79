"""Corrections of Meldcode steps and of a koppeling's agreements (issue 16,
point 3), through the one mechanism of matching.correcties: corrected with
a reason and their history kept; never withdrawn."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEntry
from gezinnen.integrity import EditConflict, TransitionError, new_token, version_fields
from gezinnen.models import today
from matching.bewaren import WISSEN, gezin_anonimiseren
from matching.correcties import corrigeren, intrekken
from matching.models import Correctie, Koppeling, MeldcodeStap, Signaal
from matching.services import meldcode_stap_vastleggen
from tests.factories import GezinslidFactory, KoppelingFactory

pytestmark = pytest.mark.django_db

DAY = today()


@pytest.fixture
def koppeling(organisatie, coordinator, vrijwilliger):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        vrijwilliger=vrijwilliger,
        start_op=DAY - datetime.timedelta(days=60),
        proefperiode_tot=DAY - datetime.timedelta(days=4),
        frequentie="wekelijks",
    )
    # As koppeling_starten leaves it: for one or more of the vraaggezin's children.
    koppeling.kinderen.set([kind(koppeling, "Anna")])
    return koppeling


def kind(koppeling, voornaam: str):
    return GezinslidFactory(gezin=koppeling.vraaggezin, voornaam=voornaam)


@pytest.fixture
def signaal(koppeling, vrijwilliger):
    signaal = Signaal.objects.create(
        koppeling=koppeling, omschrijving="Kind vertelde over ruzie", gemeld_door=vrijwilliger
    )
    Signaal.objects.filter(pk=signaal.pk).update(
        gemeld_op=signaal.gemeld_op - datetime.timedelta(days=20)
    )
    return Signaal.objects.get(pk=signaal.pk)


def stap(signaal, door, nummer, days_ago=10, **kwargs) -> MeldcodeStap:
    return meldcode_stap_vastleggen(
        door=door,
        signaal=signaal,
        stap=nummer,
        datum=DAY - datetime.timedelta(days=days_ago),
        notitie=kwargs.pop("notitie", f"stap {nummer}"),
        hulp_georganiseerd=kwargs.pop("hulp_georganiseerd", False),
        melding_veilig_thuis=kwargs.pop("melding_veilig_thuis", False),
    )


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# Meldcode steps --------------------------------------------------------------


def test_a_step_is_corrected_with_its_history_in_the_koppeling_file(
    coordinator, signaal, koppeling
):
    eerste = stap(signaal, coordinator, 1)
    correctie = corrigeren(
        door=coordinator,
        item=eerste,
        reden="Verkeerde dag",
        versie=eerste.versie,
        datum=DAY - datetime.timedelta(days=12),
        notitie="Signalen op een rij gezet met de school",
    )
    eerste = fresh(eerste)
    assert eerste.datum == DAY - datetime.timedelta(days=12)
    assert eerste.versie == 2
    assert set(correctie.oud) == {"datum", "notitie"}
    assert correctie.nieuw["notitie"] == "Signalen op een rij gezet met de school"
    # In the koppeling's file: erased with either family.
    assert correctie.koppeling_id == koppeling.pk
    assert "koppeling__vraaggezin" in WISSEN[Correctie].via


def test_a_step_is_never_withdrawn(coordinator, signaal):
    eerste = stap(signaal, coordinator, 1)
    with pytest.raises(TransitionError, match="niet ingetrokken"):
        intrekken(door=coordinator, item=eerste, reden="Per ongeluk")
    assert MeldcodeStap.objects.filter(pk=eerste.pk).exists()
    assert not Correctie.objects.exists()


def test_the_decision_keeps_help_or_a_report_and_its_day_closes_the_signal(coordinator, signaal):
    for nummer in (1, 2, 3, 4):
        stap(signaal, coordinator, nummer, days_ago=10)
    besluit = stap(signaal, coordinator, 5, days_ago=5, hulp_georganiseerd=True)
    assert fresh(signaal).afgehandeld_op == DAY - datetime.timedelta(days=5)
    # The database allows no decision without help or a report: a Dutch
    # message from the service, not an IntegrityError.
    with pytest.raises(ValidationError):
        corrigeren(
            door=coordinator,
            item=besluit,
            reden="x",
            versie=besluit.versie,
            hulp_georganiseerd=False,
        )
    corrigeren(
        door=coordinator,
        item=besluit,
        reden="Besluit was een dag eerder",
        versie=besluit.versie,
        datum=DAY - datetime.timedelta(days=6),
    )
    assert fresh(signaal).afgehandeld_op == DAY - datetime.timedelta(days=6)


@pytest.mark.parametrize(
    ("days_ago", "message"),
    [(-1, "in de toekomst"), (25, "vóór de melding")],
)
def test_a_step_stays_between_the_report_and_today(coordinator, signaal, days_ago, message):
    eerste = stap(signaal, coordinator, 1)
    with pytest.raises(ValidationError, match=message):
        corrigeren(
            door=coordinator,
            item=eerste,
            reden="x",
            versie=eerste.versie,
            datum=DAY - datetime.timedelta(days=days_ago),
        )
    assert fresh(eerste).datum == eerste.datum


def test_a_step_from_a_stale_tab_conflicts_and_others_may_not(
    coordinator, vrijwilliger, outsider, signaal
):
    eerste = stap(signaal, coordinator, 1)
    oud = eerste.versie
    corrigeren(door=coordinator, item=eerste, reden="a", versie=oud, notitie="eerste correctie")
    with pytest.raises(EditConflict):
        corrigeren(door=coordinator, item=eerste, reden="b", versie=oud, notitie="tweede")
    for person in (vrijwilliger, outsider):
        with pytest.raises(TransitionError):
            corrigeren(door=person, item=fresh(eerste), reden="c", notitie="niet van u")
    assert fresh(eerste).notitie == "eerste correctie"


def test_the_signal_page_links_the_correction_and_shows_the_history(
    client, coordinator, vrijwilliger, signaal
):
    eerste = stap(signaal, coordinator, 1)
    corrigeer = reverse("matching:meldcodestap-corrigeren", args=[eerste.pk])
    client.force_login(coordinator)
    page = client.get(reverse("matching:signaal", args=[signaal.pk])).text
    assert f'href="{corrigeer}"' in page
    form = client.get(corrigeer)
    assert form.status_code == 200
    assert "hulp_georganiseerd" not in form.context["form"].fields  # only at the decision
    response = client.post(
        corrigeer,
        {
            "datum": eerste.datum.isoformat(),
            "notitie": "Met de intern begeleider besproken",
            "reden": "Aanvulling",
            "inzending": new_token(),
            **version_fields(eerste),
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("matching:signaal", args=[signaal.pk])
    page = client.get(response.url).text
    assert "gecorrigeerd door" in page
    assert "Met de intern begeleider besproken" in page
    # Professionals only: the volunteer coordinator gets neither page.
    client.force_login(vrijwilliger)
    assert client.get(corrigeer).status_code == 404
    assert client.get(reverse("matching:signaal", args=[signaal.pk])).status_code == 404


# A koppeling's agreements ----------------------------------------------------


def test_the_agreements_are_corrected_and_the_next_evaluation_follows(coordinator, koppeling):
    assert koppeling.volgende_evaluatie_soort in ("", "proefperiode")
    koppeling.evaluatie_plannen()
    assert fresh(koppeling).volgende_evaluatie_op == koppeling.proefperiode_tot
    later = DAY + datetime.timedelta(days=30)
    correctie = corrigeren(
        door=coordinator,
        item=koppeling,
        reden="Proefperiode met een maand verlengd",
        versie=fresh(koppeling).versie,
        afspraken="Om de week een zaterdag",
        proefperiode_tot=later,
    )
    now = fresh(koppeling)
    assert (now.afspraken, now.proefperiode_tot) == ("Om de week een zaterdag", later)
    assert now.volgende_evaluatie_op == later
    assert correctie.koppeling_id == koppeling.pk
    assert correctie.gezin_id is None  # not in a steungezin's screening history
    assert set(correctie.oud) == {"afspraken", "proefperiode_tot"}


def test_the_agreements_keep_their_dates_after_the_start_and_are_never_withdrawn(
    coordinator, koppeling
):
    for dag in (koppeling.start_op, koppeling.start_op - datetime.timedelta(days=1)):
        with pytest.raises(ValidationError, match="na de start"):
            corrigeren(
                door=coordinator,
                item=koppeling,
                reden="x",
                versie=fresh(koppeling).versie,
                gepland_einde=dag,
            )
    with pytest.raises(ValidationError, match="Beschrijf de afspraken"):
        corrigeren(door=coordinator, item=koppeling, reden="x", afspraken="  ")
    with pytest.raises(TransitionError, match="niet ingetrokken"):
        intrekken(door=coordinator, item=koppeling, reden="x")
    assert Koppeling.objects.filter(pk=koppeling.pk).exists()


def test_the_children_of_the_agreements_are_corrected_and_named_by_first_name(
    coordinator, koppeling
):
    anna = koppeling.kinderen.get()
    bram = kind(koppeling, "Bram")
    correctie = corrigeren(
        door=coordinator,
        item=koppeling,
        reden="Bram gaat ook mee",
        versie=fresh(koppeling).versie,
        kinderen=[bram, anna],
    )
    assert set(fresh(koppeling).kinderen.all()) == {anna, bram}
    assert correctie.wijzigingen() == [("voor welke kinderen", "Anna", "Anna, Bram")]
    # The audit log names the field, not the children.
    assert AuditEntry.objects.filter(detail="gecorrigeerd: voor welke kinderen").count() == 1
    # By key as well, in another order: the same children, nothing changed.
    with pytest.raises(ValidationError, match="niets gewijzigd"):
        corrigeren(door=coordinator, item=fresh(koppeling), reden="x", kinderen=[anna.pk, bram.pk])


def test_the_agreements_are_for_one_or_more_children_of_the_vraaggezin(
    coordinator, koppeling, organisatie
):
    anna = koppeling.kinderen.get()
    others = [
        koppeling.vraaggezin.leden.get(soort="volwassene"),  # the parent
        GezinslidFactory(gezin=koppeling.steungezin, voornaam="Stijn"),
        GezinslidFactory(gezin=KoppelingFactory(organisatie=organisatie).vraaggezin),
    ]
    for other in others:
        with pytest.raises(ValidationError, match="alleen kinderen van het vraaggezin"):
            corrigeren(door=coordinator, item=fresh(koppeling), reden="x", kinderen=[anna, other])
    with pytest.raises(ValidationError, match="een of meer kinderen"):
        corrigeren(door=coordinator, item=fresh(koppeling), reden="x", kinderen=[])
    # A refusal rolls the children back with the rest.
    assert list(fresh(koppeling).kinderen.all()) == [anna]
    assert fresh(koppeling).versie == koppeling.versie
    assert not Correctie.objects.exists()


def test_the_children_are_corrected_through_the_page(client, coordinator, koppeling):
    anna = koppeling.kinderen.get()
    bram = kind(koppeling, "Bram")
    stijn = GezinslidFactory(gezin=koppeling.steungezin, voornaam="Stijn")
    page = reverse("matching:afspraken-corrigeren", args=[koppeling.pk])
    client.force_login(coordinator)
    form = client.get(page).context["form"]
    assert set(form.fields["kinderen"].queryset) == set(
        koppeling.vraaggezin.leden.filter(soort="kind")
    )
    assert form["kinderen"].value() == [anna.pk]

    def post(kinderen):
        return client.post(
            page,
            {
                "afspraken": koppeling.afspraken,
                "frequentie": koppeling.frequentie,
                "kinderen": kinderen,
                "proefperiode_tot": koppeling.proefperiode_tot.isoformat(),
                "reden": "Bram gaat ook mee",
                "inzending": new_token(),
                **version_fields(fresh(koppeling)),
            },
        )

    for tampered, message in (([anna.pk, stijn.pk], "alleen kinderen"), ([], "een of meer")):
        response = post(tampered)
        assert response.status_code == 200
        assert message in response.context["form"].errors["kinderen"][0]
    response = post([anna.pk, bram.pk])
    assert response.status_code == 302
    detail = client.get(reverse("matching:detail", args=[koppeling.pk])).text
    assert 'Voor welke kinderen: <span class="app-prewrap">Anna → Anna, Bram' in detail
    assert set(fresh(koppeling).kinderen.all()) == {anna, bram}


def test_the_childrens_correction_is_in_the_vraaggezin_file_only(coordinator, koppeling):
    from reports.inzage import inzage

    anna = koppeling.kinderen.get()
    corrigeren(
        door=coordinator,
        item=koppeling,
        reden="Ook voor het broertje",
        kinderen=[anna, kind(koppeling, "Bram")],
    )

    def rows(gezin) -> list:
        return [row for o in inzage(gezin).onderdelen for g in o.gegevens for row in g.velden]

    assert ("Voor welke kinderen", "Anna → Anna, Bram") in rows(koppeling.vraaggezin)
    steun = rows(koppeling.steungezin)
    assert ("Reden", "Ook voor het broertje") not in steun
    assert not [row for row in steun if "Bram" in row[1] or "Anna" in row[1]]


def test_agreements_come_with_the_start(coordinator, organisatie):
    voorgesteld = KoppelingFactory(
        organisatie=organisatie, status=Koppeling.Status.VOORGESTELD, start_op=None
    )
    with pytest.raises(TransitionError, match="nog niet gestart"):
        corrigeren(door=coordinator, item=voorgesteld, reden="x", afspraken="iets")


def test_nothing_is_corrected_once_a_family_is_erased(coordinator, koppeling, signaal):
    eerste = stap(signaal, coordinator, 1)
    Koppeling.objects.filter(pk=koppeling.pk).update(
        status="afgesloten", einde_op=DAY, einde_reden="doel_bereikt"
    )
    vraag = koppeling.vraaggezin
    type(vraag).objects.filter(pk=vraag.pk).update(status="afgesloten")
    gezin_anonimiseren(door=coordinator, gezin=vraag, wijze="verzoek", reden="verzoek_gezin")
    with pytest.raises(TransitionError, match="gewist"):
        corrigeren(door=coordinator, item=fresh(koppeling), reden="x", frequentie="maandelijks")
    with pytest.raises(TransitionError, match="gewist"):
        corrigeren(door=coordinator, item=fresh(eerste), reden="x", notitie="nieuw")


def test_the_agreements_page_is_for_the_own_coordinators(client, all_roles, koppeling):
    page = reverse("matching:afspraken-corrigeren", args=[koppeling.pk])
    client.force_login(all_roles["coordinator"])
    detail = client.get(reverse("matching:detail", args=[koppeling.pk])).text
    assert f'href="{page}"' in detail
    form = client.get(page)
    assert form.status_code == 200
    assert form.context["form"]["afspraken"].value() == koppeling.afspraken
    response = client.post(
        page,
        {
            "afspraken": koppeling.afspraken,
            "frequentie": "elke zaterdag",
            "kinderen": [k.pk for k in koppeling.kinderen.all()],
            "proefperiode_tot": koppeling.proefperiode_tot.isoformat(),
            "gepland_einde": "",
            "reden": "Dag gewijzigd",
            "inzending": new_token(),
            **version_fields(koppeling),
        },
    )
    assert response.status_code == 302
    detail = client.get(reverse("matching:detail", args=[koppeling.pk])).text
    assert "Gecorrigeerd door" in detail
    assert "wekelijks → elke zaterdag" in detail
    for person in ("vrijwilliger", "beheerder", "outsider"):
        client.force_login(all_roles[person])
        assert client.get(page).status_code == 404, person
        assert client.post(page, {"reden": "x"}).status_code == 404, person
    assert fresh(koppeling).frequentie == "elke zaterdag"


def test_the_inzage_lists_step_corrections_in_the_vraaggezin_file_only(
    coordinator, koppeling, signaal
):
    from reports.inzage import inzage

    eerste = stap(signaal, coordinator, 1)
    corrigeren(door=coordinator, item=eerste, reden="Aanvulling van de school", notitie="Meer")
    corrigeren(door=coordinator, item=fresh(koppeling), reden="Andere dag", frequentie="zaterdag")

    def redenen(gezin) -> list[str]:
        gegevens = [g for o in inzage(gezin).onderdelen for g in o.gegevens]
        return [dict(g.velden).get("Reden") for g in gegevens if g.titel.endswith("gecorrigeerd")]

    # The agreements concern both families; a Meldcode step the vraaggezin's children.
    assert sorted(redenen(koppeling.vraaggezin)) == ["Aanvulling van de school", "Andere dag"]
    assert redenen(koppeling.steungezin) == ["Andere dag"]
