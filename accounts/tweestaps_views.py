"""The pages of two-factor authentication: the code after the password,
setting up the app, the recovery codes once, and the user's own page."""

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.models import Device

from accounts import tweestaps
from accounts.forms import AppCodeForm, HerstelcodeForm

# The recovery codes between the step that makes them and the page that shows
# them, once.
HERSTELCODES_KEY = "tweestaps_herstelcodes"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    return reverse(name) + (f"?{urlencode({'next': target})}" if target else "")


def _verified(request: HttpRequest, device: Device) -> None:
    """The session has passed the second step: a new session key, as after
    the password, then django-otp's mark of the device that verified it."""
    request.session.cycle_key()
    django_otp.login(request, device)


def _show_once(request: HttpRequest, codes: list[str]) -> HttpResponse:
    request.session[HERSTELCODES_KEY] = codes
    return redirect(_with_next("accounts:tweestaps-herstelcodes", request))


@sensitive_post_parameters()
@login_required
def code(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the app, or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if tweestaps.app_van(user) is None:
        if tweestaps.tweestaps_verplicht(user):
            return redirect(_with_next("accounts:tweestaps-instellen", request))
        return redirect(_next(request))
    herstel = request.method == "POST" and "herstelcode" in request.POST
    app_form = AppCodeForm(request.POST if request.method == "POST" and not herstel else None)
    herstel_form = HerstelcodeForm(request.POST if herstel else None)
    form, service, field = (
        (herstel_form, tweestaps.herstelcode_controleren, "herstelcode")
        if herstel
        else (app_form, tweestaps.code_controleren, "code")
    )
    if form.is_bound and form.is_valid():
        try:
            device = service(gebruiker=user, code=form.cleaned_data[field])
        except tweestaps.Geweigerd as refusal:
            form.add_error(field, str(refusal))
        else:
            _verified(request, device)
            return redirect(_next(request))
    return render(
        request,
        "registration/tweestaps_code.html",
        {
            "form": app_form,
            "herstel_form": herstel_form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "halverwege": True,
        },
    )


@sensitive_post_parameters()
@login_required
def instellen(request: HttpRequest) -> HttpResponse:
    """Set up the app: its secret as text and as a QR code, confirmed with a
    first code; then the recovery codes, once."""
    user = request.user
    if not user.is_verified() and tweestaps.app_van(user) is not None:
        # Otherwise the password alone would replace the app that guards it.
        return redirect(_with_next("accounts:tweestaps-code", request))
    apparaat = tweestaps.app_in_te_stellen(gebruiker=user)
    form = AppCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            codes = tweestaps.tweestaps_instellen(
                gebruiker=user, apparaat=apparaat, code=form.cleaned_data["code"]
            )
        except tweestaps.Geweigerd as refusal:
            form.add_error("code", str(refusal))
        else:
            _verified(request, apparaat)
            return _show_once(request, codes)
    return render(
        request,
        "registration/tweestaps_instellen.html",
        {
            "form": form,
            "sleutel": tweestaps.sleutel(apparaat),
            "qr": tweestaps.qr_svg(apparaat),
            "verplicht": tweestaps.tweestaps_verplicht(user),
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "halverwege": not user.is_verified(),
        },
    )


@login_required
def herstelcodes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made, shown this once."""
    codes = request.session.pop(HERSTELCODES_KEY, None)
    if not codes:
        return redirect("accounts:tweestaps")
    return render(
        request,
        "registration/tweestaps_herstelcodes.html",
        {"codes": codes, "verder": _next(request)},
    )


@sensitive_post_parameters()
@login_required
def overzicht(request: HttpRequest) -> HttpResponse:
    """The user's own page: set up or not, recovery codes left, new ones, off."""
    user = request.user
    actie = request.POST.get("actie") if request.method == "POST" else None
    vernieuwen = AppCodeForm(request.POST if actie == "vernieuwen" else None, prefix="vernieuwen")
    uitzetten = AppCodeForm(request.POST if actie == "uitzetten" else None, prefix="uitzetten")
    form = {"vernieuwen": vernieuwen, "uitzetten": uitzetten}.get(actie)
    if form is not None and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if actie == "vernieuwen":
                codes = tweestaps.herstelcodes_vernieuwen(gebruiker=user, code=code)
                return _show_once(request, codes)
            tweestaps.tweestaps_uitzetten(gebruiker=user, code=code)
        except tweestaps.Geweigerd as refusal:
            form.add_error("code", str(refusal))
        else:
            messages.success(request, "Tweestapsverificatie staat uit.")
            return redirect("accounts:tweestaps")
    app = tweestaps.app_van(user)
    return render(
        request,
        "registration/tweestaps.html",
        {
            "app": app,
            "verplicht": tweestaps.tweestaps_verplicht(user),
            "over": tweestaps.herstelcodes_over(user) if app else 0,
            "vernieuwen": vernieuwen,
            "uitzetten": uitzetten,
        },
    )
