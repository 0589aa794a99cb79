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
from screening.rules import (
    counting_vog,
    herscreening_redenen,
    latest_vog,
    overzicht,
    tekorten_voor_goedkeuring,
    vog_werk,
    with_screening,
)
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


@pytest.mark.parametrize(
    ("window", "days_to_18", "needed"),
    [
        (60, 0, True),
        (60, 59, True),
        (60, 60, True),
        (60, 61, False),
        (0, 0, True),
        (0, 30, False),
        (90, 80, True),
    ],
)
def test_it_needs_a_vog_within_the_organisations_window_before_18(
    organisatie, window, days_to_18, needed
):
    organisatie.vog_vooruit_dagen = window
    birthday = add_months(DAY + datetime.timedelta(days=days_to_18), -12 * 18)
    lid = Gezinslid(gezin=Steungezin(organisatie=organisatie), geboortedatum=birthday)
    assert needs_vog(lid, DAY) is needed


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


def test_it_refuses_approval_while_the_first_vog_is_on_its_way(complete):
    VOG.objects.all().delete()
    VOG.objects.create(gezinslid=complete.leden.get(), status="aangevraagd", aangevraagd_op=DAY)
    assert tekorten_voor_goedkeuring(reload(complete), DAY) == [
        "De VOG van Els Jansen is aangevraagd op 23 nov. 2026, nog niet ontvangen."
    ]


def test_it_approves_with_a_valid_vog_while_its_renewal_is_requested(complete):
    ouder = complete.leden.get()
    valid = ouder.vogs.get()
    VOG.objects.create(gezinslid=ouder, status="aangevraagd", aangevraagd_op=DAY)
    assert tekorten_voor_goedkeuring(reload(complete), DAY) == []
    assert counting_vog(reload(complete).leden.get(), DAY) == valid


def test_it_keeps_a_steungezin_eligible_while_a_renewal_is_requested(complete):
    ouder = complete.leden.get()
    VOG.objects.all().delete()
    expires_in_a_month = add_months(DAY + datetime.timedelta(days=30), -12 * 3)
    valid = received(ouder, expires_in_a_month)
    renewal = VOG.objects.create(
        gezinslid=ouder, status="klaargezet", klaargezet_op=DAY - datetime.timedelta(days=5)
    )
    gezin = reload(complete)
    assert herscreening_redenen(gezin, DAY) == []
    assert counting_vog(gezin.leden.get(), DAY) == valid
    assert latest_vog(gezin.leden.get()) == renewal


def test_it_counts_the_newer_vog_when_an_older_one_is_entered_later(complete):
    ouder = complete.leden.get()
    newer = ouder.vogs.get()
    older = received(ouder, add_months(DAY, -40))
    gezin = reload(complete)
    assert tekorten_voor_goedkeuring(gezin, DAY) == []
    assert herscreening_redenen(gezin, DAY) == []
    assert vog_werk([gezin], DAY).verlopend == []
    assert counting_vog(gezin.leden.get(), DAY) == newer
    assert latest_vog(gezin.leden.get()) == older


def refuse(lid, on: datetime.date) -> VOG:
    return VOG.objects.create(
        gezinslid=lid,
        status=VOG.Status.GEWEIGERD,
        aangevraagd_op=on - datetime.timedelta(days=20),
        geweigerd_op=on,
    )


def test_it_voids_a_vog_with_a_later_refusal(complete):
    refuse(complete.leden.get(), DAY - datetime.timedelta(days=10))
    gezin = reload(complete)
    message = "De VOG van Els Jansen is geweigerd op 13 nov. 2026."
    assert tekorten_voor_goedkeuring(gezin, DAY) == [message]
    assert herscreening_redenen(gezin, DAY) == [message]
    assert counting_vog(gezin.leden.get(), DAY) is None
    assert ("VOG Els Jansen", "attention") in [(i.label, i.state) for i in overzicht(gezin, DAY)]


def test_it_keeps_a_vog_issued_after_an_earlier_refusal(complete):
    refuse(complete.leden.get(), DAY - datetime.timedelta(days=60))
    assert tekorten_voor_goedkeuring(reload(complete), DAY) == []


def test_it_ignores_a_refusal_dated_after_the_day(complete):
    refuse(complete.leden.get(), DAY + datetime.timedelta(days=5))
    gezin = reload(complete)
    assert tekorten_voor_goedkeuring(gezin, DAY) == []
    assert herscreening_redenen(gezin, DAY + datetime.timedelta(days=5)) == [
        "De VOG van Els Jansen is geweigerd op 28 nov. 2026."
    ]


