import datetime

import pytest
from django.core.exceptions import ValidationError

from gezinnen.models import Gezinslid, Steungezin, today
from screening.models import (
    VOG,
    ScreeningGesprek,
    Training,
    TrainingDeelname,
    add_months,
    needs_vog,
)
from screening.rules import herscreening_redenen, tekorten_voor_goedkeuring, with_screening
from tests.factories import GezinslidFactory, SteungezinFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 23)


def born(age_years: int, days_extra: int = 0) -> datetime.date:
    return add_months(DAY, -12 * age_years) - datetime.timedelta(days=days_extra)


def received(lid, issued: datetime.date) -> VOG:
    return VOG.objects.create(
        gezinslid=lid,
        status=VOG.Status.ONTVANGEN,
        aangevraagd_op=issued - datetime.timedelta(days=10),
        afgegeven_op=issued,
        ontvangen_op=issued + datetime.timedelta(days=2),
    )


@pytest.fixture
def complete(organisatie, coordinator):
    """A steungezin with everything in place on DAY."""
    gezin = SteungezinFactory(organisatie=organisatie, status="in_screening", leden=[])
    ouder = GezinslidFactory(
        gezin=gezin, voornaam="Els", soort="volwassene", geboortedatum=born(45)
    )
    received(ouder, DAY - datetime.timedelta(days=30))
    for soort in ("kennismaking", "huisbezoek"):
        ScreeningGesprek.objects.create(steungezin=gezin, soort=soort, datum=DAY, door=coordinator)
    training = Training.objects.create(
        organisatie=organisatie, datum=DAY, titel="Basis", trainer="T", plaats="P"
    )
    TrainingDeelname.objects.create(training=training, gezinslid=ouder)
    return gezin


def reload(gezin) -> Steungezin:
    return with_screening(Steungezin.objects.filter(pk=gezin.pk)).get()


def test_it_adds_months_to_the_end_of_a_month():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2026, 3, 15), -6) == datetime.date(2025, 9, 15)


def test_a_vog_is_needed_from_60_days_before_the_18th_birthday():
    assert needs_vog(Gezinslid(geboortedatum=born(18)), DAY)
    nearly = add_months(DAY + datetime.timedelta(days=59), -12 * 18)
    assert needs_vog(Gezinslid(geboortedatum=nearly), DAY)
    later = add_months(DAY + datetime.timedelta(days=61), -12 * 18)
    assert not needs_vog(Gezinslid(geboortedatum=later), DAY)


def test_a_vog_is_valid_for_the_organisations_years(organisatie):
    vog = VOG(status=VOG.Status.ONTVANGEN, afgegeven_op=datetime.date(2023, 11, 24))
    assert vog.geldig_tot(organisatie) == datetime.date(2026, 11, 24)
    assert vog.is_valid_on(DAY, organisatie)
    assert not vog.is_valid_on(datetime.date(2026, 11, 24), organisatie)
    organisatie.vog_geldig_jaren = 2
    assert not vog.is_valid_on(DAY, organisatie)


def test_only_a_received_vog_is_valid(organisatie):
    vog = VOG(status=VOG.Status.AANGEVRAAGD, afgegeven_op=DAY)
    assert not vog.is_valid_on(DAY, organisatie)


