import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AuditEntry
from gezinnen.models import Vraaggezin, today
from matching import services
from matching.models import Evaluatie, Koppeling, MeldcodeStap, Signaal
from matching.suggestions import score, suggesties
from screening.models import VOG, add_months
from tests.factories import (
    KoppelingFactory,
    SteungezinFactory,
    UserFactory,
    VraaggezinFactory,
    WijkFactory,
    approved_steungezin,
)

pytestmark = pytest.mark.django_db

DAY = today()


def as_request(user):
    # Services take the acting user, never a request.
    return user


def waiting(organisatie, **kwargs) -> Vraaggezin:
    kwargs.setdefault("leden", [("volwassene", 35), ("kind", 6)])
    return VraaggezinFactory(organisatie=organisatie, status="wachtend", **kwargs)


# Scoring ---------------------------------------------------------------------


def points(suggestie) -> dict[str, int]:
    return {c.naam: c.punten for c in suggestie.criteria}


def test_it_scores_every_criterion_with_the_organisations_weights(organisatie):
    noord = WijkFactory(organisatie=organisatie, naam="Noord")
    vraag = waiting(
        organisatie,
        wijk=noord,
        dagdelen=["wo_middag", "za_ochtend"],
        ondersteuning=["speelmiddag", "opvang"],
        talen="Nederlands, Arabisch",
    )
    steun = approved_steungezin(
        organisatie,
        wijk=noord,
        beschikbaarheid=["wo_middag"],
        aanbod=["speelmiddag"],
        talen="arabisch",
        leeftijd_van=4,
        leeftijd_tot=10,
        max_kinderen=2,
    )
    suggestie = score(vraag, steun, DAY)
    assert points(suggestie) == {"wijk": 30, "dagen": 12, "kinderen": 20, "steun": 8, "taal": 10}
    assert suggestie.totaal == 80
    assert suggestie.maximum == 100
    uitleg = {c.naam: c.uitleg for c in suggestie.criteria}
    assert uitleg["dagen"] == "1 van 2 gewenste dagdelen"
    assert uitleg["taal"] == "spreken Arabisch"

    organisatie.gewicht_wijk = 50
    organisatie.save()
    vraag.refresh_from_db()
    assert points(score(Vraaggezin.objects.get(pk=vraag.pk), steun, DAY))["wijk"] == 50


def test_an_adjacent_wijk_counts_half(organisatie):
    noord, zuid, ver = (WijkFactory(organisatie=organisatie, naam=n) for n in ("N", "Z", "V"))
    noord.aangrenzend.add(zuid)
    vraag = waiting(organisatie, wijk=noord)
    assert points(score(vraag, approved_steungezin(organisatie, wijk=zuid), DAY))["wijk"] == 15
    assert points(score(vraag, approved_steungezin(organisatie, wijk=ver), DAY))["wijk"] == 0


def test_children_outside_the_age_range_or_too_many_cost_points(organisatie):
    vraag = waiting(organisatie, leden=[("volwassene", 30), ("kind", 3), ("kind", 9), ("kind", 11)])
    steun = approved_steungezin(organisatie, leeftijd_van=8, leeftijd_tot=12, max_kinderen=3)
    assert points(score(vraag, steun, DAY))["kinderen"] == 13  # 2 of 3 in range
    steun.max_kinderen = 2
    assert points(score(vraag, steun, DAY))["kinderen"] == 7  # and one too many


def test_it_ranks_the_best_first_and_says_who_is_left_out_and_why(organisatie, coordinator):
    noord = WijkFactory(organisatie=organisatie, naam="Noord")
    vraag = waiting(organisatie, wijk=noord)
    best = approved_steungezin(organisatie, naam="Dichtbij", wijk=noord)
    second = approved_steungezin(organisatie, naam="Verder")
    screening = SteungezinFactory(organisatie=organisatie, naam="Nieuw", status="in_screening")
    full = approved_steungezin(organisatie, naam="Vol", capaciteit=1)
    KoppelingFactory(organisatie=organisatie, steungezin=full)
    expired = approved_steungezin(organisatie, naam="Verlopen")
    VOG.objects.filter(gezinslid__gezin=expired).update(afgegeven_op=add_months(DAY, -40))

    gevonden = suggesties(vraag, DAY, uitgesloten=True)
    assert [s.steungezin for s in gevonden.beste] == [best, second]
    assert (gevonden.aantal, gevonden.aantal_uitgesloten) == (2, 3)
    reasons = {gezin.naam: " ".join(r) for gezin, r in gevonden.uitgesloten}
    assert "status is in screening" in reasons["Nieuw"]
    assert "geen plek: 1 van 1" in reasons["Vol"]
    assert "is verlopen" in reasons["Verlopen"]
    assert screening.naam in reasons


