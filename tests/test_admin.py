import pytest
from django.urls import reverse

from accounts import audit
from accounts.models import AuditEntry, User

pytestmark = pytest.mark.django_db


def test_it_lets_a_beheerder_in(client, beheerder):
    client.force_login(beheerder)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Steungezinnen – beheer" in response.text


@pytest.mark.parametrize("person", ["coordinator", "vrijwilliger"])
def test_it_keeps_other_roles_out_of_the_back_office(client, all_roles, person):
    client.force_login(all_roles[person])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_it_lists_only_the_own_organisations_users(client, beheerder, coordinator, outsider):
    client.force_login(beheerder)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    assert coordinator.email in response.text
    assert outsider.email not in response.text


def test_it_hides_another_organisations_user(client, beheerder, outsider):
    client.force_login(beheerder)
    response = client.get(reverse("admin:accounts_user_change", args=[outsider.pk]))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_it_adds_a_user_to_the_beheerders_organisation(client, beheerder, other_organisatie):
    client.force_login(beheerder)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "nieuw@humanitas.example",
            "first_name": "Nina",
            "last_name": "Nieuw",
            "rol": User.Rol.VRIJWILLIG_COORDINATOR,
            "organisatie": other_organisatie.pk,
            "is_superuser": "on",
            "usable_password": "true",
            "password1": "een-lang-wachtwoord-9",
            "password2": "een-lang-wachtwoord-9",
        },
    )
    assert response.status_code == 302
    nina = User.objects.get(email="nieuw@humanitas.example")
    # Fields a beheerder may not set are ignored.
    assert nina.organisatie == beheerder.organisatie
    assert not nina.is_superuser
    assert nina.rol == User.Rol.VRIJWILLIG_COORDINATOR


def test_it_deactivates_instead_of_deleting(client, beheerder, coordinator):
    client.force_login(beheerder)
    response = client.get(reverse("admin:accounts_user_delete", args=[coordinator.pk]))
    assert response.status_code == 403
    assert User.objects.filter(pk=coordinator.pk).exists()


def test_it_shows_a_superuser_every_organisation(
    client, superuser, coordinator, outsider, log_in_verified
):
    log_in_verified(client, superuser)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert coordinator.email in response.text
    assert outsider.email in response.text


def test_it_shows_the_own_audit_log_read_only(client, beheerder, coordinator, outsider):
    own = audit.record(AuditEntry.Action.VIEW, coordinator, user=coordinator)
    foreign = audit.record(AuditEntry.Action.VIEW, outsider, user=outsider)
    client.force_login(beheerder)

    response = client.get(reverse("admin:accounts_auditentry_changelist"))
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert own in shown
    assert foreign not in shown

    assert client.get(reverse("admin:accounts_auditentry_add")).status_code == 403
    change_url = reverse("admin:accounts_auditentry_change", args=[own.pk])
    client.post(change_url, {"detail": "weg ermee"})
    own.refresh_from_db()
    assert own.detail == ""
    delete_url = reverse("admin:accounts_auditentry_delete", args=[own.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=own.pk).exists()


def test_it_lets_a_beheerder_rename_only_the_own_organisatie(client, beheerder, other_organisatie):
    client.force_login(beheerder)
    response = client.get(reverse("admin:accounts_organisatie_changelist"))
    assert beheerder.organisatie.naam in response.text
    assert other_organisatie.naam not in response.text
    assert client.get(reverse("admin:accounts_organisatie_add")).status_code == 403


def test_a_beheerder_adds_a_wijk_with_postcodes_and_neighbours(
    client, beheerder, other_organisatie
):
    from gezinnen.models import Wijk
    from tests.factories import WijkFactory

    noord = WijkFactory(organisatie=beheerder.organisatie, naam="Noord", postcodes="7555")
    elders = WijkFactory(organisatie=other_organisatie, naam="Elders")
    client.force_login(beheerder)
    form = client.get(reverse("admin:gezinnen_wijk_add")).context["adminform"].form
    assert list(form.fields["aangrenzend"].queryset) == [noord]

    response = client.post(
        reverse("admin:gezinnen_wijk_add"),
        {
            "naam": "Zuid",
            "gemeente": "Hengelo",
            "postcodes": "7554 , 7553",
            "aangrenzend": [noord.pk],
        },
    )
    assert response.status_code == 302
    zuid = Wijk.objects.get(naam="Zuid")
    assert zuid.organisatie == beheerder.organisatie
    assert zuid.postcodes == "7553, 7554"
    assert list(noord.aangrenzend.all()) == [zuid]  # adjacency goes both ways

    response = client.post(
        reverse("admin:gezinnen_wijk_add"),
        {"naam": "Noord", "gemeente": "Hengelo", "postcodes": "7555", "aangrenzend": [elders.pk]},
    )
    assert response.status_code == 200
    assert "Er is al een wijk met deze naam." in response.text
    assert "Al ingedeeld bij een andere wijk: 7555 (Noord)" in response.text
    assert Wijk.objects.filter(organisatie=beheerder.organisatie).count() == 2
