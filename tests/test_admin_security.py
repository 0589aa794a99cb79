"""The back office keeps its own record and its bounds: the audit log cannot
be rewritten, changes of users and their rights are logged, a beheerder stays
within the own organisation and below the superusers, and no family's name
reaches the back office."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import Error, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from accounts import audit
from accounts.models import AuditEntry, User
from screening.services import vog_aanvragen
from tests.factories import (
    PASSWORD,
    GezinslidFactory,
    KoppelingFactory,
    SteungezinFactory,
    VraaggezinFactory,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "een-ander-lang-wachtwoord-7"


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def password_url(user: User) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def form_data(user: User, **changes) -> dict:
    """The user's change form as the browser posts it, with some changes."""
    values = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "organisatie": user.organisatie_id or "",
        "rol": user.rol,
        "is_beheerder": user.is_beheerder,
        "is_active": user.is_active,
        "is_superuser": user.is_superuser,
        **changes,
    }
    # An unticked checkbox is not posted at all.
    return {
        name: "on" if value is True else value
        for name, value in values.items()
        if value is not False
    }


def logged(user: User) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk)).order_by(
            "id"
        )
    )


# The audit log in the database


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("alleen op PostgreSQL (zet DATABASE_URL=postgres://…)")


def test_it_refuses_raw_sql_that_rewrites_or_removes_the_log(postgresql, coordinator):
    entry = audit.record(AuditEntry.Action.VIEW, coordinator, user=coordinator, detail="ingezien")
    with connection.cursor() as cursor:
        for statement in (
            "UPDATE accounts_auditentry SET detail = 'x'",
            "DELETE FROM accounts_auditentry",
        ):
            with (
                pytest.raises(Error, match="Het auditlog kan niet worden gewijzigd of verwijderd"),
                transaction.atomic(),
            ):
                cursor.execute(statement)

    entry.refresh_from_db()
    assert entry.detail == "ingezien"
    assert AuditEntry.objects.count() == 1