def test_stopped_rejected_and_unscreened_steungezinnen_are_not_even_loaded(organisatie):
    """They never appear on the page: the query leaves them out, so that a
    programme with years of stopped families does not pay for them."""
    vraag = waiting(organisatie)
    approved_steungezin(organisatie, naam="Beschikbaar")

    def loaded() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            gevonden = suggesties(vraag, DAY, uitgesloten=True)
        names = {s.steungezin.naam for s in gevonden.beste} | {
            g.naam for g, _ in gevonden.uitgesloten
        }
        return len(captured.captured_queries), names, gevonden.aantal_uitgesloten

    loaded()  # the stored verdicts made once
    queries, names, _ = loaded()
    for status in ("gestopt", "afgewezen", "aangemeld"):
        approved_steungezin(organisatie, naam=f"Niet {status}", status=status)
    loaded()
    assert loaded() == (queries, names, 0) == (queries, {"Beschikbaar"}, 0)
    from matching.suggestions import _kandidaten

    assert {g.naam for g in _kandidaten(organisatie.pk, DAY)} == {"Beschikbaar"}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    status=st.sampled_from(["aangemeld", "in_screening", "beschikbaar", "gestopt", "afgewezen"]),
    capaciteit=st.integers(min_value=1, max_value=3),
    actief=st.integers(min_value=0, max_value=3),
    vog=st.sampled_from(["geldig", "verlopen", "aangevraagd", "geen"]),
)
def test_an_ineligible_steungezin_is_never_suggested(organisatie, status, capaciteit, actief, vog):
    vraag = waiting(organisatie)
    steun = SteungezinFactory(
        organisatie=organisatie, status=status, capaciteit=capaciteit, leden=[("volwassene", 40)]
    )
    lid = steun.leden.get()
    issued = {"geldig": DAY - datetime.timedelta(days=30), "verlopen": add_months(DAY, -37)}.get(
        vog
    )
    if vog in ("geldig", "verlopen"):
        VOG.objects.create(
            gezinslid=lid, status="ontvangen", afgegeven_op=issued, ontvangen_op=issued
        )
    elif vog == "aangevraagd":
        VOG.objects.create(gezinslid=lid, status="aangevraagd", aangevraagd_op=DAY)
    for _ in range(actief):
        KoppelingFactory(organisatie=organisatie, steungezin=steun)
    eligible = status == "beschikbaar" and vog == "geldig" and actief < capaciteit

    gevonden = suggesties(vraag, DAY)
    assert (steun in [s.steungezin for s in gevonden.beste]) is eligible
    assert gevonden.aantal == int(eligible)
    # Hypothesis runs every example in the same test transaction: clean up.
    Koppeling.objects.all().delete()
    Vraaggezin.objects.all().delete()
    steun.delete()


# Lifecycle ---------------------------------------------------------------------


@pytest.fixture
def request_(coordinator):
    return as_request(coordinator)


def propose(request_, organisatie, **kwargs):
    return services.koppeling_voorstellen(
        door=request_,
        vraaggezin=waiting(organisatie),
        steungezin=approved_steungezin(organisatie, **kwargs),
    )


def go(request_, koppeling):
    services.kennismaking_plannen(door=request_, koppeling=koppeling, datum=DAY)
    return services.kennismaking_uitkomst_vastleggen(
        door=request_, koppeling=koppeling, uitkomst="go", notities="Klik!"
    )


def start(request_, koppeling, day=DAY):
    return services.koppeling_starten(
        door=request_,
        koppeling=koppeling,
        start_op=day,
        afspraken="Speelmiddag",
        frequentie="wekelijks",
        kinderen=list(koppeling.vraaggezin.leden.filter(soort="kind").values_list("pk", flat=True)),
        gepland_einde=None,
        proefperiode_tot=day + datetime.timedelta(weeks=8),
    )


def test_a_match_goes_from_proposal_to_active(request_, organisatie, coordinator):
    koppeling = propose(request_, organisatie)
    assert koppeling.status == Koppeling.Status.VOORGESTELD
    assert koppeling.coordinator == coordinator
    koppeling = go(request_, koppeling)
    assert (koppeling.status, koppeling.kennismaking_uitkomst) == ("kennismaking", "go")
    koppeling = start(request_, koppeling)
    assert koppeling.status == Koppeling.Status.ACTIEF
    assert koppeling.volgende_contact_op == DAY + datetime.timedelta(weeks=2)
    koppeling.vraaggezin.refresh_from_db()
    assert koppeling.vraaggezin.status == Vraaggezin.Status.GEKOPPELD
    assert koppeling.kinderen.count() == 1


