"""Rules that no other test held in place: each of these fails when the rule
is broken on purpose (a fixed cadence, a missing audit entry, a figure or a
bar shown for fewer than five)."""

import datetime
import re

import pytest

from accounts.models import AuditEntry
from gezinnen.models import today
from matching.models import Evaluatie, Koppeling
from matching.services import koppeling_starten
from reports.figures import Periode, Regel, gemeenterapportage
from reports.templatetags.report_tags import BAR_WIDTH, bar_chart
from tests.factories import KoppelingFactory, WijkFactory, approved_steungezin

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_cadence(organisatie):
    """Check-ins one and four weeks after the start, then every two months."""
    organisatie.contact_na_weken = "1, 4"
    organisatie.contact_daarna_maanden = 2
    organisatie.save()
    koppeling = KoppelingFactory(organisatie=organisatie, start_op=datetime.date(2026, 1, 5))
    return Koppeling.objects.get(pk=koppeling.pk)


def test_it_checks_in_after_the_organisations_own_weeks(own_cadence):
    assert own_cadence.next_checkin(None) == datetime.date(2026, 1, 12)
    assert own_cadence.next_checkin(datetime.date(2026, 1, 12)) == datetime.date(2026, 2, 2)


def test_it_checks_in_every_so_many_months_as_the_organisation_sets(own_cadence):
    assert own_cadence.next_checkin(datetime.date(2026, 2, 2)) == datetime.date(2026, 4, 2)
    assert own_cadence.next_checkin(datetime.date(2026, 4, 2)) == datetime.date(2026, 6, 2)


def test_it_audits_the_start_of_a_koppeling(organisatie, coordinator):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        steungezin=approved_steungezin(organisatie),
        status="kennismaking",
        kennismaking_uitkomst="go",
        start_op=None,
        vraaggezin__status="wachtend",
    )
    day = today()
    koppeling_starten(
        door=coordinator,
        koppeling=koppeling,
        start_op=day,
        afspraken="Speelmiddag",
        frequentie="wekelijks",
        kinderen=list(koppeling.vraaggezin.leden.filter(soort="kind").values_list("pk", flat=True)),
        gepland_einde=None,
        proefperiode_tot=None,
    )
    entry = AuditEntry.objects.get(object_type="matching.koppeling", object_id=str(koppeling.pk))
    assert (entry.user, entry.action, entry.detail) == (
        coordinator,
        AuditEntry.Action.CHANGE,
        f"gestart op {day:%d-%m-%Y}",
    )


def test_it_withholds_a_satisfaction_average_over_fewer_than_ten_evaluations(
    organisatie, coordinator
):
    noord = WijkFactory(organisatie=organisatie, naam="Noord", gemeente="Hengelo")
    q1 = Periode.kwartaal(2026, 1)

    def satisfaction() -> str:
        rapport = gemeenterapportage(organisatie, "Hengelo", q1)
        omschrijving = "Het contact tussen de twee gezinnen (vraaggezinnen)"
        return next(r.waarde for r in rapport.regels if r.omschrijving == omschrijving)

    def evaluation() -> None:
        Evaluatie.objects.create(
            koppeling=KoppelingFactory(organisatie=organisatie, vraaggezin__wijk=noord),
            soort="proefperiode",
            datum=datetime.date(2026, 3, 20),
            door=coordinator,
            conclusie="x",
            vraag_scores={"contact": 4},
        )

    evaluation()
    assert satisfaction() == "te weinig gegevens"
    for _ in range(8):
        evaluation()
    assert satisfaction() == "te weinig gegevens"  # nine
    evaluation()
    assert satisfaction() == "4,0"


def test_it_draws_no_bar_for_a_count_below_five():
    def widths(svg: str) -> list[int]:
        return [int(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="(\d+)"', svg)]

    small = Regel("Aanmeldingen naar verwijzer", "school", "×", None, aantal=None)
    large = Regel("Aanmeldingen naar verwijzer", "wijkteam", "12", 12, aantal=12)
    assert widths(bar_chart([small, large])) == [0, BAR_WIDTH]
    assert bar_chart([small]) == ""
