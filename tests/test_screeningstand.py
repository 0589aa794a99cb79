"""The stored screening verdict (screening.stand) says on every day what the
rules say: generated families, every day of the years after it was computed.

The rules themselves are tested in test_screening_rules.py; here they are the
oracle. The families are built in memory (as ``with_screening`` leaves them)
so that hypothesis can try hundreds; the database part (stored rows, the SQL
filter, the recomputation by pages and the daily schedule) is tested on
saved families below.
"""

import datetime
import itertools

import pytest
from django.db.models import QuerySet
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Organisatie
from gezinnen.models import Gezinslid, Statuswijziging, Steungezin, today
from screening.models import (
    VOG,
    Referentie,
    ScreeningGesprek,
    Screeningstand,
    Training,
    TrainingDeelname,
    add_months,
)
from screening.stand import Oordeel, bereken, kan_koppelen, oordeel, verouderde_bijwerken
from tests.factories import SteungezinFactory, approved_steungezin, lid_toevoegen, vog_ontvangen

DAY = datetime.date(2026, 11, 23)
SCAN_DAYS = 4 * 366 + 30  # every day of the four years after (a VOG is valid 1–3)

_ids = itertools.count(1)


def _cached(model, rows: list) -> QuerySet:
    """A queryset that is already evaluated: what a prefetch leaves."""
    queryset = model.objects.all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset


def _dates_before(day: datetime.date, n: int):
    return st.lists(
        st.integers(min_value=0, max_value=5 * 365).map(lambda d: day - datetime.timedelta(d)),
        min_size=n,
        max_size=n,
    )


@st.composite
def vogs(draw, day: datetime.date) -> list[dict]:
    """Zero to three VOG records with dates in their order, none after ``day``."""
    result = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        status = draw(st.sampled_from(list(VOG.Status)))
        a, b, c = sorted(draw(_dates_before(day, 3)))
        values = {"status": status}
        if status == VOG.Status.KLAARGEZET:
            values["klaargezet_op"] = c
        elif status == VOG.Status.AANGEVRAAGD:
            values |= {"klaargezet_op": a, "aangevraagd_op": c}
        elif status == VOG.Status.ONTVANGEN:
            values |= {"aangevraagd_op": a, "afgegeven_op": b, "ontvangen_op": c}
        elif status == VOG.Status.GEWEIGERD:
            values |= {"aangevraagd_op": a, "geweigerd_op": c}
        result.append(values)
    return result


@st.composite
def families(draw):
    """A steungezin as the rules read it, for a day in 2020–2030."""
    day = draw(st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)))
    organisatie = Organisatie(
        pk=next(_ids),
        naam="Org",
        slug="org",
        vog_geldig_jaren=draw(st.integers(min_value=1, max_value=3)),
        vog_vooruit_dagen=draw(st.sampled_from([0, 1, 30, 60, 90])),
    )
    gezin = Steungezin(
        pk=next(_ids),
        organisatie=organisatie,
        naam="Gezin",
        status=draw(st.sampled_from(list(Steungezin.Status))),
        aangemeld_op=day - datetime.timedelta(days=draw(st.integers(0, 400))),
    )
    leden = []
    for index in range(draw(st.integers(min_value=0, max_value=4))):
        # Ages around the birthdays that matter: 17–18 and adults, days exact.
        age_days = draw(
            st.one_of(
                st.integers(min_value=16 * 365, max_value=18 * 366 + 5),
                st.integers(min_value=0, max_value=70 * 366),
            )
        )
        lid = Gezinslid(
            pk=next(_ids),
            gezin=gezin,
            voornaam=f"Lid{index}",
            achternaam="X",
            soort="volwassene" if age_days > 18 * 365 else "kind",
            geboortedatum=day - datetime.timedelta(days=age_days),
        )
        lid._prefetched_objects_cache = {
            "vogs": _cached(
                VOG,
                [
                    VOG(
                        pk=next(_ids),
                        gezinslid=lid,
                        bijgewerkt_op=timezone.now(),
                        bijgewerkt_door=None,
                        **values,
                    )
                    for values in draw(vogs(day))
                ],
            ),
            "deelnames": _cached(
                TrainingDeelname,
                [
                    TrainingDeelname(
                        pk=next(_ids),
                        gezinslid=lid,
                        training=Training(
                            pk=next(_ids), organisatie=organisatie, datum=datum, titel="T"
                        ),
                    )
                    for datum in draw(
                        st.lists(st.dates(day - datetime.timedelta(800), day), max_size=2)
                    )
                ],
            ),
        }
        leden.append(lid)
    gesprekken = [
        ScreeningGesprek(pk=next(_ids), steungezin=gezin, soort=soort, datum=datum)
        for soort, datum in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(list(ScreeningGesprek.Soort)),
                    st.dates(day - datetime.timedelta(800), day),
                ),
                max_size=2,
            )
        )
    ]
    gezin._prefetched_objects_cache = {
        "leden": _cached(Gezinslid, leden),
        "screeningsgesprekken": _cached(ScreeningGesprek, gesprekken),
        "referenties": _cached(Referentie, []),
        "criteriumbeoordelingen": _cached(Referentie, []),
        "statuswijzigingen": _cached(Statuswijziging, []),
    }
    return gezin, day


