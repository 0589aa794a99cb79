"""The one write path: versions, transition tables, one-time tokens and the
public door, tried as a second coordinator, a hasty user and a hostile one."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEntry
from gezinnen.integrity import EditConflict, TransitionError, version_fields
from gezinnen.models import Statuswijziging, Steungezin, Vraaggezin, today
from gezinnen.services import (
    gezin_aanmelden,
    gezin_status_wijzigen,
    gezin_wijzigen,
    intake_vastleggen,
)
from matching import services
from matching.models import Contactmoment, Koppeling
from screening.models import VOG, add_months
from tests.factories import (
    KoppelingFactory,
    UserFactory,
    VraaggezinFactory,
    WijkFactory,
    approved_steungezin,
)
from tests.test_gezinnen_public import signup_data

pytestmark = pytest.mark.django_db

DAY = today()


@pytest.fixture
def colleague(organisatie):
    """Marieke, a second coordinator of Carla's organisation."""
    return UserFactory(organisatie=organisatie, first_name="Marieke", last_name="Mol")


def intake(door, gezin, versie):
    child = gezin.leden.filter(soort="kind").first()
    return intake_vastleggen(
        door=door,
        vraaggezin=gezin,
        versie=versie,
        intake_op=DAY,
        hulpvraag="Moeder is ziek; twee middagen opvang.",
        ondersteuning=["opvang"],
        dagdelen=["wo_middag"],
        kinderen=[child.pk],
    )


# Versions -----------------------------------------------------------------------


def test_an_edit_opened_before_the_intake_is_refused_and_names_who(
    organisatie, coordinator, colleague
):
    gezin = VraaggezinFactory(organisatie=organisatie, hulpvraag="")
    opened = version_fields(gezin)
    intake(colleague, gezin, gezin.versie)

    with pytest.raises(EditConflict) as conflict:
        gezin_wijzigen(
            door=coordinator,
            gezin=gezin,
            versie=opened["versie"],
            snapshot_token=opened["snapshot"],
            gegevens={"plaats": "Borne", "hulpvraag": ""},
        )
    assert conflict.value.by == colleague
    assert "hulpvraag" in conflict.value.changed
    assert "status" in conflict.value.changed
    gezin.refresh_from_db()
    assert (gezin.status, gezin.plaats) == ("wachtend", "Hengelo")
    assert gezin.hulpvraag == "Moeder is ziek; twee middagen opvang."


def test_an_edit_writes_only_the_fields_it_changes(organisatie, coordinator):
    """A command (no version) that edits the address keeps the status and the
    intake someone saved a moment before."""
    gezin = VraaggezinFactory(organisatie=organisatie)
    stale = Vraaggezin.objects.get(pk=gezin.pk)  # read before the intake
    intake(coordinator, gezin, None)
    gezin_wijzigen(
        door=coordinator,
        gezin=stale,
        versie=None,
        gegevens={"plaats": "Borne", "straat": stale.straat},
    )
    gezin.refresh_from_db()
    assert (gezin.status, gezin.plaats, gezin.versie) == ("wachtend", "Borne", 3)
    assert gezin.hulpvraag.startswith("Moeder is ziek")


def test_a_status_page_opened_before_an_edit_is_refused(organisatie, coordinator, colleague):
    gezin = VraaggezinFactory(organisatie=organisatie)
    versie = gezin.versie
    gezin_wijzigen(door=colleague, gezin=gezin, versie=versie, gegevens={"plaats": "Delden"})
    with pytest.raises(EditConflict):
        gezin_status_wijzigen(
            door=coordinator, gezin=gezin, naar="ingetrokken", reden="verhuisd", versie=versie
        )
    gezin.refresh_from_db()
    assert gezin.status == "aangemeld"
    assert list(gezin.statuswijzigingen.values_list("naar", flat=True)) == []


