"""The one way to write the audit log."""

from __future__ import annotations

import contextvars
import datetime
import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth import user_logged_in, user_login_failed
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.http import HttpRequest

from accounts.models import AuditEntry, AuditGezin, User

# The address of the client whose request is being handled: set by
# accounts.middleware.RequestContextMiddleware, so that services, which take a
# user and plain values and never a request, can still log where a change came
# from. Empty in management commands and background tasks.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind a reverse proxy that is listed in
    TRUSTED_PROXIES, the last address of X-Forwarded-For (the one that proxy
    saw); from anyone else that header is ignored, since a client can send it."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    if remote and remote in settings.TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            return remote
    return remote


def label(obj: models.Model) -> str:
    """Which record, not whose: "vraaggezin nr. 12"."""
    return f"{obj._meta.verbose_name} nr. {obj.pk}"


def gezinnen_van(obj: models.Model | None) -> set[int]:
    """The families a record is about: itself, the family of a member or of
    a VOG, both families of a koppeling and of what hangs under one."""
    from gezinnen.models import Gezin

    if obj is None:
        return set()
    if isinstance(obj, Gezin):
        return {obj.pk}
    found = set()
    for name in ("gezin_id", "vraaggezin_id", "steungezin_id"):
        value = getattr(obj, name, None)
        if value is not None:
            found.add(value)
    if not found:
        for name in ("koppeling", "gezinslid", "signaal"):
            if getattr(type(obj), f"{name}_id", None) is not None:
                found |= gezinnen_van(getattr(obj, name))
    return found


def record(
    action: AuditEntry.Action,
    obj: models.Model | None = None,
    *,
    user: User | None,
    detail: str = "",
    records: list | tuple = (),
) -> AuditEntry:
    """Append one entry: who, what, which record (by type and number, never
    by name); the IP address comes from the request being handled, if any.
    The families the entry concerns (of ``obj`` and of ``records``) are noted
    beside it, so that each family's "wie heeft dit gezien" is one lookup.

    Call it through the catalogue below, one function per kind of event."""
    if user is not None and not user.is_authenticated:
        user = None
    organisatie_id = getattr(obj, "organisatie_id", None) or getattr(user, "organisatie_id", None)
    families = gezinnen_van(obj)
    for item in records:
        families |= gezinnen_van(item)
    entry = AuditEntry(
        user=user,
        organisatie_id=organisatie_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=label(obj)[:200] if obj is not None else "",
        detail=detail[:DETAIL_LENGTH],
        ip_address=current_ip.get(),
    )
    if not families:
        entry.save()
        return entry
    # The entry and its families in one transaction: one commit per page
    # view instead of two, and never an entry without the families it names.
    # Inside a caller's transaction it joins that one, without a savepoint.
    with transaction.atomic(savepoint=False):
        entry.save()
        AuditGezin.objects.bulk_create(
            AuditGezin(entry_id=entry.pk, gezin_id=gezin_id) for gezin_id in sorted(families)
        )
    return entry


def over_gezin(gezin: models.Model):
    """Everything the log holds about one family: who looked at it, in a
    list or on its own pages, who changed it, exported it or erased it;
    newest first. What "wie heeft dit dossier gezien" and the AVG inzage show."""
    return (
        AuditEntry.objects.filter(gezinnen__gezin_id=gezin.pk, organisatie_id=gezin.organisatie_id)
        .select_related("user")
        .order_by("-timestamp", "-id")
    )


# The catalogue: one function per kind of event, each with a fixed text that
# names records by type and number, never by a person's name, so that "who
# looked at this family?" can be answered without the log holding the family.

DETAIL_LENGTH = 500


def dossier_bekeken(*, door: User, obj: models.Model, onderdeel: str = "") -> AuditEntry:
    """A page about one record: its detail, an edit form, a step form."""
    return record(AuditEntry.Action.VIEW, obj, user=door, detail=onderdeel)


def lijst_bekeken(
    *, door: User, wat: str, records: list, obj: models.Model | None = None
) -> AuditEntry:
    """A list or dashboard: one entry naming each record it showed, by type
    and number ("lijst vraaggezinnen: vraaggezin nr. 3, 7"); ``obj`` is the
    record the list is about, if any (the suggestions for a vraaggezin)."""
    return record(
        AuditEntry.Action.VIEW,
        obj,
        user=door,
        detail=_nummers(f"{wat}: ", records),
        records=records,
    )


def geexporteerd(
    *, door: User, wat: str, obj: models.Model | None = None, records: list | tuple = ()
) -> AuditEntry:
    """A file made for download or print: a PDF, a CSV or XLSX list, the
    agenda feed. ``records`` are the records the file holds, if a list."""
    detail = _nummers(f"{wat}: ", records) if records else wat
    return record(AuditEntry.Action.EXPORT, obj, user=door, detail=detail, records=records)