def test_only_a_waiting_vraaggezin_is_proposed(request_, organisatie):
    vraag = VraaggezinFactory(organisatie=organisatie, status="intake")
    with pytest.raises(services.KoppelingError, match="na de intake"):
        services.koppeling_voorstellen(
            door=request_, vraaggezin=vraag, steungezin=approved_steungezin(organisatie)
        )


def test_a_vraaggezin_has_at_most_one_running_match(request_, organisatie):
    koppeling = propose(request_, organisatie)
    with pytest.raises(services.KoppelingError, match="al een lopende koppeling"):
        services.koppeling_voorstellen(
            door=request_,
            vraaggezin=koppeling.vraaggezin,
            steungezin=approved_steungezin(organisatie),
        )
    with pytest.raises(IntegrityError):
        Koppeling.objects.create(
            organisatie=organisatie,
            vraaggezin=koppeling.vraaggezin,
            steungezin=koppeling.steungezin,
            coordinator=koppeling.coordinator,
        )


def test_a_no_go_ends_the_proposal_and_the_family_keeps_waiting(request_, organisatie):
    koppeling = propose(request_, organisatie)
    services.kennismaking_plannen(door=request_, koppeling=koppeling, datum=DAY)
    koppeling = services.kennismaking_uitkomst_vastleggen(
        door=request_, koppeling=koppeling, uitkomst="no_go", notities=""
    )
    assert (koppeling.status, koppeling.einde_reden) == ("afgesloten", "klik")
    koppeling.vraaggezin.refresh_from_db()
    assert koppeling.vraaggezin.status == "wachtend"


def test_starting_needs_a_go(request_, organisatie):
    koppeling = propose(request_, organisatie)
    with pytest.raises(services.KoppelingError, match="Starten kan nu niet"):
        start(request_, koppeling)
    services.kennismaking_plannen(door=request_, koppeling=koppeling, datum=DAY)
    with pytest.raises(services.KoppelingError, match="uitkomst 'go'"):
        start(request_, koppeling)


def test_starting_rechecks_the_vogs(request_, organisatie):
    koppeling = go(request_, propose(request_, organisatie))
    VOG.objects.filter(gezinslid__gezin=koppeling.steungezin).update(
        afgegeven_op=add_months(DAY, -40)
    )
    with pytest.raises(services.KoppelingError, match="verlopen"):
        start(request_, koppeling)
    koppeling.refresh_from_db()
    assert koppeling.status == Koppeling.Status.KENNISMAKING


def test_starting_respects_the_capacity(request_, organisatie):
    first = go(request_, propose(request_, organisatie, capaciteit=1))
    second = go(
        request_,
        services.koppeling_voorstellen(
            door=request_, vraaggezin=waiting(organisatie), steungezin=first.steungezin
        ),
    )
    start(request_, first)
    with pytest.raises(services.KoppelingError, match="geen plek"):
        start(request_, second)
    assert Koppeling.objects.filter(steungezin=first.steungezin, status="actief").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_starting_at_once_never_exceed_the_capacity(organisatie, coordinator):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; CI runs this test there.")
    colleague = UserFactory(organisatie=organisatie)
    request_ = as_request(coordinator)
    first = go(request_, propose(request_, organisatie, capaciteit=1))
    second = go(
        request_,
        services.koppeling_voorstellen(
            door=request_, vraaggezin=waiting(organisatie), steungezin=first.steungezin
        ),
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(koppeling, user):
        try:
            barrier.wait()
            start(as_request(user), koppeling)
            outcomes.append("gestart")
        except services.KoppelingError:
            outcomes.append("geweigerd")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=args)
        for args in ((first, coordinator), (second, colleague))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["gestart", "geweigerd"]
    assert Koppeling.objects.filter(steungezin=first.steungezin, status="actief").count() == 1


def test_ending_needs_a_reason_and_sends_the_families_back(request_, organisatie):
    koppeling = start(request_, go(request_, propose(request_, organisatie)))
    with pytest.raises(services.KoppelingError, match="reden"):
        services.koppeling_afsluiten(
            door=request_,
            koppeling=koppeling,
            einde_op=DAY,
            reden="",
            uitkomst="",
            vraaggezin_naar="wachtend",
            steungezin_naar="beschikbaar",
        )
    services.koppeling_afsluiten(
        door=request_,
        koppeling=koppeling,
        einde_op=DAY,
        reden="verhuisd",
        uitkomst="Verhuisd",
        vraaggezin_naar="wachtend",
        steungezin_naar="gestopt",
        doel_bereikt="deels",
    )
    koppeling.refresh_from_db()
    assert (koppeling.status, koppeling.einde_reden, koppeling.volgende_contact_op) == (
        "afgesloten",
        "verhuisd",
        None,
    )
    koppeling.vraaggezin.refresh_from_db()
    koppeling.steungezin.refresh_from_db()
    assert koppeling.vraaggezin.status == "wachtend"
    assert koppeling.vraaggezin.wacht_sinds == DAY
    assert koppeling.steungezin.status == "gestopt"


