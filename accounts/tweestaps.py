"""Two-factor authentication (tweestapsverificatie) with django-otp.

Who must give a code after the password, and the services that set the app
up, check a code, renew the recovery codes, switch it off and reset it. A
setup is one confirmed TOTP device (the authenticator app on a phone) and one
static device with the recovery codes; django-otp remembers in the session
which device verified it (``request.user.is_verified()``).
"""

from __future__ import annotations

from base64 import b32encode
from datetime import datetime

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp import devices_for_user, verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import audit
from accounts.models import User

HERSTELCODES = 10


class Geweigerd(Exception):
    """A code or a step that was not accepted; the message says why, in Dutch."""


def _verplicht() -> Q:
    """The rule, as a condition on users: superusers always; coordinators and
    beheerders when their organisation has switched it on. A volunteer
    coordinator may set it up, never must."""
    return Q(is_superuser=True) | (
        Q(organisatie__tweestaps_verplicht=True)
        & (Q(rol=User.Rol.COORDINATOR) | Q(is_beheerder=True))
    )


def tweestaps_verplicht(user: User) -> bool:
    return User.objects.filter(_verplicht(), pk=user.pk).exists()


def code_nodig(user: User) -> bool:
    """Whether a login needs a code after the password: when it is required,
    and also when someone set it up of their own accord. One query: it is
    asked on every request of someone who has not given a code."""
    return User.objects.filter(_verplicht() | Q(totpdevice__confirmed=True), pk=user.pk).exists()


def app_van(user: User) -> TOTPDevice | None:
    """The confirmed authenticator app, if one is set up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def herstelcodes_over(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def _onjuiste_codes(user: User) -> tuple[int, datetime | None]:
    """Wrong codes in a row, of the app and of the recovery codes together
    (so that guessing on both gives no more tries), and when the last was."""
    devices = list(devices_for_user(user, confirmed=None))
    last = max(
        (d.throttling_failure_timestamp for d in devices if d.throttling_failure_timestamp),
        default=None,
    )
    return sum(device.throttling_failure_count for device in devices), last


def geblokkeerd_tot(user: User) -> datetime | None:
    """Until when codes are refused: after AXES_FAILURE_LIMIT wrong codes in a
    row, for AXES_COOLOFF_TIME after the last one, as the password lock-out
    does."""
    failures, last = _onjuiste_codes(user)
    if last is None or failures < settings.AXES_FAILURE_LIMIT:
        return None
    until = last + settings.AXES_COOLOFF_TIME
    return until if until > timezone.now() else None


def _tellers_op_nul(user: User) -> None:
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )


def _geblokkeerd(until: datetime) -> Geweigerd:
    return Geweigerd(
        f"Er is {settings.AXES_FAILURE_LIMIT} keer achter elkaar een onjuiste code ingevoerd. "
        "Om uw account te beschermen kunt u tot "
        f"{timezone.localtime(until):%H:%M} uur geen code invoeren."
    )


def _controleren(*, gebruiker: User, apparaat: Device, code: str, onjuist: str) -> None:
    """One code on one of the user's devices, or Geweigerd.

    Not in a transaction of its own: a wrong code must stay counted and logged
    when the caller refuses. django-otp's ``verify_token`` locks the device row
    and refuses a try too soon after a wrong one (1, 2, 4, … seconds); on top
    of that comes the lock-out of ``geblokkeerd_tot``."""
    if until := geblokkeerd_tot(gebruiker):
        raise _geblokkeerd(until)
    _, last = _onjuiste_codes(gebruiker)
    if last is not None and last + settings.AXES_COOLOFF_TIME < timezone.now():
        # Wrong codes from before the cool-off no longer count, as with axes.
        _tellers_op_nul(gebruiker)
        apparaat.refresh_from_db()
    allowed, _ = apparaat.verify_is_allowed()
    if not allowed:
        raise Geweigerd(
            "Even wachten: na een onjuiste code kunt u het pas na een paar seconden opnieuw "
            "proberen."
        )
    if verify_token(gebruiker, apparaat.persistent_id, code) is None:
        audit.tweestaps(door=gebruiker, gebruiker=gebruiker, gebeurtenis="code onjuist")
        if until := geblokkeerd_tot(gebruiker):
            raise _geblokkeerd(until)
        raise Geweigerd(onjuist)
    _tellers_op_nul(gebruiker)


APP_CODE_ONJUIST = "Deze code klopt niet. Vul de code in die de app nu toont."


def code_controleren(*, gebruiker: User, code: str) -> TOTPDevice:
    """A code from the app: after the password, and before renewing the
    recovery codes or switching the verification off."""
    app = app_van(gebruiker)
    if app is None:
        raise Geweigerd("Tweestapsverificatie is voor uw account niet ingesteld.")
    _controleren(gebruiker=gebruiker, apparaat=app, code=code, onjuist=APP_CODE_ONJUIST)
    audit.tweestaps(door=gebruiker, gebruiker=gebruiker, gebeurtenis="code juist")
    return app


def herstelcode_controleren(*, gebruiker: User, code: str) -> StaticDevice:
    """A recovery code instead of the app's code; each works once."""
    device = StaticDevice.objects.devices_for_user(gebruiker, confirmed=True).first()
    if device is None or app_van(gebruiker) is None:
        raise Geweigerd("Tweestapsverificatie is voor uw account niet ingesteld.")
    _controleren(
        gebruiker=gebruiker,
        apparaat=device,
        code=code,
        onjuist="Deze herstelcode klopt niet of is al gebruikt.",
    )
    audit.tweestaps(door=gebruiker, gebruiker=gebruiker, gebeurtenis="herstelcode gebruikt")
    return device