def test_a_closed_koppeling_is_not_reopened_by_a_begeleiding_form(organisatie, coordinator):
    koppeling = KoppelingFactory(organisatie=organisatie, coordinator=coordinator)
    opened = koppeling.versie
    services.koppeling_afsluiten(
        door=coordinator,
        koppeling=koppeling,
        einde_op=DAY,
        reden="doel_bereikt",
        uitkomst="Klaar",
        vraaggezin_naar="wachtend",
        steungezin_naar="beschikbaar",
        doel_bereikt="ja",
        versie=opened,
    )
    with pytest.raises(EditConflict):
        services.koppeling_begeleiding(
            door=coordinator,
            koppeling=koppeling,
            coordinator=coordinator,
            vrijwilliger=None,
            professional_nodig=True,
            versie=opened,
        )
    with pytest.raises(TransitionError, match="de status is afgesloten"):
        services.koppeling_begeleiding(
            door=coordinator,
            koppeling=koppeling,
            coordinator=coordinator,
            vrijwilliger=None,
            professional_nodig=True,
        )
    koppeling.refresh_from_db()
    assert (koppeling.status, koppeling.professional_nodig) == ("afgesloten", False)


def test_the_edit_page_keeps_what_was_typed_when_someone_else_saved(
    client, organisatie, coordinator, colleague
):
    gezin = VraaggezinFactory(organisatie=organisatie)
    client.force_login(coordinator)
    url = reverse("gezinnen:vraaggezin-edit", args=[gezin.pk])
    opened = client.get(url).context["form"].initial
    intake(colleague, gezin, gezin.versie)
    data = _form_data(client.get(url).context["form"], client.get(url).context["leden"])
    data.update(versie=opened["versie"], snapshot=opened["snapshot"], plaats="Goor")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Marieke Mol heeft gewijzigd" in response.text
    assert 'value="Goor"' in response.text
    gezin.refresh_from_db()
    assert gezin.plaats == "Hengelo"


@pytest.mark.parametrize("versie", ["abc", "²", "-1", "1" * 40, "1.5"])
def test_a_tampered_version_is_a_conflict_not_an_error(client, organisatie, coordinator, versie):
    gezin = VraaggezinFactory(organisatie=organisatie)
    client.force_login(coordinator)
    url = reverse("gezinnen:vraaggezin-status", args=[gezin.pk])
    response = client.post(url, {"naar": "ingetrokken", "reden": "weg", "versie": versie})
    assert response.status_code == 200
    assert "Niet opgeslagen" in response.text
    gezin.refresh_from_db()
    assert gezin.status == "aangemeld"


def _form_data(form, formset) -> dict:
    data = {}
    for bound in [*form, *formset.management_form]:
        value = bound.value()
        if value is None:
            continue
        data[bound.html_name] = [str(v) for v in value] if isinstance(value, list) else value
    for member in formset:
        for bound in member:
            if bound.value() is not None:
                data[bound.html_name] = bound.value()
    return data


# Rules of the transition tables ------------------------------------------------


def ended_koppeling(organisatie):
    return KoppelingFactory(
        organisatie=organisatie, status="afgesloten", einde_op=DAY, einde_reden="verhuisd"
    )


def test_a_closed_koppeling_offers_no_steps(client, organisatie, coordinator):
    koppeling = ended_koppeling(organisatie)
    client.force_login(coordinator)
    html = client.get(reverse("matching:detail", args=[koppeling.pk])).text
    for name in ("contactmoment", "signaal-melden", "evaluatie", "afsluiten", "begeleiding"):
        assert reverse(f"matching:{name}", args=[koppeling.pk]) not in html
    response = client.post(
        reverse("matching:signaal-melden", args=[koppeling.pk]), {"omschrijving": "Zorgen"}
    )
    assert response.status_code == 200
    assert "Een signaal kan nu niet: de status is afgesloten." in response.text
    assert "Zorgen" in response.text
    assert not koppeling.signalen.exists()


def end_koppeling(door, koppeling) -> None:
    services.koppeling_afsluiten(
        door=door,
        koppeling=koppeling,
        einde_op=DAY,
        reden="doel_bereikt",
        uitkomst="Klaar",
        vraaggezin_naar="wachtend",
        steungezin_naar="beschikbaar",
        doel_bereikt="ja",
    )


def test_ending_a_koppeling_sends_a_steungezin_without_valid_vog_back_to_screening(
    organisatie, coordinator
):
    steun = approved_steungezin(organisatie)
    VOG.objects.filter(gezinslid__gezin=steun).update(afgegeven_op=add_months(DAY, -40))
    end_koppeling(coordinator, KoppelingFactory(organisatie=organisatie, steungezin=steun))
    steun.refresh_from_db()
    assert steun.status == Steungezin.Status.IN_SCREENING
    stap = steun.statuswijzigingen.first()
    assert "opnieuw screenen" in stap.reden
    assert "verlopen" in stap.reden