def aangemaakt(*, door: User | None, obj: models.Model, toelichting: str = "") -> AuditEntry:
    """A new record; ``door`` is None for the public sign-up form."""
    return record(AuditEntry.Action.CREATE, obj, user=door, detail=toelichting)


def gewijzigd(*, door: User | None, obj: models.Model, wat: str) -> AuditEntry:
    """A change or a step: ``wat`` is a fixed text with the fields that
    changed, old → new where the values name nobody (see ``wijzigingen``)."""
    return record(AuditEntry.Action.CHANGE, obj, user=door, detail=wat)


def wijzigingen(obj: models.Model, before: dict[str, Any], names: list[str]) -> str:
    """ "status: wachtend → gekoppeld; telefoonnummer": old → new for fields
    whose values are choices, dates, numbers or yes/no; free text, names,
    addresses and contact data are named, not quoted."""
    parts = []
    for name in names:
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            parts.append(name)
            continue
        title = str(getattr(field, "verbose_name", name))
        if field.choices or isinstance(field, _PLAIN_FIELDS):
            old = _shown(field, before.get(name))
            new = _shown(field, getattr(obj, name))
            parts.append(f"{title}: {old} → {new}")
        else:
            parts.append(title)
    return "; ".join(parts) or "niets gewijzigd"


def geanonimiseerd(*, door: User | None, obj: models.Model, wijze: str) -> AuditEntry:
    """A family's personal data erased: by the daily schedule when the
    retention term ended (``wijze="bewaartermijn"``, ``door`` None) or on the
    family's request (``wijze="verzoek"``, AVG art. 17)."""
    texts = {
        "bewaartermijn": "persoonsgegevens verwijderd: bewaartermijn verstreken",
        "verzoek": "persoonsgegevens verwijderd op verzoek (AVG art. 17)",
    }
    return record(AuditEntry.Action.ERASE, obj, user=door, detail=texts[wijze])


def document_gedownload(*, door: User, document: models.Model) -> AuditEntry:
    """A document of a family's file opened or saved: by its kind and number,
    never by the name of the file (which may hold a name)."""
    return record(
        AuditEntry.Action.EXPORT,
        document,
        user=door,
        detail=f"document gedownload: {document.get_soort_display()}",
    )


def verwijderd(*, door: User, obj: models.Model, wat: str) -> AuditEntry:
    """A record removed from a file (a document uploaded by mistake): ``wat``
    is a fixed text of the record's kind, where it was and a reason that is a
    choice, never typed text."""
    return record(AuditEntry.Action.DELETE, obj, user=door, detail=wat)


def ingevoerd(*, door: User, obj: models.Model, wat: str, records: list) -> AuditEntry:
    """An import of an existing programme stored: ``wat`` counts what it
    brought in, ``records`` the families, so each family's log shows where
    it came from (every record itself has its own entries from the services)."""
    return record(AuditEntry.Action.CREATE, obj, user=door, detail=wat, records=records)


def ongedaan_gemaakt(*, door: User, obj: models.Model, wat: str, records: list) -> AuditEntry:
    """An import undone as a whole: what it removed, and from whose log."""
    return record(AuditEntry.Action.DELETE, obj, user=door, detail=wat, records=records)


def mail_verstuurd(*, door: User | None, bericht: models.Model) -> AuditEntry:
    """A mail about a family sent from the application (matching.Bericht):
    its kind, to whom as a role, and the koppeling it is about, by number;
    never the address or the subject."""
    over = f" over koppeling nr. {bericht.koppeling_id}" if bericht.koppeling_id else ""
    return record(
        AuditEntry.Action.MAIL,
        bericht,
        user=door,
        detail=f"{bericht.get_soort_display()}, aan {bericht.get_aan_display()}{over}",
    )


def account_aangemaakt(*, door: User, gebruiker: User, rechten: str) -> AuditEntry:
    """A user account made in the back office, with the rights it got."""
    return record(
        AuditEntry.Action.CREATE, gebruiker, user=door, detail=f"{label(gebruiker)}: {rechten}"
    )


def rechten_gewijzigd(*, door: User, gebruiker: User, wijzigingen: str) -> AuditEntry:
    """Someone's role, rights or organisation changed: old → new."""
    return record(
        AuditEntry.Action.RIGHTS, gebruiker, user=door, detail=f"{label(gebruiker)}: {wijzigingen}"
    )