def stored(stand: Screeningstand) -> Oordeel:
    return Oordeel(**{name: getattr(stand, name) for name in Oordeel.__dataclass_fields__})


def eligible_by_the_stored_dates(stand: Screeningstand, day: datetime.date) -> bool:
    """What the SQL filter ``kan_koppelen(day)`` reads, in Python."""
    return stand.kan_koppelen and (stand.kan_koppelen_tot is None or day < stand.kan_koppelen_tot)


@settings(max_examples=150, deadline=None)
@given(families())
def test_the_stored_verdict_is_the_rules_verdict_on_every_later_day(family):
    gezin, computed_on = family
    stand = bereken(gezin, computed_on)
    assert stored(stand) == oordeel(gezin, computed_on)
    for offset in range(SCAN_DAYS):
        day = computed_on + datetime.timedelta(days=offset)
        rules = oordeel(gezin, day)
        # Eligibility needs no recomputation: the stored end date carries it.
        assert eligible_by_the_stored_dates(stand, day) is rules.kan_koppelen, day
        # The rest holds until the day of change, when it is recomputed.
        if stand.herzien_op is None or day < stand.herzien_op:
            assert stored(stand) == rules, day
        else:
            assert day == stand.herzien_op, day
            assert stored(stand) != rules, day
            stand = bereken(gezin, day)  # as the daily schedule or a page does


# In the database -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_child_born_on_29_february_needs_a_vog_from_1_march(organisatie, coordinator):
    """In a year without 29 February the birthday counts from 1 March, one
    day after what adding 18 years gives: the day after is a change too."""
    organisatie.vog_vooruit_dagen = 0
    organisatie.save()
    gezin = SteungezinFactory(
        organisatie=organisatie, status="beschikbaar", leden=[("volwassene", 40)]
    )
    issued = datetime.date(2025, 11, 1)
    VOG.objects.create(
        gezinslid=gezin.leden.get(),
        status="ontvangen",
        aangevraagd_op=issued,
        afgegeven_op=issued,
        ontvangen_op=issued,
    )
    gezin.leden.create(
        voornaam="Schrikkel", achternaam="X", soort="kind", geboortedatum=datetime.date(2008, 2, 29)
    )
    stand = bereken(_loaded(gezin), datetime.date(2026, 2, 1))
    assert stand.kan_koppelen
    assert stand.kan_koppelen_tot == datetime.date(2026, 3, 1)
    assert stand.herzien_op == datetime.date(2026, 3, 1)