def test_it_counts_a_vog_only_once_received(complete):
    VOG.objects.update(afgegeven_op=DAY - datetime.timedelta(days=5), ontvangen_op=DAY)
    gezin = reload(complete)
    assert tekorten_voor_goedkeuring(gezin, DAY) == []
    assert herscreening_redenen(gezin, DAY - datetime.timedelta(days=1)) == [
        "De VOG van Els Jansen is aangevraagd op 14 okt. 2026, nog niet ontvangen."
    ]


def test_it_needs_a_vog_from_an_adult_registered_as_kind_and_counts_their_training(
    organisatie, coordinator
):
    gezin = SteungezinFactory(organisatie=organisatie, status="in_screening", leden=[])
    ouder = GezinslidFactory(
        gezin=gezin, voornaam="Els", soort="volwassene", geboortedatum=born(45)
    )
    received(ouder, DAY - datetime.timedelta(days=30))
    zoon = GezinslidFactory(gezin=gezin, voornaam="Kim", soort="kind", geboortedatum=born(19))
    for soort in ("kennismaking", "huisbezoek"):
        ScreeningGesprek.objects.create(steungezin=gezin, soort=soort, datum=DAY, door=coordinator)
    training = Training.objects.create(
        organisatie=organisatie, datum=DAY, titel="Basis", trainer="T", plaats="P"
    )
    TrainingDeelname.objects.create(training=training, gezinslid=zoon)
    assert tekorten_voor_goedkeuring(reload(gezin), DAY) == [
        "Van Kim Jansen is nog geen VOG aangevraagd."
    ]
    received(zoon, DAY - datetime.timedelta(days=30))
    assert tekorten_voor_goedkeuring(reload(gezin), DAY) == []


def test_it_does_not_count_the_training_of_someone_under_18(complete):
    TrainingDeelname.objects.all().delete()
    jong = GezinslidFactory(
        gezin=complete, voornaam="Jip", soort="volwassene", geboortedatum=born(17)
    )
    TrainingDeelname.objects.create(training=Training.objects.get(), gezinslid=jong)
    assert tekorten_voor_goedkeuring(reload(complete), DAY) == [
        "Nog geen enkele volwassene van het gezin heeft de training gevolgd."
    ]


def test_it_refuses_approval_without_a_vog_for_a_member_turning_18_soon(complete):
    GezinslidFactory(
        gezin=complete,
        voornaam="Sanne",
        soort="kind",
        geboortedatum=add_months(DAY + datetime.timedelta(days=30), -12 * 18),
    )
    message = "Van Sanne Jansen is nog geen VOG aangevraagd."
    assert tekorten_voor_goedkeuring(reload(complete), DAY) == [message]
    assert herscreening_redenen(reload(complete), DAY) == [message]


def test_it_needs_no_vog_before_18_with_a_window_of_0_days(complete, organisatie):
    organisatie.vog_vooruit_dagen = 0
    organisatie.save()
    GezinslidFactory(
        gezin=complete,
        voornaam="Sanne",
        soort="kind",
        geboortedatum=add_months(DAY + datetime.timedelta(days=30), -12 * 18),
    )
    gezin = reload(complete)
    assert tekorten_voor_goedkeuring(gezin, DAY) == []
    assert herscreening_redenen(gezin, DAY) == []
    assert vog_werk([gezin], DAY).wordt_18 == []


def test_it_ignores_a_conversation_dated_after_the_day(complete):
    ScreeningGesprek.objects.filter(soort="huisbezoek").update(
        datum=DAY + datetime.timedelta(days=1)
    )
    gezin = reload(complete)
    assert tekorten_voor_goedkeuring(gezin, DAY) == ["Het huisbezoek is nog niet gedaan."]
    assert ("Huisbezoek", "missing") in [(i.label, i.state) for i in overzicht(gezin, DAY)]
    assert tekorten_voor_goedkeuring(gezin, DAY + datetime.timedelta(days=1)) == []


def test_it_ignores_a_training_dated_after_the_day(complete):
    Training.objects.update(datum=DAY + datetime.timedelta(days=1))
    gezin = reload(complete)
    assert tekorten_voor_goedkeuring(gezin, DAY) == [
        "Nog geen enkele volwassene van het gezin heeft de training gevolgd."
    ]
    assert tekorten_voor_goedkeuring(gezin, DAY + datetime.timedelta(days=1)) == []