def ending(request_, koppeling, **kwargs):
    return services.koppeling_afsluiten(
        door=request_,
        koppeling=koppeling,
        einde_op=DAY,
        reden="klik",
        uitkomst="",
        vraaggezin_naar="wachtend",
        steungezin_naar="beschikbaar",
        **kwargs,
    )


@pytest.mark.parametrize("doel_bereikt", ["", "misschien"])
def test_ending_a_started_match_says_whether_its_goal_was_reached(
    request_, organisatie, doel_bereikt
):
    koppeling = start(request_, go(request_, propose(request_, organisatie)))
    with pytest.raises(ValidationError) as refused:
        ending(request_, koppeling, doel_bereikt=doel_bereikt)
    assert refused.value.message_dict == {
        "doel_bereikt": ["Geef aan of het doel van de koppeling bereikt is: ja, deels of nee."]
    }
    koppeling.refresh_from_db()
    assert (koppeling.status, koppeling.doel_bereikt) == ("actief", "")

    ending(request_, koppeling, doel_bereikt="nee")
    koppeling.refresh_from_db()
    assert (koppeling.status, koppeling.doel_bereikt) == ("afgesloten", "nee")
    entry = AuditEntry.objects.filter(object_id=str(koppeling.pk)).latest("id")
    assert entry.detail == "afgesloten: klik niet goed; doel bereikt: nee"


@pytest.mark.parametrize("before_the_start", [propose, lambda r, o: go(r, propose(r, o))])
def test_a_match_that_ends_before_the_start_has_no_goal_reached(
    request_, organisatie, before_the_start
):
    koppeling = before_the_start(request_, organisatie)
    with pytest.raises(ValidationError) as refused:
        ending(request_, koppeling, doel_bereikt="ja")
    assert list(refused.value.message_dict) == ["doel_bereikt"]
    ending(request_, koppeling)
    koppeling.refresh_from_db()
    assert (koppeling.status, koppeling.doel_bereikt) == ("afgesloten", "")


def test_a_match_that_needs_a_professional_never_gets_a_volunteer(organisatie, vrijwilliger):
    koppeling = KoppelingFactory(organisatie=organisatie, professional_nodig=True)
    koppeling.vrijwilliger = vrijwilliger
    with pytest.raises(Exception, match="professional"):
        koppeling.full_clean()
    with pytest.raises(IntegrityError):
        koppeling.save()


# Check-ins and evaluations -----------------------------------------------------------


def test_the_cadence_sets_the_next_checkin(organisatie):
    start_day = datetime.date(2026, 1, 5)
    koppeling = KoppelingFactory(organisatie=organisatie, start_op=start_day)
    assert koppeling.next_checkin(None) == datetime.date(2026, 1, 19)  # 2 weeks
    assert koppeling.next_checkin(datetime.date(2026, 1, 20)) == datetime.date(
        2026, 2, 16
    )  # 6 weeks
    assert koppeling.next_checkin(datetime.date(2026, 2, 16)) == datetime.date(
        2026, 5, 16
    )  # +3 months
    assert koppeling.next_checkin(datetime.date(2026, 6, 1)) == datetime.date(2026, 8, 16)


def test_a_checkin_moves_the_next_date_unless_set_by_hand(request_, organisatie):
    koppeling = KoppelingFactory(
        organisatie=organisatie, start_op=DAY - datetime.timedelta(days=20)
    )
    services.contactmoment_vastleggen(
        door=request_,
        koppeling=koppeling,
        datum=DAY,
        met="beide",
        hoe="telefoon",
        verloop="goed",
    )
    koppeling.refresh_from_db()
    assert koppeling.volgende_contact_op == koppeling.start_op + datetime.timedelta(weeks=6)
    by_hand = DAY + datetime.timedelta(days=3)
    services.contactmoment_vastleggen(
        door=request_,
        koppeling=koppeling,
        datum=DAY,
        met="vraaggezin",
        hoe="bezoek",
        verloop="zorgen",
        volgende_op=by_hand,
    )
    koppeling.refresh_from_db()
    assert koppeling.volgende_contact_op == by_hand