def app_in_te_stellen(*, gebruiker: User) -> TOTPDevice:
    """The app being set up: the one of an earlier visit to the page, so that
    a QR code already scanned stays right, or a new one."""
    apparaat = (
        TOTPDevice.objects.devices_for_user(gebruiker, confirmed=False).order_by("-pk").first()
    )
    return apparaat or TOTPDevice.objects.create(
        user=gebruiker, name="authenticator-app", confirmed=False
    )


def tweestaps_instellen(*, gebruiker: User, apparaat: TOTPDevice, code: str) -> list[str]:
    """Confirms the app with its first code and returns the new recovery
    codes. An earlier setup (an old phone) and its recovery codes go."""
    if apparaat.user_id != gebruiker.pk or apparaat.confirmed:
        raise PermissionDenied
    _controleren(gebruiker=gebruiker, apparaat=apparaat, code=code, onjuist=APP_CODE_ONJUIST)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=gebruiker).exclude(pk=apparaat.pk).delete()
        TOTPDevice.objects.filter(pk=apparaat.pk).update(confirmed=True)
        codes = _nieuwe_herstelcodes(gebruiker)
        audit.tweestaps(door=gebruiker, gebruiker=gebruiker, gebeurtenis="ingesteld")
    apparaat.refresh_from_db()
    return codes


def herstelcodes_vernieuwen(*, gebruiker: User, code: str) -> list[str]:
    """New recovery codes after a current code from the app; the old ones
    stop working."""
    code_controleren(gebruiker=gebruiker, code=code)
    with transaction.atomic():
        codes = _nieuwe_herstelcodes(gebruiker)
        audit.tweestaps(door=gebruiker, gebruiker=gebruiker, gebeurtenis="herstelcodes vernieuwd")
    return codes


def tweestaps_uitzetten(*, gebruiker: User, code: str) -> None:
    """Off, after a current code from the app; only for whom it is not required."""
    if tweestaps_verplicht(gebruiker):
        raise Geweigerd("Voor uw account is tweestapsverificatie verplicht.")
    code_controleren(gebruiker=gebruiker, code=code)
    with transaction.atomic():
        _apparaten_weg(gebruiker)
        audit.tweestaps(door=gebruiker, gebruiker=gebruiker, gebeurtenis="uitgezet")


def tweestaps_terugzetten(*, door: User, gebruiker: User) -> bool:
    """A beheerder resets someone who lost their phone and recovery codes:
    the next login sets the app up anew. The same reach as the back office
    gives: a beheerder only within the own organisation and never a
    superuser; a superuser anyone. Nobody resets their own: that is switching
    it off without a code. False when there was nothing to reset."""
    in_reach = door.is_superuser or (
        door.is_beheerder
        and not gebruiker.is_superuser
        and gebruiker.organisatie_id is not None
        and gebruiker.organisatie_id == door.organisatie_id
    )
    if not in_reach or door.pk == gebruiker.pk:
        raise PermissionDenied
    with transaction.atomic():
        if not _apparaten_weg(gebruiker):
            return False
        audit.tweestaps(door=door, gebruiker=gebruiker, gebeurtenis="teruggezet door beheerder")
    return True


def _apparaten_weg(gebruiker: User) -> int:
    apps, _ = TOTPDevice.objects.filter(user=gebruiker).delete()
    codes, _ = StaticDevice.objects.filter(user=gebruiker).delete()
    return apps + codes


def _nieuwe_herstelcodes(gebruiker: User) -> list[str]:
    StaticDevice.objects.filter(user=gebruiker).delete()
    device = StaticDevice.objects.create(user=gebruiker, name="herstelcodes")
    codes = [StaticToken.random_token() for _ in range(HERSTELCODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def sleutel(apparaat: TOTPDevice) -> str:
    """The secret as someone types it into an app: base32 in groups of four."""
    text = b32encode(apparaat.bin_key).decode()
    return " ".join(text[start : start + 4] for start in range(0, len(text), 4))


def qr_svg(apparaat: TOTPDevice) -> str:
    """The app's setup as a QR code, an inline SVG: no image to fetch."""
    return segno.make(apparaat.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", omitsize=True
    )