def days(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


EXPIRED = add_months(DAY, -12 * 3) - datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("vogs", "message"),
    [
        ([{"status": "aan_te_vragen"}], "Van Els Jansen is nog geen VOG aangevraagd."),
        (
            [{"status": "klaargezet", "klaargezet_op": days(-3)}],
            "De VOG van Els Jansen is klaargezet bij Justis op 20 nov. 2026, nog niet ontvangen.",
        ),
        (
            [{"status": "aangevraagd", "klaargezet_op": days(-5), "aangevraagd_op": days(-3)}],
            "De VOG van Els Jansen is aangevraagd op 20 nov. 2026, nog niet ontvangen.",
        ),
        (
            [{"status": "geweigerd", "aangevraagd_op": days(-30), "geweigerd_op": days(-1)}],
            "De VOG van Els Jansen is geweigerd op 22 nov. 2026.",
        ),
        (
            [
                {
                    "status": "ontvangen",
                    "aangevraagd_op": days(-10),
                    "afgegeven_op": days(2),
                    "ontvangen_op": days(4),
                }
            ],
            "De VOG van Els Jansen is aangevraagd op 13 nov. 2026, nog niet ontvangen.",
        ),
        (
            [
                {"status": "ontvangen", "afgegeven_op": EXPIRED, "ontvangen_op": EXPIRED},
                {"status": "aangevraagd", "aangevraagd_op": days(-3)},
            ],
            "De VOG van Els Jansen is verlopen op 22 nov. 2026. "
            "Een nieuwe is aangevraagd op 20 nov. 2026, nog niet ontvangen.",
        ),
    ],
    ids=["aan-te-vragen", "klaargezet", "aangevraagd", "geweigerd", "afgegeven-later", "verlopen"],
)
def test_it_names_the_state_of_the_vog_on_the_day(organisatie, vogs, message):
    gezin = SteungezinFactory(organisatie=organisatie, status="beschikbaar", leden=[])
    ouder = GezinslidFactory(
        gezin=gezin, voornaam="Els", soort="volwassene", geboortedatum=born(45)
    )
    for fields in vogs:
        VOG.objects.create(gezinslid=ouder, **fields)
    assert herscreening_redenen(reload(gezin), DAY) == [message]


def test_it_shows_a_valid_vog_with_its_renewal_in_progress(complete):
    ouder = complete.leden.get()
    VOG.objects.all().delete()
    received(ouder, add_months(DAY + datetime.timedelta(days=30), -12 * 3))
    VOG.objects.create(gezinslid=ouder, status="aangevraagd", aangevraagd_op=days(-35))
    gezin = reload(complete)
    item = next(i for i in overzicht(gezin, DAY) if i.label == "VOG Els Jansen")
    assert item.state == "done"
    assert item.detail == (
        "afgegeven 23 dec. 2023, geldig tot 23 dec. 2026; "
        "nieuwe aangevraagd op 19 okt. 2026, nog niet ontvangen"
    )
    werk = vog_werk([gezin], DAY)
    assert [row[1] for row in werk.bij_justis] == [ouder]
    assert werk.aan_te_vragen == werk.verlopend == []


def test_it_reads_only_what_with_screening_prefetches(complete, django_assert_num_queries):
    GezinslidFactory(gezin=complete, soort="kind", geboortedatum=born(18, days_extra=-30))
    gezin = reload(complete)
    with django_assert_num_queries(0):
        tekorten_voor_goedkeuring(gezin, DAY)
        herscreening_redenen(gezin, DAY)
        overzicht(gezin, DAY)
        vog_werk([gezin], DAY)


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
        geboortedatum=born(18, days_extra=-60),
    )  # 18 on DAY + 60: inside the window of 60 days from DAY on
    assert herscreening_redenen(reload(complete), DAY - datetime.timedelta(days=1)) == []
    assert herscreening_redenen(reload(complete), DAY) == [
        "Van Sanne Bos is nog geen VOG aangevraagd."
    ]


def test_an_expired_vog_means_rescreening(complete, organisatie):
    later = add_months(DAY - datetime.timedelta(days=30), 12 * organisatie.vog_geldig_jaren)
    (reden,) = herscreening_redenen(reload(complete), later)
    assert "is verlopen op" in reden
