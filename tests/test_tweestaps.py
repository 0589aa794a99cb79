"""Two-factor authentication: who must give a code, that nobody gets past
the password alone, the code, the recovery codes, the lock-out, setting it
up, switching it off and the beheerder's reset."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import tweestaps
from accounts.models import AuditEntry, User
from gezinnen.models import Vraaggezin
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CODE_URL = reverse("accounts:tweestaps-code")
INSTELLEN_URL = reverse("accounts:tweestaps-instellen")
HERSTELCODES_URL = reverse("accounts:tweestaps-herstelcodes")
OVERZICHT_URL = reverse("accounts:tweestaps")


@pytest.fixture
def streng(organisatie):
    """Carla's organisation, with two-factor authentication switched on."""
    organisatie.tweestaps_verplicht = True
    organisatie.save()
    return organisatie


def code_for(device: TOTPDevice) -> str:
    """The code the app shows that the device accepts next: the current one,
    or a later one if the current one was used already (a code works once)."""
    device.refresh_from_db()
    now = int(time.time() - device.t0) // device.step
    ahead = max(device.drift, device.last_t + 1 - now)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, ahead):06d}"


def wrong_code_for(device: TOTPDevice) -> str:
    """Six digits that no code near this moment is."""
    near = {
        totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
        for offset in range(-3, 4)
    }
    return next(f"{n:06d}" for n in range(123456, 10**6) if n not in near)


def set_up(user: User) -> tuple[TOTPDevice, list[str]]:
    """The app set up as the enrolment page does it: the device, the codes."""
    device = tweestaps.app_in_te_stellen(gebruiker=user)
    codes = tweestaps.tweestaps_instellen(gebruiker=user, apparaat=device, code=code_for(device))
    return device, codes


def events(user: User) -> list[str]:
    """The two-factor events logged about this user, oldest first."""
    entries = AuditEntry.objects.filter(
        action=AuditEntry.Action.TWO_FACTOR, object_type="accounts.user", object_id=str(user.pk)
    ).order_by("id")
    return [entry.detail.split("tweestapsverificatie ", 1)[1] for entry in entries]


