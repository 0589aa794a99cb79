import datetime

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organisatie, User
from gezinnen.models import Gezin, Steungezin, Vraaggezin, Wijk

pytestmark = pytest.mark.django_db


def test_it_creates_two_organisations_with_every_role(capsys):
    call_command("demo", force=True)
    assert Organisatie.objects.count() == 2
    for organisatie in Organisatie.objects.all():
        users = organisatie.users.all()
        assert {u.rol for u in users} == {User.Rol.COORDINATOR, User.Rol.VRIJWILLIG_COORDINATOR, ""}
        assert any(u.is_beheerder and not u.rol for u in users)
        assert all(u.check_password("steungezin-demo") for u in users)
    output = capsys.readouterr().out
    assert "coordinator@humanitas.demo" in output
    assert "steungezin-demo" in output


def test_it_is_safe_to_run_twice():
    call_command("demo", force=True)
    names = sorted(User.objects.values_list("email", "first_name", "last_name"))
    families = Gezin.objects.count()
    call_command("demo", force=True)
    assert sorted(User.objects.values_list("email", "first_name", "last_name")) == names
    assert Gezin.objects.count() == families


def test_it_fills_every_organisation_with_families_in_every_status():
    call_command("demo", force=True)
    for organisatie in Organisatie.objects.all():
        vraag = Vraaggezin.objects.filter(organisatie=organisatie)
        steun = Steungezin.objects.filter(organisatie=organisatie)
        assert vraag.count() == 30
        assert steun.count() == 25
        assert set(vraag.values_list("status", flat=True)) == set(Vraaggezin.Status.values)
        assert set(steun.values_list("status", flat=True)) == set(Steungezin.Status.values)
        assert all(g.leden.filter(soort="kind").exists() for g in vraag)
        wijken = Wijk.objects.filter(organisatie=organisatie)
        assert wijken.count() >= 5
        assert all(w.aangrenzend.exists() and w.pc4_set for w in wijken)
        # Every family lives in a wijk whose postcodes include its own.
        assert all(wijken.for_postcode(g.postcode) == g.wijk for g in vraag)


def test_it_refuses_to_run_without_debug():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo")
    assert not User.objects.exists()


def test_it_shows_screening_at_every_stage():
    from gezinnen.models import today
    from screening.models import VOG, Training
    from screening.rules import (
        VERLOOPT_BINNEN_DAGEN,
        herscreening_redenen,
        tekorten_voor_goedkeuring,
        with_screening,
    )

    call_command("demo", force=True)
    day = today()
    for organisatie in Organisatie.objects.all():
        in_screening = with_screening(
            Steungezin.objects.filter(organisatie=organisatie, status="in_screening")
        )
        missing = [len(tekorten_voor_goedkeuring(g, day)) for g in in_screening]
        assert 0 in missing  # one ready for the decision
        assert max(missing) >= 3  # one that has only just started
        assert Training.objects.filter(organisatie=organisatie).exists()
        vogs = VOG.objects.filter(gezinslid__gezin__organisatie=organisatie, status="ontvangen")
        assert any(
            0 < (v.geldig_tot(organisatie) - day).days <= VERLOOPT_BINNEN_DAGEN for v in vogs
        )
        beschikbaar = with_screening(
            Steungezin.objects.filter(organisatie=organisatie, status="beschikbaar")
        )
        assert all(not herscreening_redenen(g, day) for g in beschikbaar)
        assert any(
            lid.leeftijd == 17 and (lid.age_on(day + datetime.timedelta(days=31)) == 18)
            for g in beschikbaar
            for lid in g.leden.all()
        )


def test_demo_koppelingen_start_after_the_registration():
    from matching.models import Koppeling

    call_command("demo", force=True)
    started = Koppeling.objects.filter(start_op__isnull=False).select_related("vraaggezin")
    assert started.exists()
    assert all(k.start_op >= k.vraaggezin.aangemeld_op for k in started)
    assert Koppeling.objects.filter(
        status="actief", volgende_contact_op__lt=datetime.date.today()
    ).exists()
    assert Koppeling.objects.filter(signalen__afgehandeld_op__isnull=True).exists()


def test_every_organisation_has_notes_and_a_signed_agreement_to_try(documenten_map):
    from matching.models import Document, Notitie

    call_command("demo", force=True)
    for organisatie in Organisatie.objects.all():
        vrijwilliger = organisatie.users.get(rol=User.Rol.VRIJWILLIG_COORDINATOR)
        notities = Notitie.objects.filter(organisatie=organisatie)
        assert notities.filter(gezin__isnull=False).exists()
        assert notities.filter(koppeling__isnull=False).exists()
        # One for professionals only: the volunteer coordinator does not read it.
        verborgen = notities.get(alleen_professionals=True)
        assert not Notitie.objects.visible_to(vrijwilliger).filter(pk=verborgen.pk).exists()
        (document,) = Document.objects.filter(organisatie=organisatie)
        assert document.soort == Document.Soort.OVEREENKOMST
        assert document.bestand.open("rb").read(5) == b"%PDF-"
