from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from accounts.audit import client_ip, current_ip

LOGIN_AT_KEY = "login_at"


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


class SessionLimitsMiddleware:
    """Ends a session 12 hours after login, however active it was, and keeps
    pages with personal data out of every cache (``Cache-Control: no-store``).

    The 30-minute idle limit is the session cookie's own age, renewed on every
    request (SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST).
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
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)  # includes no-store
        return response