def test_ending_keeps_a_steungezin_available_when_it_still_passes(organisatie, coordinator):
    steun = approved_steungezin(organisatie)
    koppeling = KoppelingFactory(organisatie=organisatie, steungezin=steun)
    end_koppeling(coordinator, koppeling)
    steun.refresh_from_db()
    assert steun.status == Steungezin.Status.BESCHIKBAAR
    assert AuditEntry.objects.filter(object_id=str(koppeling.pk), detail__startswith="afgesloten")


def test_starting_after_the_family_was_withdrawn_is_a_message(client, organisatie, coordinator):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        status="kennismaking",
        kennismaking_uitkomst="go",
        start_op=None,
        vraaggezin__status="ingetrokken",
        steungezin=approved_steungezin(organisatie),
    )
    client.force_login(coordinator)
    child = koppeling.vraaggezin.leden.filter(soort="kind").first()
    response = client.post(
        reverse("matching:starten", args=[koppeling.pk]),
        {
            "start_op": DAY.isoformat(),
            "afspraken": "Speelmiddag",
            "frequentie": "wekelijks",
            "kinderen": [child.pk],
        },
    )
    assert response.status_code == 200
    assert "Koppelen kan nu niet: de status is ingetrokken." in response.text
    koppeling.refresh_from_db()
    assert koppeling.status == "kennismaking"


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31", "2026-02-31", "2099-01-01"])
def test_an_impossible_start_date_is_refused_on_the_form(client, organisatie, coordinator, start):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        status="kennismaking",
        kennismaking_uitkomst="go",
        start_op=None,
        vraaggezin__status="wachtend",
        steungezin=approved_steungezin(organisatie),
    )
    client.force_login(coordinator)
    response = client.post(
        reverse("matching:starten", args=[koppeling.pk]),
        {"start_op": start, "afspraken": "x", "frequentie": "x"},
    )
    assert response.status_code == 200
    koppeling.refresh_from_db()
    assert koppeling.status == "kennismaking"


def test_a_start_before_the_registration_is_refused(organisatie, coordinator):
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        status="kennismaking",
        kennismaking_uitkomst="go",
        start_op=None,
        vraaggezin__status="wachtend",
        vraaggezin__aangemeld_op=DAY - datetime.timedelta(days=10),
        steungezin=approved_steungezin(organisatie),
    )
    with pytest.raises(ValidationError, match="aanmelding van het vraaggezin"):
        services.koppeling_starten(
            door=coordinator,
            koppeling=koppeling,
            start_op=DAY - datetime.timedelta(days=11),
            afspraken="x",
            frequentie="x",
            kinderen=[koppeling.vraaggezin.leden.filter(soort="kind").first().pk],
            gepland_einde=None,
            proefperiode_tot=None,
        )


@pytest.mark.parametrize("wie", ["²", "alle", "-1", "999999", "x" * 300])
def test_the_agenda_takes_any_coordinator_parameter(client, coordinator, wie):
    client.force_login(coordinator)
    assert client.get(reverse("matching:agenda"), {"coordinator": wie}).status_code == 200


# One-time tokens ------------------------------------------------------------------


def test_a_double_click_on_a_contactmoment_saves_one(client, organisatie, coordinator):
    koppeling = KoppelingFactory(organisatie=organisatie, coordinator=coordinator)
    client.force_login(coordinator)
    url = reverse("matching:contactmoment", args=[koppeling.pk])
    token = client.get(url).context["form"].initial["inzending"]
    data = {
        "datum": DAY.isoformat(),
        "met": "beide",
        "hoe": "telefoon",
        "verloop": "goed",
        "inzending": token,
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, data, follow=True)
    assert "al verstuurd" in response.text
    assert Contactmoment.objects.filter(koppeling=koppeling).count() == 1
    # A new form (a new token) is a new contactmoment.
    data["inzending"] = client.get(url).context["form"].initial["inzending"]
    client.post(url, data)
    assert Contactmoment.objects.filter(koppeling=koppeling).count() == 2


def test_a_double_click_on_a_new_family_saves_one(client, organisatie, coordinator):
    client.force_login(coordinator)
    url = reverse("gezinnen:steungezin-create")
    token = client.get(url).context["form"].initial["inzending"]
    data = signup_data(inzending=token, capaciteit="1", aangemeld_op=DAY.isoformat())
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Steungezin.objects.count() == 1


