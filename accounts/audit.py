"""The one way to write the audit log."""

from __future__ import annotations

import contextvars
import ipaddress

from django.conf import settings
from django.contrib.auth import user_logged_in, user_login_failed
from django.db import models
from django.http import HttpRequest

from accounts.models import AuditEntry, User

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


def record(
    action: AuditEntry.Action,
    obj: models.Model | None = None,
    *,
    user: User | None,
    detail: str = "",
) -> AuditEntry:
    """Append one entry: who, what, which record; the IP address comes from
    the request being handled, if any."""
    if user is not None and not user.is_authenticated:
        user = None
    organisatie_id = getattr(obj, "organisatie_id", None) or getattr(user, "organisatie_id", None)
    return AuditEntry.objects.create(
        user=user,
        organisatie_id=organisatie_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        detail=detail[:500],
        ip_address=current_ip.get(),
    )


# The catalogue of views: one function per kind, each with a fixed text that
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
    return record(AuditEntry.Action.VIEW, obj, user=door, detail=_nummers(f"{wat}: ", records))


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
    record(AuditEntry.Action.LOGIN, user=user)


def _on_login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    attempted = attempted_email(request, credentials)
    known = User.objects.filter(email=attempted).first() if attempted else None
    record(
        AuditEntry.Action.LOGIN_FAILED,
        user=known,
        detail=f"Poging met e-mailadres {attempted}"[:500],
    )


def connect_auth_signals() -> None:
    """Log every login and failed login: Django announces them only as signals."""
    user_logged_in.connect(_on_login, dispatch_uid="audit_login")
    user_login_failed.connect(_on_login_failed, dispatch_uid="audit_login_failed")