def test_for_approval_a_vog_may_be_six_months_old(organisatie):
    vog = VOG(status=VOG.Status.ONTVANGEN, afgegeven_op=add_months(DAY, -6))
    assert vog.is_recent_enough_on(DAY, organisatie)
    vog.afgegeven_op -= datetime.timedelta(days=1)
    assert not vog.is_recent_enough_on(DAY, organisatie)
    organisatie.vog_hoogstens_maanden_oud = 12
    assert vog.is_recent_enough_on(DAY, organisatie)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"status": "ontvangen"}, "afgegeven_op", "Vul de datum in"),
        ({"status": "aangevraagd"}, "aangevraagd_op", "Vul de datum in"),
        (
            {
                "status": "aangevraagd",
                "klaargezet_op": DAY,
                "aangevraagd_op": DAY - datetime.timedelta(1),
            },
            "aangevraagd_op",
            "Aangevraagd kan niet vóór klaargezet",
        ),
        (
            {
                "status": "ontvangen",
                "aangevraagd_op": DAY - datetime.timedelta(5),
                "afgegeven_op": DAY - datetime.timedelta(3),
                "ontvangen_op": DAY - datetime.timedelta(4),
            },
            "ontvangen_op",
            "Ontvangen kan niet vóór de datum van afgifte",
        ),
        (
            {
                "status": "ontvangen",
                "afgegeven_op": today() + datetime.timedelta(1),
                "ontvangen_op": today(),
            },
            "afgegeven_op",
            "in de toekomst",
        ),
    ],
)
def test_it_refuses_vog_dates_that_cannot_be(fields, field, message):
    with pytest.raises(ValidationError) as error:
        VOG(**fields).clean()
    assert message in " ".join(error.value.message_dict[field])


def test_a_complete_steungezin_can_be_approved(complete):
    assert tekorten_voor_goedkeuring(reload(complete), DAY) == []


def test_the_refusal_says_exactly_what_is_missing(organisatie):
    gezin = SteungezinFactory(organisatie=organisatie, status="in_screening", leden=[])
    GezinslidFactory(
        gezin=gezin, voornaam="Els", achternaam="Bos", soort="volwassene", geboortedatum=born(45)
    )
    GezinslidFactory(
        gezin=gezin, voornaam="Tim", achternaam="Bos", soort="kind", geboortedatum=born(10)
    )
    assert tekorten_voor_goedkeuring(reload(gezin), DAY) == [
        "Het kennismakingsgesprek (intake) is nog niet gedaan.",
        "Het huisbezoek is nog niet gedaan.",
        "Van Els Bos is nog geen VOG aangevraagd.",
        "Nog geen enkele volwassene van het gezin heeft de training gevolgd.",
    ]


def test_every_adult_needs_a_recent_vog(complete):
    late = GezinslidFactory(
        gezin=complete, voornaam="Kees", achternaam="Bos", soort="kind", geboortedatum=born(18)
    )  # turned 18: counts as adult
    assert tekorten_voor_goedkeuring(reload(complete), DAY) == [
        "Van Kees Bos is nog geen VOG aangevraagd."
    ]
    received(late, add_months(DAY, -7))
    (tekort,) = tekorten_voor_goedkeuring(reload(complete), DAY)
    assert "langer dan 6 maanden geleden" in tekort


def test_a_vog_that_is_still_on_its_way_blocks_approval(complete):
    VOG.objects.create(gezinslid=complete.leden.get(), status="aangevraagd", aangevraagd_op=DAY)
    (tekort,) = tekorten_voor_goedkeuring(reload(complete), DAY)
    assert "nog niet ontvangen (status: aangevraagd)" in tekort


def test_an_approved_family_with_all_vogs_needs_no_rescreening(complete):
    assert herscreening_redenen(reload(complete), DAY) == []


def test_a_new_adult_means_rescreening(complete):
    GezinslidFactory(
        gezin=complete,
        voornaam="Nieuw",
        achternaam="Bos",
        soort="volwassene",
        geboortedatum=born(40),
    )
    assert herscreening_redenen(reload(complete), DAY) == [
        "Van Nieuw Bos is nog geen VOG aangevraagd."
    ]


def test_a_child_turning_18_means_rescreening(complete):
    GezinslidFactory(
        gezin=complete,
        voornaam="Sanne",
        achternaam="Bos",
        soort="kind",
        geboortedatum=born(18, days_extra=0),
    )
    assert herscreening_redenen(reload(complete), DAY - datetime.timedelta(days=1)) == []
    assert herscreening_redenen(reload(complete), DAY) == [
        "Van Sanne Bos is nog geen VOG aangevraagd."
    ]


def test_an_expired_vog_means_rescreening(complete, organisatie):
    later = add_months(DAY - datetime.timedelta(days=30), 12 * organisatie.vog_geldig_jaren)
    (reden,) = herscreening_redenen(reload(complete), later)
    assert "is verlopen op" in reden
