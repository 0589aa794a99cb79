"""Walks every URL pattern of the project: nothing behind login leaks to an
anonymous visitor, and family pages exist only for the own organisation's
coordinators. Later features extend PUBLIC, the values and the role sweeps."""

import pytest
from django.urls import resolve, reverse

from tests.factories import SteungezinFactory, VraaggezinFactory
from tests.sweep import ALL, fill

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
    "gezinnen:aanmelden-steungezin": 200,
    "gezinnen:aanmelden-vraaggezin": 200,
    "gezinnen:bedankt": 200,
}

# Pages with family data: the own organisation's coordinators only.
COORDINATOR_ONLY = [
    (name, template)
    for name, template, _ in ALL
    if name.split(":")[0] in {"gezinnen", "screening"} and name not in PUBLIC
]
# Take only a POST (and redirect after it).
POST_ONLY = {"screening:vog-nieuw"}


@pytest.fixture
def values(organisatie):
    """Real records of the organisation, by URL parameter name."""
    vraag = VraaggezinFactory(organisatie=organisatie)
    steun = SteungezinFactory(organisatie=organisatie)
    return {
        "lid": steun.leden.first().pk,
        "soort": "huisbezoek",
        "organisatie": organisatie.slug,
        "vraaggezin": vraag.pk,
        "vraaggezin_naam": vraag.naam,
        "steungezin": steun.pk,
    }


def url_for(name: str, template: str, values: dict) -> str:
    # A family page's pk is that of a family of its own kind.
    kind = "vraaggezin" if "vraaggezin" in name else "steungezin"
    return fill(template, {**values, "pk": values.get(kind)})


def test_the_sweep_reaches_every_pattern():
    for name, template, view in ALL:
        assert resolve(fill(template)).func == view, f"{name}: {template} resolves elsewhere"
    assert len(ALL) == len({name for name, _, _ in ALL})
    assert set(PUBLIC) <= {name for name, _, _ in ALL}


@pytest.mark.parametrize(
    ("name", "template"), [(n, t) for n, t, _ in ALL], ids=[n for n, _, _ in ALL]
)
def test_anonymous_visitors_are_sent_to_login(client, values, name, template):
    url = url_for(name, template, values)
    response = client.get(url)
    if name in PUBLIC:
        assert response.status_code == PUBLIC[name]
        return
    assert response.status_code == 302, f"{url} gave {response.status_code}"
    login = reverse("admin:login") if url.startswith("/beheer/") else reverse("accounts:login")
    assert response.url.startswith(login + "?next=")


@pytest.mark.parametrize(
    ("name", "template"), COORDINATOR_ONLY, ids=[n for n, _ in COORDINATOR_ONLY]
)
def test_family_pages_are_for_the_own_coordinators_only(client, all_roles, values, name, template):
    url = url_for(name, template, values)
    request = client.post if name in POST_ONLY else client.get
    client.force_login(all_roles["coordinator"])
    assert request(url).status_code == (302 if name in POST_ONLY else 200), url
    for person in ("vrijwilliger", "beheerder"):
        client.force_login(all_roles[person])
        assert request(url).status_code == 404, f"{person} could open {url}"
    # A coordinator elsewhere has lists of their own, never our families.
    client.force_login(all_roles["outsider"])
    response = request(url)
    if "{int:pk}" in template:
        assert response.status_code == 404, f"outsider could open {url}"
    else:
        assert response.status_code == 200
        assert "Gezin " + str(values["vraaggezin_naam"]) not in response.text