def test_a_token_of_someone_else_proves_nothing(client, organisatie, coordinator, colleague):
    koppeling = KoppelingFactory(organisatie=organisatie, coordinator=coordinator)
    url = reverse("matching:contactmoment", args=[koppeling.pk])
    data = {"datum": DAY.isoformat(), "met": "beide", "hoe": "bezoek", "verloop": "goed"}
    client.force_login(coordinator)
    client.post(url, {**data, "inzending": "gedeeld"})
    client.force_login(colleague)
    assert client.post(url, {**data, "inzending": "gedeeld"}).status_code == 302
    assert Contactmoment.objects.filter(koppeling=koppeling).count() == 2


# The public door ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def test_a_public_sign_up_gets_its_wijk_from_the_postcode(client, organisatie):
    oost = WijkFactory(organisatie=organisatie, naam="Oost", postcodes="7552")
    client.post(reverse("gezinnen:aanmelden-steungezin", args=[organisatie.slug]), signup_data())
    assert Steungezin.objects.get().wijk == oost


def test_a_public_sign_up_like_an_existing_family_is_flagged(client, organisatie):
    existing = VraaggezinFactory(organisatie=organisatie, telefoon="06 23456789")
    client.post(reverse("gezinnen:aanmelden-steungezin", args=[organisatie.slug]), signup_data())
    stap = Statuswijziging.objects.get(gezin=Steungezin.objects.get())
    assert f"lijkt op gezin nr. {existing.pk}" in stap.reden


def test_a_mail_server_that_is_down_loses_no_sign_up(
    client, organisatie, coordinator, django_capture_on_commit_callbacks, caplog
):
    url = reverse("gezinnen:aanmelden-steungezin", args=[organisatie.slug])
    token = client.get(url).context["form"].initial["inzending"]
    with (
        mock.patch("accounts.tasks.verzenden", side_effect=ConnectionRefusedError("smtp down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url, signup_data(inzending=token))
    assert response.status_code == 302
    assert response.url == reverse("gezinnen:bedankt", args=[organisatie.slug])
    assert Steungezin.objects.count() == 1
    assert "niet verstuurd" in caplog.text
    # The visitor tries again: still one sign-up, and no second notice.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, signup_data(inzending=token))
    assert Steungezin.objects.count() == 1
    assert mail.outbox == []


def test_the_service_refuses_a_public_sign_up_without_consent(organisatie):
    with pytest.raises(ValidationError, match="toestemming"):
        gezin_aanmelden(
            door=None,
            model=Steungezin,
            organisatie=organisatie,
            gegevens={
                "naam": "X",
                "straat": "A",
                "huisnummer": "1",
                "postcode": "7551 AB",
                "plaats": "Hengelo",
            },
            leden=[],
        )
    assert not Steungezin.objects.exists()


def test_every_step_asks_the_table_first(organisatie, coordinator):
    """The table, not a template, decides: each refused step raises."""
    koppeling = KoppelingFactory(organisatie=organisatie, status=Koppeling.Status.VOORGESTELD)
    assert koppeling.kan == {
        "kennismaking_plannen": True,
        "kennismaking_uitkomst": False,
        "starten": False,
        "begeleiding": True,
        "contactmoment": False,
        "signaal_melden": True,
        "notitie": True,
        "document": True,
        "evaluatie": False,
        "afsluiten": True,
        "heropenen": False,
    }
    with pytest.raises(TransitionError):
        services.contactmoment_vastleggen(
            door=coordinator,
            koppeling=koppeling,
            datum=DAY,
            met="beide",
            hoe="bezoek",
            verloop="goed",
        )


def test_an_edit_that_only_reorders_choices_changes_nothing(organisatie, coordinator):
    gezin = VraaggezinFactory(organisatie=organisatie, dagdelen=["wo_middag", "ma_ochtend"])
    gezin_wijzigen(
        door=coordinator,
        gezin=gezin,
        versie=gezin.versie,
        gegevens={"dagdelen": ["ma_ochtend", "wo_middag"]},
    )
    entry = AuditEntry.objects.filter(object_id=str(gezin.pk)).get()
    assert entry.detail == "gewijzigd: niets"
