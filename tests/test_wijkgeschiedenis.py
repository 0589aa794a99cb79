"""Where a family lived when: every change of wijk is kept with its date, so
that the municipality report counts a family where it lived then."""

import datetime

import pytest

from gezinnen.models import Vraaggezin, WijkPeriode, today
from gezinnen.services import gezin_aanmelden, gezin_wijzigen
from tests.factories import VraaggezinFactory, WijkFactory

pytestmark = pytest.mark.django_db


def history(gezin) -> list[tuple[datetime.date, str | None]]:
    return [
        (p.vanaf, p.wijk.naam if p.wijk else None)
        for p in WijkPeriode.objects.filter(gezin=gezin).select_related("wijk")
    ]


def sign_up(organisatie, coordinator, **gegevens) -> Vraaggezin:
    return gezin_aanmelden(
        door=coordinator,
        model=Vraaggezin,
        organisatie=organisatie,
        gegevens={
            "naam": "Jansen",
            "straat": "Markt",
            "huisnummer": "1",
            "postcode": "7551 AB",
            "plaats": "Hengelo",
            **gegevens,
        },
        leden=[],
    )


def move(gezin, coordinator, wijk) -> Vraaggezin:
    gezin = Vraaggezin.objects.get(pk=gezin.pk)
    return gezin_wijzigen(
        door=coordinator, gezin=gezin, versie=gezin.versie, gegevens={"wijk": wijk}
    )


def test_a_sign_up_records_the_wijk_from_the_registration_date(organisatie, coordinator):
    noord = WijkFactory(organisatie=organisatie, naam="Noord")
    gezin = sign_up(organisatie, coordinator, wijk=noord, aangemeld_op=datetime.date(2026, 3, 2))
    assert history(gezin) == [(datetime.date(2026, 3, 2), "Noord")]


def test_a_family_outside_every_wijk_has_a_period_without_one(organisatie, coordinator):
    gezin = sign_up(organisatie, coordinator, postcode="1011 AB", plaats="Amsterdam")
    assert history(gezin) == [(gezin.aangemeld_op, None)]


def test_a_move_adds_a_period_from_today_and_a_second_move_that_day_replaces_it(
    organisatie, coordinator
):
    noord = WijkFactory(organisatie=organisatie, naam="Noord")
    zuid = WijkFactory(organisatie=organisatie, naam="Zuid")
    oost = WijkFactory(organisatie=organisatie, naam="Oost")
    gezin = sign_up(organisatie, coordinator, wijk=noord, aangemeld_op=datetime.date(2026, 1, 5))
    move(gezin, coordinator, zuid)
    assert history(gezin) == [(datetime.date(2026, 1, 5), "Noord"), (today(), "Zuid")]
    move(gezin, coordinator, oost)
    assert history(gezin) == [(datetime.date(2026, 1, 5), "Noord"), (today(), "Oost")]


def test_an_edit_that_keeps_the_wijk_adds_nothing(organisatie, coordinator):
    noord = WijkFactory(organisatie=organisatie, naam="Noord")
    gezin = sign_up(organisatie, coordinator, wijk=noord)
    gezin_wijzigen(
        door=coordinator, gezin=gezin, versie=gezin.versie, gegevens={"telefoon": "0612345678"}
    )
    assert len(history(gezin)) == 1


def test_a_family_without_history_keeps_its_old_wijk_for_the_past(organisatie, coordinator):
    """Made before the history was kept (or by another path): the first move
    records the old wijk from the registration on, then the new one."""
    noord = WijkFactory(organisatie=organisatie, naam="Noord")
    zuid = WijkFactory(organisatie=organisatie, naam="Zuid")
    gezin = VraaggezinFactory(
        organisatie=organisatie, wijk=noord, aangemeld_op=datetime.date(2025, 6, 1)
    )
    assert history(gezin) == []
    move(gezin, coordinator, zuid)
    assert history(gezin) == [(datetime.date(2025, 6, 1), "Noord"), (today(), "Zuid")]
