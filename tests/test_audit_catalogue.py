"""The audit catalogue: each kind of event has its own function and fixed text,
names records by type and number only, and notes which families an entry
concerns; "wie heeft dit dossier gezien" reads exactly those."""

import datetime

import pytest
from django.core.management import call_command
from django.db import Error, connection, transaction
from django.urls import reverse

from accounts import audit
from accounts.models import AuditEntry, AuditGezin, User
from gezinnen.services import gezin_wijzigen
from tests.factories import (
    KoppelingFactory,
    SteungezinFactory,
    UserFactory,
    VraaggezinFactory,
)

pytestmark = pytest.mark.django_db


def families(entry: AuditEntry) -> set[int]:
    return set(AuditGezin.objects.filter(entry=entry).values_list("gezin_id", flat=True))


# What an entry concerns


def test_an_entry_about_a_koppeling_concerns_both_families(coordinator, organisatie):
    koppeling = KoppelingFactory(organisatie=organisatie, vraaggezin__naam="Kwakkelstein")
    entry = audit.dossier_bekeken(door=coordinator, obj=koppeling)
    assert families(entry) == {koppeling.vraaggezin_id, koppeling.steungezin_id}
    assert entry.object_repr == f"koppeling nr. {koppeling.pk}"
    assert "Kwakkelstein" not in entry.object_repr + entry.detail


def test_a_list_entry_concerns_every_family_it_showed(coordinator, organisatie):
    shown = VraaggezinFactory.create_batch(3, organisatie=organisatie)
    koppeling = KoppelingFactory(organisatie=organisatie)
    entry = audit.lijst_bekeken(door=coordinator, wat="dashboard", records=[*shown, koppeling])
    assert families(entry) == {
        *(g.pk for g in shown),
        koppeling.vraaggezin_id,
        koppeling.steungezin_id,
    }


def test_a_change_names_old_and_new_values_but_never_personal_data(coordinator, organisatie):
    gezin = SteungezinFactory(
        organisatie=organisatie, naam="Kwakkelstein", telefoon="", capaciteit=1
    )
    gezin_wijzigen(
        door=coordinator,
        gezin=gezin,
        versie=gezin.versie,
        gegevens={
            "naam": "Oosterbroek",
            "telefoon": "0612345678",
            "capaciteit": 2,
        },
    )
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.CHANGE).latest("pk")
    assert entry.object_repr == f"steungezin nr. {gezin.pk}"
    # The fields that changed are named; names and numbers are not quoted.
    assert "naam" in entry.detail
    assert "telefoon" in entry.detail
    for secret in ("Kwakkelstein", "Oosterbroek", "0612345678", "+316"):
        assert secret not in entry.detail
    # A number is not personal: it is quoted, old → new.
    assert "1 → 2" in entry.detail


def test_every_kind_of_event_has_its_own_action(coordinator, superuser):
    gezin = VraaggezinFactory(organisatie=coordinator.organisatie)
    entries = [
        audit.dossier_bekeken(door=coordinator, obj=gezin),
        audit.geexporteerd(door=coordinator, wat="lijst", records=[gezin]),
        audit.aangemaakt(door=coordinator, obj=gezin),
        audit.gewijzigd(door=coordinator, obj=gezin, wat="status: a → b"),
        audit.geanonimiseerd(door=None, obj=gezin, wijze="bewaartermijn"),
        audit.rechten_gewijzigd(door=superuser, gebruiker=coordinator, wijzigingen="rol"),
        audit.wachtwoord(door=None, gebruiker=coordinator, gebeurtenis="herstel aangevraagd"),
        audit.tweestaps(door=coordinator, gebruiker=coordinator, gebeurtenis="ingesteld"),
        audit.ingelogd(gebruiker=coordinator),
        audit.inloggen_mislukt(adres="x@example.nl", gebruiker=None),
    ]
    assert [e.action for e in entries] == [
        "view",
        "export",
        "create",
        "change",
        "erase",
        "rights",
        "password",
        "two_factor",
        "login",
        "login_failed",
    ]
    assert entries[4].detail == "persoonsgegevens verwijderd: bewaartermijn verstreken"
    with pytest.raises(ValueError, match="Onbekende gebeurtenis"):
        audit.tweestaps(door=coordinator, gebruiker=coordinator, gebeurtenis="iets anders")


