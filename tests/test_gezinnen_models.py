import datetime

import pytest
from django.core.exceptions import ValidationError

from gezinnen.models import Gezin, Gezinslid, Steungezin, TransitionError, Vraaggezin, Wijk, age_on
from gezinnen.services import gezin_status_wijzigen
from gezinnen.validators import normalise_phone, normalise_postcode
from matching.models import Koppeling
from tests.factories import KoppelingFactory, SteungezinFactory, VraaggezinFactory, WijkFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("7551ab", "7551 AB"), (" 7551 AB ", "7551 AB"), ("1000AA", "1000 AA")],
)
def test_it_normalises_dutch_postcodes(typed, stored):
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["0551 AB", "7551 SS", "755 AB", "7551", "ABCD EF", ""])
def test_it_refuses_what_is_no_postcode(typed):
    with pytest.raises(ValidationError, match="Nederlandse postcode"):
        normalise_postcode(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06-12345678", "06 12345678"),
        ("+31 6 12345678", "06 12345678"),
        ("0741234567", "074 123 4567"),
    ],
)
def test_it_normalises_phone_numbers(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "06-1234", "telefoon"])
def test_it_refuses_phone_numbers_that_cannot_exist(typed):
    with pytest.raises(ValidationError, match="bestaat niet"):
        normalise_phone(typed)


def test_it_derives_age_on_a_day():
    born = datetime.date(2008, 3, 15)
    assert age_on(born, datetime.date(2026, 3, 14)) == 17
    assert age_on(born, datetime.date(2026, 3, 15)) == 18