def past_the_short_wait(user: User) -> None:
    """As if a minute went by since the last wrong code: django-otp's wait of
    a few seconds is over, the hour's lock-out is not."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user, throttling_failure_count__gt=0).update(
            throttling_failure_timestamp=timezone.now() - timedelta(minutes=1)
        )


def is_verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


# Who must ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "switched_on", "required"),
    [
        ("coordinator", False, False),
        ("coordinator", True, True),
        ("beheerder", False, False),
        ("beheerder", True, True),
        ("vrijwilliger", False, False),
        ("vrijwilliger", True, False),
        ("outsider", True, False),  # the other organisation has it off
    ],
)
def test_it_is_required_per_role_and_organisation(
    all_roles, organisatie, person, switched_on, required
):
    organisatie.tweestaps_verplicht = switched_on
    organisatie.save()
    user = all_roles[person]
    assert tweestaps.tweestaps_verplicht(user) is required
    assert tweestaps.code_nodig(user) is required


def test_a_beheerder_with_the_role_of_volunteer_must_as_beheerder(streng):
    user = UserFactory(organisatie=streng, rol=User.Rol.VRIJWILLIG_COORDINATOR, is_beheerder=True)
    assert tweestaps.tweestaps_verplicht(user)


def test_it_is_always_required_for_a_superuser(superuser, other_organisatie):
    assert tweestaps.tweestaps_verplicht(superuser)
    superuser.organisatie = other_organisatie  # whose switch is off
    superuser.save()
    assert tweestaps.tweestaps_verplicht(superuser)


def test_a_volunteer_who_set_it_up_gives_a_code_too(client, vrijwilliger):
    set_up(vrijwilliger)
    assert not tweestaps.tweestaps_verplicht(vrijwilliger)
    assert tweestaps.code_nodig(vrijwilliger)
    client.force_login(vrijwilliger)
    assert client.get(reverse("home"))["Location"].startswith(CODE_URL)


def test_an_app_not_yet_confirmed_is_no_setup(vrijwilliger):
    tweestaps.app_in_te_stellen(gebruiker=vrijwilliger)
    assert not tweestaps.code_nodig(vrijwilliger)
    assert tweestaps.app_van(vrijwilliger) is None


def test_the_back_office_shows_the_switch_to_the_beheerder(client, beheerder, organisatie):
    client.force_login(beheerder)
    response = client.get(reverse("admin:accounts_organisatie_change", args=[organisatie.pk]))
    assert response.status_code == 200
    assert "tweestaps_verplicht" in response.context["adminform"].form.fields
    assert "tweestapsverificatie verplicht" in response.text.lower()


def test_without_the_switch_a_coordinator_logs_in_with_the_password_only(client, coordinator):
    response = client.post(
        reverse("accounts:login"), {"username": coordinator.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


# Nobody past the password alone ---------------------------------------------


def test_the_login_sends_on_to_setting_up_the_app(client, coordinator, streng):
    response = client.post(
        reverse("accounts:login"),
        {"username": coordinator.email, "password": PASSWORD, "next": "/vraaggezinnen/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{INSTELLEN_URL}?next=%2Fvraaggezinnen%2F"
    assert "Tweestapsverificatie instellen" in response.text


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("gezinnen:vraaggezin-list"),
        reverse("matching:list"),
        reverse("accounts:password-change"),
        reverse("accounts:tweestaps"),
        reverse("accounts:tweestaps-herstelcodes"),
        "/beheer/",
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_auditentry_changelist"),
    ],
)
def test_an_unverified_coordinator_is_sent_to_the_code_from_every_page(
    client, coordinator, streng, url
):
    set_up(coordinator)
    coordinator.is_beheerder = True
    coordinator.save()
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{CODE_URL}?next={url.replace('/', '%2F')}"


def test_an_unverified_post_changes_nothing(client, coordinator, streng):
    client.force_login(coordinator)
    response = client.post(
        reverse("gezinnen:vraaggezin-create"), {"naam": "Jansen", "postcode": "7551 AB"}
    )
    assert response.status_code == 302
    assert response["Location"] == CODE_URL
    assert not Vraaggezin.objects.exists()


def test_an_unverified_superuser_stays_out_of_the_back_office(client, superuser):
    client.force_login(superuser)
    for url in ["/beheer/", reverse("admin:accounts_user_changelist")]:
        response = client.get(url)
        assert response["Location"].startswith(CODE_URL)
    # The code page, for someone without an app yet, is setting it up.
    assert client.get(CODE_URL)["Location"] == INSTELLEN_URL


def test_the_verified_helper_lets_a_superuser_in(client, superuser, log_in_verified):
    log_in_verified(client, superuser)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("accounts:password-reset", [], "get"),
        ("accounts:password-reset-done", [], "get"),
        ("gezinnen:aanmelden-steungezin", ["humanitas-hengelo"], "get"),
        ("gezinnen:aanmelden-vraaggezin", ["humanitas-hengelo"], "get"),
        ("health", [], "get"),
        ("accounts:logout", [], "post"),
    ],
)
def test_the_open_pages_stay_open_before_the_code(client, coordinator, streng, name, args, method):
    client.force_login(coordinator)
    response = getattr(client, method)(reverse(name, args=args))
    assert not response.get("Location", "").startswith(CODE_URL)
    assert response.status_code in (200, 302)


# The code ---------------------------------------------------------------------


def test_a_right_code_verifies_the_session(client, coordinator, streng):
    device, _ = set_up(coordinator)
    client.force_login(coordinator)
    key_before = client.session.session_key
    response = client.post(CODE_URL, {"code": code_for(device), "next": "/vraaggezinnen/"})
    assert response["Location"] == "/vraaggezinnen/"
    assert is_verified(client)
    assert client.session.session_key != key_before
    assert client.get(reverse("home")).status_code == 200
    assert events(coordinator) == ["ingesteld", "code juist"]


def test_a_code_works_once(client, coordinator, streng):
    device, _ = set_up(coordinator)
    code = code_for(device)
    client.force_login(coordinator)
    client.post(CODE_URL, {"code": code})
    other = type(client)()
    other.force_login(coordinator)
    response = other.post(CODE_URL, {"code": code})
    assert response.status_code == 200
    assert not is_verified(other)


def test_a_wrong_code_is_refused_in_dutch(client, coordinator, streng):
    device, _ = set_up(coordinator)
    client.force_login(coordinator)
    response = client.post(CODE_URL, {"code": wrong_code_for(device)})
    assert response.status_code == 200
    assert "Deze code klopt niet" in response.text
    assert not is_verified(client)
    assert events(coordinator) == ["ingesteld", "code onjuist"]


def test_a_next_address_elsewhere_is_ignored(client, coordinator, streng):
    device, _ = set_up(coordinator)
    client.force_login(coordinator)
    response = client.post(CODE_URL, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_a_try_right_after_a_wrong_code_has_to_wait(client, coordinator, streng):
    device, _ = set_up(coordinator)
    client.force_login(coordinator)
    client.post(CODE_URL, {"code": wrong_code_for(device)})
    response = client.post(CODE_URL, {"code": code_for(device)})
    assert "Even wachten" in response.text
    assert not is_verified(client)


def test_five_wrong_codes_lock_the_code_for_an_hour(client, coordinator, streng):
    device, codes = set_up(coordinator)
    client.force_login(coordinator)
    for attempt in range(5):
        past_the_short_wait(coordinator)
        # Wrong codes of the app and recovery codes count together.
        data = {"herstelcode": "aaaabbbb"} if attempt % 2 else {"code": wrong_code_for(device)}
        response = client.post(CODE_URL, data)
    assert "5 keer achter elkaar een onjuiste code" in response.text
    assert events(coordinator).count("code onjuist") == 5

    past_the_short_wait(coordinator)
    for data in ({"code": code_for(device)}, {"herstelcode": codes[0]}):
        response = client.post(CODE_URL, data)
        assert "5 keer achter elkaar een onjuiste code" in response.text
        assert not is_verified(client)
    assert StaticToken.objects.filter(token=codes[0]).exists()

    # An hour later the old wrong codes no longer count.
    TOTPDevice.objects.filter(user=coordinator).update(
        throttling_failure_timestamp=timezone.now() - timedelta(hours=1, minutes=1)
    )
    StaticDevice.objects.filter(user=coordinator).update(
        throttling_failure_timestamp=timezone.now() - timedelta(hours=1, minutes=1)
    )
    client.post(CODE_URL, {"code": code_for(device)})
    assert is_verified(client)


def test_wrong_codes_from_before_the_cool_off_no_longer_count(client, coordinator, streng):
    device, _ = set_up(coordinator)
    StaticDevice.objects.filter(user=coordinator).update(
        throttling_failure_count=4,
        throttling_failure_timestamp=timezone.now() - timedelta(hours=2),
    )
    client.force_login(coordinator)
    response = client.post(CODE_URL, {"code": wrong_code_for(device)})
    assert "Deze code klopt niet" in response.text
    assert tweestaps.geblokkeerd_tot(coordinator) is None


def test_a_recovery_code_works_once(client, coordinator, streng):
    _, codes = set_up(coordinator)
    client.force_login(coordinator)
    response = client.post(CODE_URL, {"herstelcode": codes[3].upper()})
    assert response["Location"] == reverse("home")
    assert is_verified(client)
    assert tweestaps.herstelcodes_over(coordinator) == 9
    assert events(coordinator) == ["ingesteld", "herstelcode gebruikt"]

    other = type(client)()
    other.force_login(coordinator)
    response = other.post(CODE_URL, {"herstelcode": codes[3]})
    assert "klopt niet of is al gebruikt" in response.text
    assert not is_verified(other)


BAD_INPUT = ["", "   ", "abcdef", "1" * 100, "12\x003456", "１２３４５６", "<b>1</b>", "-1", "1e5"]


@pytest.mark.parametrize("typed", BAD_INPUT)
def test_bad_input_is_refused_without_a_server_error(client, coordinator, streng, typed):
    device, _ = set_up(coordinator)
    client.force_login(coordinator)
    for field in ("code", "herstelcode"):
        past_the_short_wait(coordinator)
        response = client.post(CODE_URL, {field: typed})
        assert response.status_code == 200
        assert response.context["form"].errors or response.context["herstel_form"].errors
    assert not is_verified(client)

    TOTPDevice.objects.filter(user=coordinator).update(throttling_failure_count=0)
    client.post(CODE_URL, {"code": code_for(device)})
    for actie in ("vernieuwen", "uitzetten"):
        response = client.post(OVERZICHT_URL, {"actie": actie, f"{actie}-code": typed})
        assert response.status_code == 200
    response = client.post(OVERZICHT_URL, {"actie": typed})
    assert response.status_code == 200


@pytest.mark.parametrize("typed", BAD_INPUT)
def test_bad_input_while_setting_up_gives_no_server_error(client, coordinator, streng, typed):
    client.force_login(coordinator)
    response = client.post(INSTELLEN_URL, {"code": typed})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert tweestaps.app_van(coordinator) is None


# Setting it up ------------------------------------------------------------------


def test_setting_up_confirms_the_app_and_shows_ten_recovery_codes_once(client, coordinator, streng):
    client.force_login(coordinator)
    response = client.get(INSTELLEN_URL)
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assert response.context["sleutel"] in response.text
    assert "<svg" in response.text
    assert 'autocomplete="one-time-code"' in response.text
    assert 'inputmode="numeric"' in response.text
    # Coming back shows the same secret: a code already scanned stays right.
    assert client.get(INSTELLEN_URL).context["sleutel"] == response.context["sleutel"]

    response = client.post(INSTELLEN_URL, {"code": code_for(device), "next": "/vraaggezinnen/"})
    assert response["Location"] == f"{HERSTELCODES_URL}?next=%2Fvraaggezinnen%2F"
    device.refresh_from_db()
    assert device.confirmed
    assert is_verified(client)
    assert events(coordinator) == ["ingesteld"]

    response = client.get(response["Location"])
    codes = response.context["codes"]
    assert len(codes) == 10 == tweestaps.herstelcodes_over(coordinator)
    assert all(code in response.text for code in codes)
    assert "maar één keer" in response.text
    assert response.context["verder"] == "/vraaggezinnen/"
    assert client.get(HERSTELCODES_URL)["Location"] == OVERZICHT_URL
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_first_code_sets_nothing_up(client, coordinator, streng):
    client.force_login(coordinator)
    client.get(INSTELLEN_URL)
    device = TOTPDevice.objects.get(user=coordinator)
    response = client.post(INSTELLEN_URL, {"code": wrong_code_for(device)})
    assert "Deze code klopt niet" in response.text
    assert tweestaps.app_van(coordinator) is None
    assert not is_verified(client)
    assert events(coordinator) == ["code onjuist"]


def test_the_password_alone_cannot_replace_the_app(client, coordinator, streng):
    device, _ = set_up(coordinator)
    client.force_login(coordinator)
    assert client.get(INSTELLEN_URL)["Location"] == CODE_URL
    assert client.post(INSTELLEN_URL, {"code": "123456"})["Location"] == CODE_URL
    assert list(TOTPDevice.objects.filter(user=coordinator)) == [device]


def test_setting_up_again_replaces_the_old_phone(client, coordinator, log_in_verified):
    _, old_codes = set_up(coordinator)
    log_in_verified(client, coordinator)
    client.get(INSTELLEN_URL)
    new = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    client.post(INSTELLEN_URL, {"code": code_for(new)})
    assert list(TOTPDevice.objects.filter(user=coordinator)) == [new]
    assert not StaticToken.objects.filter(token__in=old_codes).exists()
    assert is_verified(client)
    assert client.get(reverse("home")).status_code == 200


def test_the_wrong_device_cannot_be_confirmed(coordinator, vrijwilliger):
    device = tweestaps.app_in_te_stellen(gebruiker=vrijwilliger)
    with pytest.raises(PermissionDenied):
        tweestaps.tweestaps_instellen(gebruiker=coordinator, apparaat=device, code="123456")


# The user's own page --------------------------------------------------------------


def test_the_menu_links_to_the_page_and_a_volunteer_may_set_it_up(client, vrijwilliger):
    client.force_login(vrijwilliger)
    response = client.get(reverse("home"))
    assert OVERZICHT_URL in response.text
    response = client.get(OVERZICHT_URL)
    assert "Staat uit" in response.text
    assert INSTELLEN_URL in response.text


def test_the_page_counts_the_recovery_codes_left(client, coordinator, log_in_verified):
    _, codes = set_up(coordinator)
    tweestaps.herstelcode_controleren(gebruiker=coordinator, code=codes[0])
    log_in_verified(client, coordinator)
    response = client.get(OVERZICHT_URL)
    assert response.context["over"] == 9
    assert "nog <strong>9</strong> herstelcodes over" in response.text


def test_new_recovery_codes_need_a_code_and_replace_the_old(client, coordinator, log_in_verified):
    device, old_codes = set_up(coordinator)
    log_in_verified(client, coordinator)
    response = client.post(
        OVERZICHT_URL, {"actie": "vernieuwen", "vernieuwen-code": wrong_code_for(device)}
    )
    assert "Deze code klopt niet" in response.text
    assert tweestaps.herstelcodes_over(coordinator) == 10
    assert StaticToken.objects.filter(token=old_codes[0]).exists()

    past_the_short_wait(coordinator)
    response = client.post(
        OVERZICHT_URL, {"actie": "vernieuwen", "vernieuwen-code": code_for(device)}
    )
    assert response["Location"] == HERSTELCODES_URL
    new_codes = client.get(HERSTELCODES_URL).context["codes"]
    assert len(new_codes) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new_codes)
    assert events(coordinator)[-2:] == ["code juist", "herstelcodes vernieuwd"]


def test_it_is_switched_off_with_a_code_when_not_required(client, coordinator, log_in_verified):
    device, _ = set_up(coordinator)
    log_in_verified(client, coordinator)
    response = client.post(
        OVERZICHT_URL, {"actie": "uitzetten", "uitzetten-code": code_for(device)}
    )
    assert response["Location"] == OVERZICHT_URL
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    assert not tweestaps.code_nodig(coordinator)
    assert client.get(reverse("home")).status_code == 200
    assert events(coordinator)[-1] == "uitgezet"


def test_it_cannot_be_switched_off_when_required(client, coordinator, streng, log_in_verified):
    device, _ = set_up(coordinator)
    log_in_verified(client, coordinator)
    response = client.get(OVERZICHT_URL)
    assert "Tweestapsverificatie uitzetten" not in response.text
    assert "verplicht" in response.text
    response = client.post(
        OVERZICHT_URL, {"actie": "uitzetten", "uitzetten-code": code_for(device)}
    )
    assert response.status_code == 200
    assert tweestaps.app_van(coordinator) == device
    with pytest.raises(tweestaps.Geweigerd):
        tweestaps.tweestaps_uitzetten(gebruiker=coordinator, code=code_for(device))
    assert "uitgezet" not in events(coordinator)


# The beheerder's reset -------------------------------------------------------------


def reset_in_back_office(client, *users):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "tweestaps_terugzetten", "_selected_action": [u.pk for u in users]},
        follow=True,
    )


def test_a_beheerder_resets_a_colleague(client, beheerder, coordinator, streng, log_in_verified):
    set_up(coordinator)
    log_in_verified(client, beheerder)
    response = client.get(reverse("admin:accounts_user_change", args=[coordinator.pk]))
    assert "ingesteld, nog 10 herstelcodes" in response.text

    response = reset_in_back_office(client, coordinator)
    assert response.status_code == 200
    assert "Teruggezet voor" in response.text
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.TWO_FACTOR).latest("id")
    assert (entry.user, entry.object_id) == (beheerder, str(coordinator.pk))
    assert events(coordinator)[-1] == "teruggezet door beheerder"

    # Carla's next login sets the app up anew.
    other = type(client)()
    other.force_login(coordinator)
    assert other.get(CODE_URL)["Location"] == INSTELLEN_URL


def test_a_beheerder_cannot_reset_outside_their_reach(
    client, beheerder, outsider, superuser, log_in_verified
):
    set_up(outsider)
    set_up(superuser)
    set_up(beheerder)
    log_in_verified(client, beheerder)
    reset_in_back_office(client, outsider, superuser, beheerder)
    for user in (outsider, superuser, beheerder):
        assert tweestaps.app_van(user) is not None
        assert "teruggezet door beheerder" not in events(user)
    for user in (outsider, superuser, beheerder):
        with pytest.raises(PermissionDenied):
            tweestaps.tweestaps_terugzetten(door=beheerder, gebruiker=user)


def test_a_coordinator_cannot_reset_anyone(coordinator, vrijwilliger):
    set_up(vrijwilliger)
    with pytest.raises(PermissionDenied):
        tweestaps.tweestaps_terugzetten(door=coordinator, gebruiker=vrijwilliger)


def test_a_superuser_resets_anyone_but_themselves(outsider, superuser):
    set_up(outsider)
    assert tweestaps.tweestaps_terugzetten(door=superuser, gebruiker=outsider)
    assert tweestaps.app_van(outsider) is None
    assert not tweestaps.tweestaps_terugzetten(door=superuser, gebruiker=outsider)
    with pytest.raises(PermissionDenied):
        tweestaps.tweestaps_terugzetten(door=superuser, gebruiker=superuser)


def test_the_device_pages_of_django_otp_are_not_in_the_back_office(
    client, superuser, log_in_verified
):
    log_in_verified(client, superuser)
    response = client.get("/beheer/")
    assert "otp_totp" not in response.text
    assert client.get("/beheer/otp_totp/totpdevice/").status_code == 404