def test_it_lifts_the_refusal_only_when_migrated_back(postgresql, coordinator):
    entry = audit.record(AuditEntry.Action.VIEW, coordinator, user=coordinator, detail="ingezien")
    try:
        call_command("migrate", "accounts", "0002", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE accounts_auditentry SET detail = 'x'")
        entry.refresh_from_db()
        assert entry.detail == "x"
    finally:
        call_command("migrate", "accounts", verbosity=0)
    with pytest.raises(Error), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


# Changes of users and their rights are logged


def test_it_logs_a_role_and_right_given_by_the_beheerder(client, beheerder, vrijwilliger):
    client.force_login(beheerder)
    response = client.post(
        change_url(vrijwilliger),
        form_data(vrijwilliger, rol=User.Rol.COORDINATOR, is_beheerder=True, first_name="Veerle"),
    )
    assert response.status_code == 302

    vrijwilliger.refresh_from_db()
    assert (vrijwilliger.rol, vrijwilliger.is_beheerder) == (User.Rol.COORDINATOR, True)
    [entry] = logged(vrijwilliger)
    assert (entry.action, entry.user, entry.organisatie) == (
        AuditEntry.Action.RIGHTS,
        beheerder,
        vrijwilliger.organisatie,
    )
    assert entry.detail == (
        f"gebruiker nr. {vrijwilliger.pk}: rol vrijwillige coördinator → coördinator; "
        "beheerder nee → ja; ook gewijzigd: voornaam"
    )


def test_it_logs_a_deactivation(client, beheerder, coordinator):
    client.force_login(beheerder)
    client.post(change_url(coordinator), form_data(coordinator, is_active=False))

    coordinator.refresh_from_db()
    assert not coordinator.is_active
    [entry] = logged(coordinator)
    assert entry.detail == f"gebruiker nr. {coordinator.pk}: actief ja → nee"


def test_it_logs_a_move_to_another_organisatie_by_the_superuser(
    client, superuser, outsider, organisatie, log_in_verified
):
    log_in_verified(client, superuser)
    client.post(change_url(outsider), form_data(outsider, organisatie=organisatie.pk))

    outsider.refresh_from_db()
    assert outsider.organisatie == organisatie
    [entry] = logged(outsider)
    assert entry.user == superuser
    assert entry.detail == (
        f"gebruiker nr. {outsider.pk}: "
        "organisatie Salut – Hof van Twente → Humanitas Twente – Hengelo"
    )


def test_it_logs_a_save_without_changes(client, beheerder, coordinator):
    client.force_login(beheerder)
    client.post(change_url(coordinator), form_data(coordinator))
    [entry] = logged(coordinator)
    assert entry.detail == f"gebruiker nr. {coordinator.pk}: niets gewijzigd"


def test_it_logs_a_new_user_with_the_rights_given(client, beheerder):
    client.force_login(beheerder)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "nina@humanitas.example",
            "first_name": "Nina",
            "last_name": "Nieuw",
            "rol": User.Rol.VRIJWILLIG_COORDINATOR,
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302

    nina = User.objects.get(email="nina@humanitas.example")
    [entry] = logged(nina)
    assert (entry.action, entry.user) == (AuditEntry.Action.CREATE, beheerder)
    assert entry.detail == (
        f"gebruiker nr. {nina.pk}: rol vrijwillige coördinator; beheerder nee; actief ja; "
        "organisatie Humanitas Twente – Hengelo; supergebruikerstatus nee"
    )


def test_it_logs_a_password_set_by_the_beheerder(client, beheerder, coordinator):
    client.force_login(beheerder)
    response = client.post(
        password_url(coordinator),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302

    coordinator.refresh_from_db()
    assert coordinator.check_password(NEW_PASSWORD)
    [entry] = logged(coordinator)
    assert (entry.action, entry.user) == (AuditEntry.Action.PASSWORD, beheerder)
    assert entry.detail == (
        f"gebruiker nr. {coordinator.pk}: wachtwoord opnieuw ingesteld door de beheerder"
    )
    assert NEW_PASSWORD not in entry.detail


def test_it_logs_password_login_switched_off(client, beheerder, coordinator):
    client.force_login(beheerder)
    client.post(password_url(coordinator), {"usable_password": "false", "unset-password": "1"})

    coordinator.refresh_from_db()
    assert not coordinator.has_usable_password()
    [entry] = logged(coordinator)
    assert entry.detail == (
        f"gebruiker nr. {coordinator.pk}: inloggen met wachtwoord uitgezet door de beheerder"
    )


def test_it_logs_nothing_for_a_password_form_that_is_refused(client, beheerder, coordinator):
    client.force_login(beheerder)
    response = client.post(
        password_url(coordinator),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": "iets-anders-12345"},
    )
    assert response.status_code == 200

    coordinator.refresh_from_db()
    assert coordinator.check_password(PASSWORD)
    assert logged(coordinator) == []


# A beheerder stays within bounds


def test_it_keeps_superusers_out_of_a_beheerders_sight(client, beheerder, superuser):
    superuser.organisatie = beheerder.organisatie  # even one of the own organisation
    superuser.save()
    client.force_login(beheerder)

    response = client.get(reverse("admin:accounts_user_changelist"))
    assert superuser.email not in response.text
    response = client.get(change_url(superuser))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert client.get(password_url(superuser)).status_code == 404

    response = client.post(
        password_url(superuser),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 404
    response = client.post(change_url(superuser), form_data(superuser, is_active=False))
    assert response.status_code == 302
    superuser.refresh_from_db()
    assert superuser.check_password("een-goed-wachtwoord-42")
    assert superuser.is_active
    assert logged(superuser) == []


def test_it_keeps_another_organisations_passwords_out_of_reach(client, beheerder, outsider):
    client.force_login(beheerder)
    assert client.get(password_url(outsider)).status_code == 404
    response = client.post(
        password_url(outsider),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 404
    outsider.refresh_from_db()
    assert outsider.check_password(PASSWORD)
    assert logged(outsider) == []


def test_it_gives_a_beheerder_no_permission_on_a_user_out_of_reach(
    beheerder, coordinator, outsider, superuser
):
    request = RequestFactory().get("/")
    request.user = beheerder
    user_admin = admin.site._registry[User]
    assert user_admin.has_change_permission(request, coordinator)
    assert not user_admin.has_change_permission(request, outsider)
    assert not user_admin.has_change_permission(request, superuser)
    assert not user_admin.has_view_permission(request, superuser)

    request.user = superuser
    assert user_admin.has_change_permission(request, outsider)


def test_it_ignores_superuser_rights_posted_by_a_beheerder(client, beheerder, coordinator):
    group = Group.objects.create(name="alles")
    permission = Permission.objects.get(codename="change_user")
    client.force_login(beheerder)
    response = client.post(
        change_url(coordinator),
        form_data(
            coordinator, is_superuser=True, groups=[group.pk], user_permissions=[permission.pk]
        ),
    )
    assert response.status_code == 302

    coordinator.refresh_from_db()
    assert not coordinator.is_superuser
    assert not coordinator.groups.exists()
    assert not coordinator.user_permissions.exists()
    [entry] = logged(coordinator)
    assert entry.detail == f"gebruiker nr. {coordinator.pk}: niets gewijzigd"


def test_it_lets_the_superuser_give_superuser_rights(
    client, superuser, coordinator, log_in_verified
):
    log_in_verified(client, superuser)
    client.post(change_url(coordinator), form_data(coordinator, is_superuser=True))

    coordinator.refresh_from_db()
    assert coordinator.is_superuser
    [entry] = logged(coordinator)
    assert entry.detail == f"gebruiker nr. {coordinator.pk}: supergebruikerstatus nee → ja"


def test_it_keeps_a_beheerders_own_rights_out_of_their_hands(client, beheerder):
    client.force_login(beheerder)
    form = client.get(change_url(beheerder)).context["adminform"].form
    assert not {"organisatie", "rol", "is_beheerder", "is_active"} & set(form.fields)

    response = client.post(
        change_url(beheerder),
        form_data(
            beheerder,
            first_name="Bertus",
            rol=User.Rol.COORDINATOR,
            is_beheerder=False,
            is_active=False,
        ),
    )
    assert response.status_code == 302

    beheerder.refresh_from_db()
    assert beheerder.first_name == "Bertus"
    assert (beheerder.rol, beheerder.is_beheerder, beheerder.is_active) == ("", True, True)
    [entry] = logged(beheerder)
    assert entry.detail == f"gebruiker nr. {beheerder.pk}: gewijzigd: voornaam"


# No family's name in the back office


@pytest.fixture
def family_entries(coordinator, organisatie):
    """What Carla's work leaves in the log: records named after the families."""
    gezin = VraaggezinFactory(organisatie=organisatie, naam="Kwakkelstein", leden=[])
    steun = SteungezinFactory(
        organisatie=organisatie, naam="Kwakkelstein", status="in_screening", leden=[]
    )
    anna = GezinslidFactory(gezin=steun, voornaam="Anna", achternaam="Kwakkelstein")
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        vraaggezin__naam="Kwakkelstein",
        steungezin__naam="Oosterbroek",
    )
    audit.dossier_bekeken(door=coordinator, obj=gezin)
    vog_aanvragen(door=coordinator, lid=anna)
    audit.dossier_bekeken(door=coordinator, obj=koppeling)
    return list(AuditEntry.objects.order_by("pk"))


@pytest.mark.parametrize("person", ["beheerder", "superuser"])
def test_it_names_family_records_by_type_and_number_only(
    client, request, person, family_entries, log_in_verified
):
    gezin_entry, vog_entry, koppeling_entry = family_entries
    log_in_verified(client, request.getfixturevalue(person))

    response = client.get(reverse("admin:accounts_auditentry_changelist"))
    assert set(response.context["cl"].result_list) >= set(family_entries)
    assert f"vraaggezin nr. {gezin_entry.object_id}" in response.text
    assert f"koppeling nr. {koppeling_entry.object_id}" in response.text
    assert "Kwakkelstein" not in response.text
    assert "Oosterbroek" not in response.text

    response = client.get(reverse("admin:accounts_auditentry_change", args=[vog_entry.pk]))
    assert response.status_code == 200
    assert f"steungezin nr. {vog_entry.object_id}" in response.text
    assert "Kwakkelstein" not in response.text

    # Not even the log itself holds the names.
    for entry in family_entries:
        entry.refresh_from_db()
        assert "Kwakkelstein" not in entry.object_repr + entry.detail


def test_it_searches_the_log_by_type_and_number_not_by_name(client, beheerder, family_entries):
    gezin_entry = family_entries[0]
    client.force_login(beheerder)
    changelist = reverse("admin:accounts_auditentry_changelist")

    def found(query: str) -> list[AuditEntry]:
        return list(client.get(changelist, {"q": query}).context["cl"].result_list)

    assert found("Kwakkelstein") == []
    assert found("Anna") == []
    assert gezin_entry in found("vraaggezin")
    assert gezin_entry in found(gezin_entry.object_id)


def test_it_shows_the_detail_of_a_change_of_rights(client, beheerder, vrijwilliger):
    client.force_login(beheerder)
    client.post(change_url(vrijwilliger), form_data(vrijwilliger, is_beheerder=True))

    response = client.get(reverse("admin:accounts_auditentry_changelist"))
    assert f"gebruiker nr. {vrijwilliger.pk}: beheerder nee → ja" in response.text


def test_it_asks_the_superuser_for_the_organisatie_of_a_new_user(
    client, superuser, log_in_verified
):
    log_in_verified(client, superuser)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "nina@humanitas.example",
            "first_name": "Nina",
            "last_name": "Nieuw",
            "organisatie": "",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "organisatie" in response.context["adminform"].form.errors
    assert not User.objects.filter(email="nina@humanitas.example").exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CREATE).exists()