@pytest.mark.django_db
def test_every_screening_write_recomputes_the_verdict_in_its_transaction(organisatie, coordinator):
    gezin = SteungezinFactory(
        organisatie=organisatie, status="beschikbaar", leden=[("volwassene", 40)]
    )
    lid = gezin.leden.get()
    verouderde_bijwerken(today())
    assert Screeningstand.objects.get(steungezin=gezin).reden == Screeningstand.Reden.HERSCREENING
    issued = today() - datetime.timedelta(days=10)
    vog_ontvangen(door=coordinator, lid=lid, issued=issued)
    stand = Screeningstand.objects.get(steungezin=gezin)
    until = add_months(issued, 12 * organisatie.vog_geldig_jaren)
    assert (stand.kan_koppelen, stand.reden, stand.kan_koppelen_tot) == (True, "", until)
    assert (
        Steungezin.objects.filter(kan_koppelen(until - datetime.timedelta(days=1))).get() == gezin
    )
    assert not Steungezin.objects.filter(kan_koppelen(until)).exists()


@pytest.mark.django_db
def test_a_status_step_and_a_new_member_recompute_it_too(organisatie, coordinator):
    from gezinnen.services import gezin_status_wijzigen

    gezin = approved_steungezin(organisatie)
    verouderde_bijwerken(today())
    assert Screeningstand.objects.get(steungezin=gezin).kan_koppelen
    lid_toevoegen(
        door=coordinator,
        gezin=gezin,
        voornaam="Nieuw",
        soort="volwassene",
        geboortedatum=datetime.date(1990, 1, 1),
    )
    assert Screeningstand.objects.get(steungezin=gezin).reden == "herscreening"
    gezin.refresh_from_db()
    gezin_status_wijzigen(door=coordinator, gezin=gezin, naar="gestopt", reden="Verhuisd")
    stand = Screeningstand.objects.get(steungezin=gezin)
    assert (stand.reden, stand.vog_aan_te_vragen) == ("status", 0)


@pytest.mark.django_db
def test_pages_and_the_daily_schedule_recompute_what_came_due(organisatie):
    """A VOG that expires needs no write: on its day the verdict is redone."""
    gezin = approved_steungezin(organisatie)
    verouderde_bijwerken(today())
    stand = Screeningstand.objects.get(steungezin=gezin)
    assert stand.herzien_op is not None
    assert verouderde_bijwerken(stand.herzien_op - datetime.timedelta(days=1)) == 0
    assert verouderde_bijwerken(stand.herzien_op) == 1
    later = Screeningstand.objects.get(steungezin=gezin)
    assert later.berekend_op == stand.herzien_op
    assert stored(later) == stored(bereken(_loaded(gezin), stand.herzien_op))


def _loaded(gezin):
    from screening.stand import laden

    return laden(Steungezin.objects.filter(pk=gezin.pk)).get()


@pytest.mark.django_db
def test_the_database_refuses_a_verdict_that_contradicts_itself(organisatie):
    from django.db import IntegrityError, transaction

    gezin = SteungezinFactory(organisatie=organisatie)
    for values in (
        {"kan_koppelen": True, "reden": "status"},
        {"kan_koppelen": False, "reden": ""},
        {"kan_koppelen": False, "reden": "status", "kan_koppelen_tot": DAY},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Screeningstand.objects.create(
                steungezin=gezin, berekend_op=DAY, laatste_activiteit=DAY, **values
            )


@pytest.mark.django_db
def test_a_change_of_the_vog_settings_in_the_back_office_redoes_the_verdicts(
    client, beheerder, organisatie
):
    from django.urls import reverse

    gezin = approved_steungezin(organisatie)
    verouderde_bijwerken(today())
    vog = gezin.leden.get().vogs.get()
    assert Screeningstand.objects.get(steungezin=gezin).kan_koppelen_tot == vog.geldig_tot(
        organisatie
    )
    client.force_login(beheerder)
    url = reverse("admin:accounts_organisatie_change", args=[organisatie.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, field in form.fields.items()
        if (value := form.initial.get(name, field.initial)) is not None and not field.disabled
    }
    data["vog_geldig_jaren"] = organisatie.vog_geldig_jaren - 1
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    organisatie.refresh_from_db()
    assert Screeningstand.objects.get(steungezin=gezin).kan_koppelen_tot == vog.geldig_tot(
        organisatie
    )