WACHTWOORD = {
    "herstel aangevraagd": "herstel van het wachtwoord aangevraagd",
    "hersteld": "wachtwoord opnieuw ingesteld via de herstelmail",
    "gewijzigd": "wachtwoord gewijzigd door de gebruiker",
    "ingesteld door beheerder": "wachtwoord opnieuw ingesteld door de beheerder",
    "uitgezet door beheerder": "inloggen met wachtwoord uitgezet door de beheerder",
}


def wachtwoord(*, door: User | None, gebruiker: User | None, gebeurtenis: str) -> AuditEntry:
    """A password reset, asked for or done, or a password changed. A reset
    asked for an address without an account is logged too (``gebruiker``
    None, the address left out): the same work for both, and the log shows
    someone trying addresses."""
    if gebruiker is None:
        return record(
            AuditEntry.Action.PASSWORD,
            user=None,
            detail=f"onbekend adres: {WACHTWOORD[gebeurtenis]}",
        )
    return record(
        AuditEntry.Action.PASSWORD,
        gebruiker,
        user=door,
        detail=f"{label(gebruiker)}: {WACHTWOORD[gebeurtenis]}",
    )


TWEESTAPS = (
    "ingesteld",
    "code juist",
    "code onjuist",
    "herstelcode gebruikt",
    "herstelcodes vernieuwd",
    "uitgezet",
    "teruggezet door beheerder",
)


def tweestaps(*, door: User | None, gebruiker: User, gebeurtenis: str) -> AuditEntry:
    """A two-factor event: set up, a code right or wrong, a recovery code
    used, codes renewed, switched off, reset by a beheerder."""
    if gebeurtenis not in TWEESTAPS:
        raise ValueError(f"Onbekende gebeurtenis: {gebeurtenis}")
    return record(
        AuditEntry.Action.TWO_FACTOR,
        gebruiker,
        user=door,
        detail=f"{label(gebruiker)}: tweestapsverificatie {gebeurtenis}",
    )


def ingelogd(*, gebruiker: User) -> AuditEntry:
    return record(AuditEntry.Action.LOGIN, user=gebruiker)


def inloggen_mislukt(*, adres: str, gebruiker: User | None) -> AuditEntry:
    """A failed login, for an account that exists (``gebruiker``) or not."""
    return record(
        AuditEntry.Action.LOGIN_FAILED, user=gebruiker, detail=f"Poging met e-mailadres {adres}"
    )


_PLAIN_FIELDS = (
    models.BooleanField,
    models.DateField,
    models.DateTimeField,
    models.IntegerField,
    models.DecimalField,
    models.FloatField,
)


def _shown(field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return "leeg"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime.datetime):
        return f"{value:%d-%m-%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d-%m-%Y}"
    return str(value)


def _nummers(prefix: str, records: list) -> str:
    """The records' numbers grouped by type, in order of appearance, cut off
    with "… en N meer" where the detail field would overflow."""
    groups: dict[str, list[str]] = {}
    for item in records:
        numbers = groups.setdefault(item._meta.verbose_name, [])
        if str(item.pk) not in numbers:
            numbers.append(str(item.pk))
    if not groups:
        return prefix + "geen"
    total = sum(len(numbers) for numbers in groups.values())
    text, shown = prefix.rstrip(), 0
    for label, numbers in groups.items():
        part = f"{';' if shown else ''} {label} nr. "
        for index, number in enumerate(numbers):
            piece = (part if index == 0 else ", ") + number
            rest = f" … en {total - shown - 1} meer"
            if len(text) + len(piece) + len(rest) > DETAIL_LENGTH and shown + 1 < total:
                return f"{text} … en {total - shown} meer"
            text += piece
            shown += 1
    return text


def attempted_email(request: HttpRequest | None, credentials: dict | None = None) -> str:
    """The e-mail address a login attempt was for, normalised exactly as the
    account lookup does: the lock-out (AXES_USERNAME_CALLABLE) and the audit
    log count attempts by it."""
    credentials = credentials or {}
    # Django's failed-login signal names it "username"; axes' own check names
    # it after User.USERNAME_FIELD.
    value = credentials.get("username", credentials.get(User.USERNAME_FIELD))
    if value is None and request is not None and request.method == "POST":
        value = request.POST.get("username")
    return User.objects.normalize_email(str(value or ""))


def _on_login(sender, request: HttpRequest, user: User, **kwargs) -> None:
    ingelogd(gebruiker=user)


def _on_login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    attempted = attempted_email(request, credentials)
    known = User.objects.filter(email=attempted).first() if attempted else None
    inloggen_mislukt(adres=attempted, gebruiker=known)


def connect_auth_signals() -> None:
    """Log every login and failed login: Django announces them only as signals."""
    user_logged_in.connect(_on_login, dispatch_uid="audit_login")
    user_login_failed.connect(_on_login_failed, dispatch_uid="audit_login_failed")
