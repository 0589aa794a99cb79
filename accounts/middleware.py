from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from accounts import tweestaps
from accounts.audit import client_ip, current_ip

LOGIN_AT_KEY = "login_at"
RENEWED_AT_KEY = "renewed_at"
# When it was last found that this session's user needs no code: asked again
# once that is RENEW_EVERY seconds old, not on every request.
GEEN_CODE_KEY = "geen_code_op"
# How often a logged-in session's expiry is renewed: an idle session ends
# SESSION_COOKIE_AGE after its last renewal, so 29 to 30 minutes after the
# last request.
RENEW_EVERY = 60  # seconds


class RequestContextMiddleware:
    """Makes the client's address known to the audit log for the length of
    the request, without handing the request to any service."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


def on_login(sender, request: HttpRequest, user, **kwargs) -> None:
    """A login saves the session anyway: it starts the 12 hours, counts as
    the first renewal of the idle limit and as the first finding that no code
    is needed (if none is), so the next request need not save."""
    now = timezone.now().timestamp()
    request.session[LOGIN_AT_KEY] = now
    request.session[RENEWED_AT_KEY] = now
    if not tweestaps.code_nodig(user):
        request.session[GEEN_CODE_KEY] = now


class SessionLimitsMiddleware:
    """Ends a session 12 hours after login, however active it was, and keeps
    pages with personal data out of every cache (``Cache-Control: no-store``).

    The 30-minute idle limit is the session's expiry in the database
    (SESSION_COOKIE_AGE after it was last saved). A logged-in session is saved
    again once its last renewal is RENEW_EVERY seconds old, rather than on
    every request: that save is three queries (begin, update, commit).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            login_at = request.session.setdefault(LOGIN_AT_KEY, now)
            if now - login_at > settings.SESSION_MAX_LIFETIME.total_seconds():
                logout(request)
                messages.info(request, "U bent na 12 uur automatisch uitgelogd. Log opnieuw in.")
                return redirect_to_login(request.get_full_path())
            if now - request.session.get(RENEWED_AT_KEY, 0) >= RENEW_EVERY:
                request.session[RENEWED_AT_KEY] = now  # saved, with a new expiry
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)  # includes no-store
        return response


class TweestapsMiddleware:
    """The second step of the login, for every page at once: someone logged
    in with a password who must still give a code (``tweestaps.code_nodig``)
    is sent to the code page, which sends on to setting up the app if there
    is none yet, from every page of the app and the back office alike. Only
    the pages in TWEESTAPS_OPEN_URLS stay open: logging in and out, the
    password reset, the code pages themselves, the health check and the
    public sign-up forms.

    That someone needs no code is remembered in the session for RENEW_EVERY
    seconds (it is one query): an organisation that switches the code on, or
    an app set up in another session, counts from the next check on.

    Whether a page needs a login at all stays the view's own decision
    (``login_required`` and the decorators built on it, the back office's
    ``admin_view``); this only completes the login of those who are in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in settings.TWEESTAPS_OPEN_URLS:
            return None
        now = timezone.now().timestamp()
        if now - request.session.get(GEEN_CODE_KEY, 0) < RENEW_EVERY:
            return None
        if not tweestaps.code_nodig(user):
            request.session[GEEN_CODE_KEY] = now
            return None
        url = reverse("accounts:tweestaps-code")
        if request.method in ("GET", "HEAD"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
