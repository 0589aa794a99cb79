"""A closed family can be reopened with a reason, through its transition
table (issue 16, point 3), and a step that leads to a status that another
step leads to as well is the one from the family's own status."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import AuditEntry
from gezinnen.integrity import TransitionError
from gezinnen.models import Steungezin, Vraaggezin, today
from gezinnen.services import gezin_status_wijzigen
from matching import bewaren
from matching.bewaren import gezin_anonimiseren
from matching.models import Correctie, Koppeling
from matching.services import koppeling_heropenen
from reports.inzage import inzage
from screening.models import Screeningstand
from steungezinnen.datums import korte_datum
from tests.factories import (
    KoppelingFactory,
    SteungezinFactory,
    VraaggezinFactory,
    approved_steungezin,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("factory", "van"),
    [
        (VraaggezinFactory, Vraaggezin.Status.AFGESLOTEN),
        (VraaggezinFactory, Vraaggezin.Status.INGETROKKEN),
        (SteungezinFactory, Steungezin.Status.GESTOPT),
        (SteungezinFactory, Steungezin.Status.AFGEWEZEN),
    ],
)
def test_it_reopens_a_closed_family_with_a_reason(organisatie, coordinator, factory, van):
    gezin = factory(organisatie=organisatie, status=van)
    with pytest.raises(TransitionError, match="Geef een reden op voor heropenen"):
        gezin_status_wijzigen(door=coordinator, gezin=gezin, naar="aangemeld", reden=" ")
    stap = gezin_status_wijzigen(
        door=coordinator, gezin=gezin, naar="aangemeld", reden="Meldt zich opnieuw"
    )
    gezin.refresh_from_db()
    assert gezin.status == "aangemeld"
    assert (stap.van, stap.naar, stap.reden, stap.door) == (
        van,
        "aangemeld",
        "Meldt zich opnieuw",
        coordinator,
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CHANGE)
    assert entry.detail == f"status: {van} → aangemeld"
    assert "opnieuw" not in entry.detail  # the reason is free text: not in the log


def test_a_reopened_vraaggezin_waits_from_that_day(organisatie, coordinator):
    gezin = VraaggezinFactory(
        organisatie=organisatie, status=Vraaggezin.Status.AFGESLOTEN, wacht_sinds=None
    )
    gezin_status_wijzigen(door=coordinator, gezin=gezin, naar="aangemeld", reden="Terug")
    gezin.refresh_from_db()
    assert gezin.wacht_sinds == today()


def test_a_reopened_steungezin_cannot_take_a_koppeling_until_screened_again(
    organisatie, coordinator
):
    gezin = approved_steungezin(organisatie)
    gezin_status_wijzigen(door=coordinator, gezin=gezin, naar="gestopt", reden="Verhuist")
    gezin_status_wijzigen(door=coordinator, gezin=gezin, naar="aangemeld", reden="Toch niet")
    stand = Screeningstand.objects.get(steungezin=gezin)
    assert not stand.kan_koppelen
    assert stand.reden == Screeningstand.Reden.STATUS


@pytest.mark.parametrize(
    ("factory", "status"),
    [
        (VraaggezinFactory, Vraaggezin.Status.WACHTEND),
        (VraaggezinFactory, Vraaggezin.Status.GEKOPPELD),
        (SteungezinFactory, Steungezin.Status.BESCHIKBAAR),
        (SteungezinFactory, Steungezin.Status.IN_SCREENING),
    ],
)
def test_only_a_closed_family_is_reopened(organisatie, coordinator, factory, status):
    gezin = factory(organisatie=organisatie, status=status)
    with pytest.raises(TransitionError, match="niet naar aangemeld"):
        gezin_status_wijzigen(door=coordinator, gezin=gezin, naar="aangemeld", reden="x")
    gezin.refresh_from_db()
    assert gezin.status == status


def test_an_anonymised_family_is_not_reopened(organisatie, coordinator):
    gezin = VraaggezinFactory(organisatie=organisatie, status=Vraaggezin.Status.AFGESLOTEN)
    gezin_anonimiseren(door=coordinator, gezin=gezin, wijze="verzoek", reden="verzoek_gezin")
    with pytest.raises(TransitionError, match="geanonimiseerd"):
        gezin_status_wijzigen(door=coordinator, gezin=gezin, naar="aangemeld", reden="x")


def test_a_reopened_family_is_no_longer_due_for_anonymisation(organisatie, coordinator):
    gezin = VraaggezinFactory(
        organisatie=organisatie,
        status=Vraaggezin.Status.AFGESLOTEN,
        aangemeld_op=today() - datetime.timedelta(days=5 * 365),
    )
    assert [t.gezin for t in bewaren.te_anonimiseren(organisatie, today())] == [gezin]
    gezin_status_wijzigen(door=coordinator, gezin=gezin, naar="aangemeld", reden="Terug")
    assert bewaren.te_anonimiseren(organisatie, today()) == []


def test_a_beschikbaar_steungezin_goes_back_to_screening_from_the_status_page(
    organisatie, coordinator
):
    """Two steps lead to in screening: begun from aangemeld and again from
    beschikbaar. The service took the first by its target and refused."""
    gezin = approved_steungezin(organisatie)
    stap = gezin_status_wijzigen(
        door=coordinator, gezin=gezin, naar="in_screening", reden="VOG verlopen"
    )
    assert (stap.van, stap.naar) == ("beschikbaar", "in_screening")


def test_the_status_page_offers_heropenen_for_a_closed_family(client, organisatie, coordinator):
    gezin = SteungezinFactory(organisatie=organisatie, status=Steungezin.Status.GESTOPT)
    client.force_login(coordinator)
    detail = client.get(reverse("gezinnen:steungezin-detail", args=[gezin.pk]))
    url = reverse("gezinnen:steungezin-status", args=[gezin.pk])
    assert f'href="{url}?naar=aangemeld">Heropenen (weer aangemeld)</a>' in detail.text
    page = client.get(url, {"naar": "aangemeld"})
    assert '<option value="aangemeld" selected>heropenen (weer aangemeld)</option>' in page.text
    refused = client.post(url, {"naar": "aangemeld", "reden": "", "versie": gezin.versie})
    assert refused.status_code == 200
    assert "Geef een reden op voor heropenen" in refused.text
    done = client.post(url, {"naar": "aangemeld", "reden": "Terug", "versie": gezin.versie})
    assert done.status_code == 302
    gezin.refresh_from_db()
    assert gezin.status == "aangemeld"


@pytest.mark.parametrize("who", ["vrijwilliger", "beheerder", "outsider"])
def test_nobody_else_reopens_a_family(client, request, organisatie, who):
    gezin = VraaggezinFactory(organisatie=organisatie, status=Vraaggezin.Status.AFGESLOTEN)
    client.force_login(request.getfixturevalue(who))
    url = reverse("gezinnen:vraaggezin-status", args=[gezin.pk])
    response = client.post(url, {"naar": "aangemeld", "reden": "x", "versie": gezin.versie})
    assert response.status_code == 404
    gezin.refresh_from_db()
    assert gezin.status == Vraaggezin.Status.AFGESLOTEN


# A koppeling ----------------------------------------------------------------


@pytest.fixture
def geeindigd(organisatie, coordinator):
    """A koppeling that ran and ended: the vraaggezin waits again, the
    steungezin (screened) is available."""
    return KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        vraaggezin__status=Vraaggezin.Status.WACHTEND,
        steungezin=approved_steungezin(organisatie),
        status=Koppeling.Status.AFGESLOTEN,
        start_op=today() - datetime.timedelta(days=120),
        einde_op=today() - datetime.timedelta(days=3),
        einde_reden="klik",
        einde_uitkomst="Per ongeluk afgesloten.",
        doel_bereikt="deels",
    )


def test_a_koppeling_that_ran_is_reopened_and_keeps_its_end_in_the_history(geeindigd, coordinator):
    koppeling = koppeling_heropenen(door=coordinator, koppeling=geeindigd, reden="Toch door")
    koppeling.refresh_from_db()
    assert koppeling.status == Koppeling.Status.ACTIEF
    assert (koppeling.einde_op, koppeling.einde_reden, koppeling.doel_bereikt) == (None, "", "")
    # Its last check-in's cadence had one due long ago: due now, not overdue.
    assert koppeling.volgende_contact_op == today()
    assert koppeling.volgende_evaluatie_op is not None
    (correctie,) = Correctie.objects.filter(koppeling=koppeling)
    assert correctie.soort == Correctie.Soort.HEROPEND
    assert correctie.reden == "Toch door"
    assert correctie.oud["einde_op"] == korte_datum(today() - datetime.timedelta(days=3))
    assert correctie.oud["einde_uitkomst"] == "Per ongeluk afgesloten."
    vraag = Vraaggezin.objects.get(pk=koppeling.vraaggezin_id)
    assert vraag.status == Vraaggezin.Status.GEKOPPELD
    stap = vraag.statuswijzigingen.get()
    assert stap.reden == f"koppeling nr. {koppeling.pk} heropend: Toch door"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CHANGE, object_id=str(koppeling.pk))
    assert entry.detail == "heropend"


def test_a_vraaggezin_that_left_with_the_koppeling_comes_back_into_it(geeindigd, coordinator):
    Vraaggezin.objects.filter(pk=geeindigd.vraaggezin_id).update(status="afgesloten")
    koppeling_heropenen(door=coordinator, koppeling=geeindigd, reden="Vergissing")
    assert Vraaggezin.objects.get(pk=geeindigd.vraaggezin_id).status == "gekoppeld"


def test_reopening_needs_a_reason_and_a_koppeling_that_ran(organisatie, geeindigd, coordinator):
    with pytest.raises(TransitionError, match="Geef een reden op voor heropenen"):
        koppeling_heropenen(door=coordinator, koppeling=geeindigd, reden="  ")
    nooit = KoppelingFactory(
        organisatie=organisatie,
        status="afgesloten",
        start_op=None,
        einde_op=today(),
        einde_reden="klik",
    )
    with pytest.raises(TransitionError, match="niet gestart"):
        koppeling_heropenen(door=coordinator, koppeling=nooit, reden="x")
    lopend = KoppelingFactory(organisatie=organisatie)
    with pytest.raises(TransitionError, match="de status is actief"):
        koppeling_heropenen(door=coordinator, koppeling=lopend, reden="x")


def test_the_rules_of_a_start_hold_again(organisatie, geeindigd, coordinator):
    # The vraaggezin has a new koppeling meanwhile.
    Vraaggezin.objects.filter(pk=geeindigd.vraaggezin_id).update(status="gekoppeld")
    with pytest.raises(TransitionError, match="is nu gekoppeld"):
        koppeling_heropenen(door=coordinator, koppeling=geeindigd, reden="x")
    Vraaggezin.objects.filter(pk=geeindigd.vraaggezin_id).update(status="wachtend")
    # The steungezin stopped.
    Steungezin.objects.filter(pk=geeindigd.steungezin_id).update(status="gestopt")
    with pytest.raises(TransitionError, match="heropen eerst het steungezin"):
        koppeling_heropenen(door=coordinator, koppeling=geeindigd, reden="x")
    Steungezin.objects.filter(pk=geeindigd.steungezin_id).update(status="beschikbaar")
    # It has no room left: its one place is taken by another koppeling.
    KoppelingFactory(organisatie=organisatie, steungezin_id=geeindigd.steungezin_id)
    with pytest.raises(TransitionError, match="kan nu geen koppeling aan"):
        koppeling_heropenen(door=coordinator, koppeling=geeindigd, reden="x")
    geeindigd.refresh_from_db()
    assert geeindigd.status == Koppeling.Status.AFGESLOTEN
    assert not Correctie.objects.filter(koppeling=geeindigd).exists()


def test_the_koppeling_page_offers_it_and_shows_the_history(client, geeindigd, coordinator):
    client.force_login(coordinator)
    detail = reverse("matching:detail", args=[geeindigd.pk])
    url = reverse("matching:heropenen", args=[geeindigd.pk])
    assert f'href="{url}">Heropenen</a>' in client.get(detail).text
    refused = client.post(url, {"reden": "", "versie": geeindigd.versie})
    assert "Geef de reden om de koppeling te heropenen." in refused.text
    done = client.post(url, {"reden": "Toch door", "versie": geeindigd.versie})
    assert done.status_code == 302
    page = client.get(detail).text
    assert f'href="{url}"' not in page
    assert f"Heropend door {escape(coordinator.get_full_name())}" in page
    assert "Per ongeluk afgesloten." in page  # the end as it was, in the history


@pytest.mark.parametrize("who", ["vrijwilliger", "beheerder", "outsider"])
def test_nobody_else_reopens_a_koppeling(client, request, geeindigd, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("matching:heropenen", args=[geeindigd.pk])
    assert client.post(url, {"reden": "x", "versie": geeindigd.versie}).status_code == 404
    geeindigd.refresh_from_db()
    assert geeindigd.status == Koppeling.Status.AFGESLOTEN


def test_the_inzage_holds_the_end_that_was_undone(geeindigd, coordinator):
    koppeling_heropenen(door=coordinator, koppeling=geeindigd, reden="Toch door")
    for gezin in (geeindigd.vraaggezin, geeindigd.steungezin):
        result = inzage(type(gezin).objects.get(pk=gezin.pk))
        gegevens = {g.titel: dict(g.velden) for o in result.onderdelen for g in o.gegevens}
        history = gegevens[f"Koppeling nr. {geeindigd.pk}: heropend"]
        assert history["Reden"] == "Toch door"
        assert "Per ongeluk afgesloten." in history.values()