def test_the_catalogue_is_the_only_writer_outside_the_audit_module():
    """No app module calls ``audit.record`` itself: each event goes through
    its catalogue function, so no free text with a name slips into the log."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parent.parent
    offenders = [
        str(path.relative_to(root))
        for app in ("accounts", "gezinnen", "screening", "matching", "reports", "steungezinnen")
        for path in (root / app).rglob("*.py")
        if "audit.record(" in path.read_text() and path.name != "audit.py"
    ]
    assert offenders == []


# Wie heeft dit dossier gezien


def bekeken_url(gezin) -> str:
    return reverse(f"gezinnen:{gezin._meta.model_name}-bekeken", args=[gezin.pk])


def test_the_coordinator_sees_who_looked_at_a_family_anywhere(client, coordinator, organisatie):
    collega = UserFactory(organisatie=organisatie, rol="coordinator", first_name="Bea")
    gezin = VraaggezinFactory(organisatie=organisatie, status="wachtend")
    ander = VraaggezinFactory(organisatie=organisatie)
    steun = SteungezinFactory(organisatie=organisatie, status="beschikbaar")
    audit.dossier_bekeken(door=collega, obj=gezin)
    audit.lijst_bekeken(door=collega, wat="lijst vraaggezinnen", records=[ander, gezin])
    koppeling = KoppelingFactory(organisatie=organisatie, vraaggezin=gezin, steungezin=steun)
    audit.aangemaakt(door=collega, obj=koppeling, toelichting="voorgesteld")
    audit.geexporteerd(door=collega, wat="evaluatieverslag (PDF)", obj=koppeling)
    audit.dossier_bekeken(door=collega, obj=ander)  # another family: not shown

    client.force_login(coordinator)
    response = client.get(bekeken_url(gezin))
    assert response.status_code == 200
    shown = list(response.context["page"].object_list)
    # Newest first; this very look is logged and listed too.
    assert shown[0].user == coordinator
    assert shown[0].detail == "wie heeft dit dossier gezien"
    kinds = [(e.user, e.action) for e in shown[1:]]
    assert kinds == [
        (collega, "export"),
        (collega, "create"),
        (collega, "view"),
        (collega, "view"),
    ]
    assert "Bea" in response.text
    # The steungezin's own page lists the koppeling entries, not the lists.
    response = client.get(bekeken_url(steun))
    assert [e.action for e in response.context["page"].object_list][1:] == ["export", "create"]


@pytest.mark.parametrize("person", ["vrijwilliger", "outsider", "beheerder"])
def test_only_the_coordinators_of_the_organisation_see_it(client, all_roles, person, organisatie):
    gezin = VraaggezinFactory(organisatie=organisatie)
    client.force_login(all_roles[person])
    assert client.get(bekeken_url(gezin)).status_code == 404


def test_it_is_a_login_page_for_a_stranger(client, organisatie):
    gezin = VraaggezinFactory(organisatie=organisatie)
    response = client.get(bekeken_url(gezin))
    assert response.status_code == 302
    assert "inloggen" in response.url


def test_a_page_number_of_any_kind_shows_a_page(client, coordinator, organisatie):
    gezin = VraaggezinFactory(organisatie=organisatie)
    client.force_login(coordinator)
    for page in ("0", "-1", "999999999999999999999", "abc", "\u0661"):
        assert client.get(bekeken_url(gezin), {"pagina": page}).status_code == 200


def test_the_page_costs_the_same_queries_for_a_long_history(
    client, coordinator, organisatie, django_assert_max_num_queries
):
    gezin = VraaggezinFactory(organisatie=organisatie)
    for _ in range(60):
        audit.dossier_bekeken(door=UserFactory(organisatie=organisatie), obj=gezin)
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(bekeken_url(gezin))
    assert len(response.context["page"].object_list) == 50


# The log in the database


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("alleen op PostgreSQL (zet DATABASE_URL=postgres://…)")


def test_the_families_of_an_entry_cannot_be_rewritten_either(postgresql, coordinator):
    entry = audit.dossier_bekeken(door=coordinator, obj=VraaggezinFactory())
    for statement in (
        "UPDATE accounts_auditgezin SET gezin_id = 1",
        "DELETE FROM accounts_auditgezin",
    ):
        with (
            pytest.raises(Error, match="kan niet worden gewijzigd"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AuditGezin.objects.filter(entry=entry).count() == 1
    with pytest.raises(Exception, match="kan niet"):
        AuditGezin.objects.filter(entry=entry).delete()


def test_the_migration_takes_names_out_of_entries_written_before(postgresql, coordinator):
    """Entries of the first wave described a family by its name; migrating
    puts type and number in their place and leaves the log append-only. It
    also stores e-mail addresses in the form the login looks them up by."""
    gezin = VraaggezinFactory(organisatie=coordinator.organisatie, naam="Kwakkelstein")
    # An address stored before the login normalised addresses.
    User.objects.filter(pk=coordinator.pk).update(email="Carla.ＤＥ.Vries@Example.NL")
    try:
        call_command("migrate", "accounts", "0003", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO accounts_auditentry (timestamp, action, object_type, object_id,"
                " object_repr, detail, user_id) VALUES (%s, 'view', 'gezinnen.vraaggezin', %s,"
                " 'Gezin Kwakkelstein', '', %s)",
                [datetime.datetime.now(datetime.UTC), str(gezin.pk), coordinator.pk],
            )
    finally:
        call_command("migrate", "accounts", verbosity=0)
    entry = AuditEntry.objects.get(object_id=str(gezin.pk))
    assert entry.object_repr == f"vraaggezin nr. {gezin.pk}"
    coordinator.refresh_from_db()
    assert coordinator.email == "carla.de.vries@example.nl"
    with pytest.raises(Error), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET detail = 'x'")


def test_a_mail_sent_is_its_own_kind_and_names_no_address(coordinator, organisatie):
    from matching.models import Bericht

    koppeling = KoppelingFactory(organisatie=organisatie)
    bericht = Bericht.objects.create(
        organisatie=organisatie,
        gezin=koppeling.vraaggezin,
        koppeling=koppeling,
        soort="verwijzer_einde",
        aan="verwijzer",
        adres="kwakkelstein@wijkteam.example",
        onderwerp="Over Kwakkelstein",
    )
    entry = audit.mail_verstuurd(door=coordinator, bericht=bericht)
    assert entry.action == "mail"
    assert entry.object_repr == f"bericht nr. {bericht.pk}"
    assert families(entry) == {koppeling.vraaggezin_id}
    assert entry.detail == (
        f"bericht aan de verwijzer: de steun is gestopt, aan verwijzer over koppeling nr. "
        f"{koppeling.pk}"
    )
    assert "wakkelstein" not in entry.detail + entry.object_repr
