import pytest
from django.core.exceptions import PermissionDenied

from accounts import audit
from accounts.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_it_records_who_did_what_to_which_record(coordinator, outsider):
    token = audit.current_ip.set("192.0.2.7")
    try:
        entry = audit.record(AuditEntry.Action.VIEW, outsider, user=coordinator, detail="uit test")
    finally:
        audit.current_ip.reset(token)

    entry.refresh_from_db()
    assert entry.user == coordinator
    assert entry.action == AuditEntry.Action.VIEW
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(outsider.pk)
    assert entry.ip_address == "192.0.2.7"
    assert entry.detail == "uit test"
    # The entry belongs to the organisation of the record...
    assert entry.organisatie == outsider.organisatie


def test_it_files_an_entry_without_record_under_the_users_organisation(coordinator):
    entry = audit.record(AuditEntry.Action.EXPORT, user=coordinator)
    assert entry.organisatie == coordinator.organisatie


def test_it_refuses_to_change_an_entry(coordinator):
    entry = audit.record(AuditEntry.Action.EXPORT, user=coordinator)
    entry.detail = "anders"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.update(detail="anders")
    assert AuditEntry.objects.get().detail == ""


def test_it_refuses_to_delete_an_entry(coordinator):
    entry = audit.record(AuditEntry.Action.EXPORT, user=coordinator)
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1


def test_the_ip_address_of_the_request_reaches_a_service_entry(client, coordinator):
    """Services never see the request; the middleware hands them its address."""
    from tests.factories import VraaggezinFactory

    gezin = VraaggezinFactory(organisatie=coordinator.organisatie)
    client.force_login(coordinator)
    client.get(f"/vraaggezinnen/{gezin.pk}/", REMOTE_ADDR="198.51.100.4")
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW).get()
    assert entry.ip_address == "198.51.100.4"
    assert audit.current_ip.get() is None


def test_the_client_address_comes_from_a_trusted_proxy_only(rf, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    behind = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.8.7, 203.0.113.5")
    assert audit.client_ip(behind) == "203.0.113.5"  # what the proxy itself saw
    forged = rf.get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert audit.client_ip(forged) == "198.51.100.9"
    garbage = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="niet-een-adres")
    assert audit.client_ip(garbage) == "127.0.0.1"
