"""Walks every URL pattern of the project: nothing behind login leaks to an
anonymous visitor. Later features extend PUBLIC and add sweeps per role."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern

pytestmark = pytest.mark.django_db

# Reachable without login, with the status an anonymous GET gets.
PUBLIC = {
    "accounts:login": 200,
    "accounts:logout": 405,  # POST only
    "accounts:password-reset": 200,
    "accounts:password-reset-done": 200,
    "accounts:password-reset-confirm": 200,  # says the link no longer works
    "accounts:password-reset-complete": 200,
    "admin:login": 200,
    "admin:logout": 302,  # to the back office's start, which asks for login
}

SAMPLES = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "1",
    "uuid": "00000000-0000-0000-0000-0000000000aa",
}


def _route_to_url(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)


def _regex_to_url(regex: str) -> str:
    url = regex.lstrip("^").rstrip("$").replace(r"\Z", "")
    # A named group becomes its first alternative, or a sample value.
    url = re.sub(
        r"\(\?P<\w+>([^)]*)\)",
        lambda m: m.group(1).split("|")[0] if re.fullmatch(r"[\w|-]+", m.group(1)) else "1",
        url,
    )
    return url


def _to_url(pattern) -> str:
    text = str(pattern.pattern)
    is_regex = isinstance(pattern.pattern, RegexPattern)
    return _regex_to_url(text) if is_regex else _route_to_url(text)


def all_urls(patterns=None, prefix="", namespace=""):
    """(name, url, view) for every pattern, with sample values filled in."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_urls(pattern.url_patterns, prefix + _to_url(pattern), ns)
        elif isinstance(pattern, URLPattern):
            url = "/" + prefix + _to_url(pattern)
            yield (f"{namespace}{pattern.name}" if pattern.name else url), url, pattern.callback


URLS = list(all_urls())


def test_the_sweep_reaches_every_pattern():
    for name, url, view in URLS:
        assert resolve(url).func == view, f"{name}: {url} resolves elsewhere"
    assert len(URLS) == len({name for name, _, _ in URLS})


@pytest.mark.parametrize(("name", "url"), [(n, u) for n, u, _ in URLS], ids=[n for n, _, _ in URLS])
def test_anonymous_visitors_are_sent_to_login(client, name, url):
    response = client.get(url)
    if name in PUBLIC:
        assert response.status_code == PUBLIC[name]
        return
    assert response.status_code == 302, f"{url} gave {response.status_code}"
    login = reverse("admin:login") if url.startswith("/beheer/") else reverse("accounts:login")
    assert response.url.startswith(login + "?next=")


def test_public_names_exist():
    names = {name for name, _, _ in URLS}
    assert set(PUBLIC) <= names