def test_it_refuses_a_birth_date_in_the_future():
    lid = Gezinslid(
        voornaam="A", achternaam="B", soort="kind", geboortedatum=datetime.date(2999, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        lid.clean()
    assert "toekomst" in str(error.value)


def test_it_finds_the_wijk_of_a_postcode(organisatie, other_organisatie):
    noord = WijkFactory(organisatie=organisatie, naam="Noord", postcodes="7555, 7556")
    WijkFactory(organisatie=other_organisatie, naam="Elders", postcodes="7557")
    wijken = Wijk.objects.filter(organisatie=organisatie)
    assert wijken.for_postcode("7556 AB") == noord
    assert wijken.for_postcode("7557 AB") is None


def test_it_refuses_a_pc4_in_two_wijken(organisatie):
    WijkFactory(organisatie=organisatie, naam="Noord", postcodes="7555")
    wijk = Wijk(organisatie=organisatie, naam="Zuid", gemeente="Hengelo", postcodes="7554,7555")
    with pytest.raises(ValidationError, match=r"7555 \(Noord\)"):
        wijk.clean()


def test_it_refuses_a_pc4_that_is_not_four_digits(organisatie):
    wijk = Wijk(organisatie=organisatie, naam="Zuid", gemeente="Hengelo", postcodes="7554, 755")
    with pytest.raises(ValidationError, match="755"):
        wijk.clean()


def test_it_takes_a_vraaggezin_through_its_lifecycle(organisatie, coordinator):
    gezin = VraaggezinFactory(organisatie=organisatie, wacht_sinds=datetime.date(2026, 1, 5))
    gezin.apply_step("intake_beginnen", door=coordinator)
    gezin.apply_step("intake_vastleggen", door=coordinator)
    gezin.refresh_from_db()
    assert gezin.status == Vraaggezin.Status.WACHTEND
    # Waiting counts from the registration, not from the intake.
    assert gezin.wacht_sinds == datetime.date(2026, 1, 5)
    gezin.apply_step("koppelen", door=coordinator)
    assert gezin.wacht_sinds is None
    steps = list(gezin.statuswijzigingen.order_by("id").values_list("van", "naar"))
    assert steps == [("aangemeld", "intake"), ("intake", "wachtend"), ("wachtend", "gekoppeld")]


def test_it_refuses_an_illegal_transition(organisatie, coordinator):
    gezin = VraaggezinFactory(organisatie=organisatie)
    with pytest.raises(
        TransitionError, match="Van aangemeld kan een vraaggezin niet naar gekoppeld"
    ):
        gezin_status_wijzigen(door=coordinator, gezin=gezin, naar=Vraaggezin.Status.GEKOPPELD)
    with pytest.raises(TransitionError, match="Koppelen kan nu niet: de status is aangemeld"):
        gezin.apply_step("koppelen", door=coordinator)
    gezin.refresh_from_db()
    assert gezin.status == Vraaggezin.Status.AANGEMELD
    assert not gezin.statuswijzigingen.exists()


@pytest.mark.parametrize(
    ("factory", "naar"),
    [
        (VraaggezinFactory, Vraaggezin.Status.INGETROKKEN),
        (SteungezinFactory, Steungezin.Status.AFGEWEZEN),
        (SteungezinFactory, Steungezin.Status.GESTOPT),
    ],
)
def test_it_needs_a_reason_to_end(organisatie, coordinator, factory, naar):
    gezin = factory(organisatie=organisatie)
    with pytest.raises(TransitionError, match="reden"):
        gezin_status_wijzigen(door=coordinator, gezin=gezin, naar=naar, reden="  ")
    gezin_status_wijzigen(door=coordinator, gezin=gezin, naar=naar, reden="Verhuisd")
    assert gezin.statuswijzigingen.get().reden == "Verhuisd"
    gezin.refresh_from_db()
    assert (gezin.status, gezin.versie) == (naar, 2)  # the refused try left no trace


def test_it_leaves_approval_and_matching_to_their_own_steps(organisatie):
    steun = SteungezinFactory(organisatie=organisatie, status=Steungezin.Status.IN_SCREENING)
    assert steun.kan["goedkeuren"]
    assert Steungezin.Status.BESCHIKBAAR not in steun.manual_transitions()
    vraag = VraaggezinFactory(organisatie=organisatie, status=Vraaggezin.Status.WACHTEND)
    assert vraag.kan["koppelen"]
    assert Vraaggezin.Status.GEKOPPELD not in vraag.manual_transitions()


def test_a_family_with_a_running_koppeling_cannot_be_withdrawn_or_stopped(organisatie, coordinator):
    koppeling = KoppelingFactory(organisatie=organisatie, status=Koppeling.Status.VOORGESTELD)
    vraag, steun = koppeling.vraaggezin, koppeling.steungezin
    Vraaggezin.objects.filter(pk=vraag.pk).update(status=Vraaggezin.Status.WACHTEND)
    vraag.refresh_from_db()
    assert not vraag.kan["intrekken"]
    with pytest.raises(TransitionError, match="lopende koppeling"):
        gezin_status_wijzigen(door=coordinator, gezin=vraag, naar="ingetrokken", reden="weg")
    with pytest.raises(TransitionError, match="lopende koppeling"):
        gezin_status_wijzigen(door=coordinator, gezin=steun, naar="gestopt", reden="weg")
    vraag.refresh_from_db()
    steun.refresh_from_db()
    assert (vraag.status, steun.status) == ("wachtend", "beschikbaar")


def test_it_shows_families_only_to_the_own_coordinators(all_roles, organisatie, other_organisatie):
    own = VraaggezinFactory(organisatie=organisatie)
    VraaggezinFactory(organisatie=other_organisatie)
    assert list(Gezin.objects.visible_to(all_roles["coordinator"])) == [own.gezin_ptr]
    assert list(Vraaggezin.objects.visible_to(all_roles["coordinator"])) == [own]
    for person in ("vrijwilliger", "beheerder"):
        assert not Vraaggezin.objects.visible_to(all_roles[person]).exists()
    assert own not in Vraaggezin.objects.visible_to(all_roles["outsider"])


def test_it_searches_by_name_postcode_and_phone(organisatie):
    jansen = VraaggezinFactory(
        organisatie=organisatie, naam="Jansen", postcode="7551 AB", telefoon="06 12345678"
    )
    VraaggezinFactory(
        organisatie=organisatie, naam="Pietersen", postcode="7600 CD", telefoon="06 87654321"
    )
    found = Vraaggezin.objects.all()
    assert list(found.search("jans")) == [jansen]
    assert list(found.search("7551ab")) == [jansen]
    assert list(found.search("0612345678")) == [jansen]
    assert set(found.search("Lid1")) == set(found)  # member first names
    assert found.search("").count() == 2


def test_it_finds_resembling_families(organisatie):
    jansen = VraaggezinFactory(
        organisatie=organisatie,
        postcode="7551 AB",
        huisnummer="12",
        email="jansen@example.nl",
        telefoon="06 12345678",
    )
    qs = Gezin.objects.filter(organisatie=organisatie)
    assert list(qs.resembling(postcode="7551 AB", huisnummer="12")) == [jansen.gezin_ptr]
    assert list(qs.resembling(email="JANSEN@example.nl")) == [jansen.gezin_ptr]
    assert list(qs.resembling(telefoon="06 12345678")) == [jansen.gezin_ptr]
    assert not qs.resembling(postcode="7551 AB", huisnummer="13").exists()
    assert not qs.resembling().exists()