def test_an_overdue_checkin_is_found(organisatie):
    late = KoppelingFactory(
        organisatie=organisatie, volgende_contact_op=DAY - datetime.timedelta(days=1)
    )
    KoppelingFactory(organisatie=organisatie, volgende_contact_op=DAY)
    assert list(Koppeling.objects.checkin_overdue()) == [late]
    assert late.checkin_overdue
    assert Koppeling.objects.due_for_checkin().count() == 2


def test_evaluations_are_due_after_the_trial_and_every_year(organisatie, coordinator):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        start_op=datetime.date(2025, 3, 1),
        proefperiode_tot=datetime.date(2025, 5, 1),
    )
    assert koppeling.evaluatie_due([]) == ("proefperiode", datetime.date(2025, 5, 1))
    done = [Evaluatie(soort="proefperiode")]
    assert koppeling.evaluatie_due(done) == ("jaarlijks", datetime.date(2026, 3, 1))
    done.append(Evaluatie(soort="jaarlijks"))
    assert koppeling.evaluatie_due(done) == ("jaarlijks", datetime.date(2027, 3, 1))


def test_the_meldcode_decision_closes_a_signal_after_all_five_steps(
    request_, organisatie, vrijwilliger
):
    koppeling = KoppelingFactory(organisatie=organisatie, vrijwilliger=vrijwilliger)
    signaal = services.signaal_melden(
        door=vrijwilliger, koppeling=koppeling, omschrijving="Blauwe plekken"
    )

    def step(stap, door=request_, **kwargs):
        return services.meldcode_stap_vastleggen(
            door=door, signaal=signaal, stap=stap, datum=DAY, notitie=f"stap {stap}", **kwargs
        )

    with pytest.raises(services.KoppelingError, match="professionele"):
        step(1, door=vrijwilliger)
    step(1)
    # Step 1 and the decision are not the Meldcode: steps 2, 3 and 4 are missing.
    with pytest.raises(services.KoppelingError, match=r"2\. collega.*3\. gesprek.*4\. gewogen"):
        step(5, hulp_georganiseerd=True)
    signaal.refresh_from_db()
    assert signaal.is_open
    for stap in (2, 3, 4):
        step(stap)
    assert signaal.is_open
    step(5, hulp_georganiseerd=True)
    signaal.refresh_from_db()
    assert (signaal.status, signaal.afgehandeld_op) == ("afgehandeld", DAY)
    assert [s.stap for s in signaal.stappen.all()] == [1, 2, 3, 4, 5]
    with pytest.raises(services.KoppelingError, match="de status is afgehandeld"):
        step(4)


def test_the_database_holds_the_meldcode_rules(organisatie, coordinator):
    koppeling = KoppelingFactory(organisatie=organisatie)
    signaal = Signaal.objects.create(koppeling=koppeling, omschrijving="x", gemeld_door=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeldcodeStap.objects.create(signaal=signaal, stap=5, door=coordinator, notitie="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Signaal.objects.filter(pk=signaal.pk).update(status="afgehandeld")
    MeldcodeStap.objects.create(
        signaal=signaal, stap=5, door=coordinator, notitie="x", melding_veilig_thuis=True
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        MeldcodeStap.objects.create(
            signaal=signaal, stap=5, door=coordinator, notitie="y", hulp_georganiseerd=True
        )


def test_nothing_is_added_to_a_closed_koppeling(request_, organisatie):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        status=Koppeling.Status.AFGESLOTEN,
        einde_op=DAY,
        einde_reden="verhuisd",
    )
    with pytest.raises(services.KoppelingError, match="de status is afgesloten"):
        services.signaal_melden(door=request_, koppeling=koppeling, omschrijving="Zorgen")
    with pytest.raises(services.KoppelingError, match="de status is afgesloten"):
        services.evaluatie_vastleggen(
            door=request_,
            koppeling=koppeling,
            soort="afsluiting",
            datum=DAY,
            vraag_scores={"contact": 4},
            steun_scores={"contact": 4},
            conclusie="x",
        )
    with pytest.raises(services.KoppelingError, match="de status is afgesloten"):
        services.contactmoment_vastleggen(
            door=request_, koppeling=koppeling, datum=DAY, met="beide", hoe="bezoek", verloop="goed"
        )
    with pytest.raises(services.KoppelingError, match="de status is afgesloten"):
        services.koppeling_begeleiding(
            door=request_,
            koppeling=koppeling,
            coordinator=request_,
            vrijwilliger=None,
            professional_nodig=True,
        )
    assert not koppeling.signalen.exists()
    assert not koppeling.evaluaties.exists()
    assert not koppeling.contactmomenten.exists()
