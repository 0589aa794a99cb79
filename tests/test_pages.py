import pytest
from django.template.loader import render_to_string
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next=/"


def test_the_dashboard_counts_the_organisations_families(client, coordinator, outsider):
    from tests.factories import SteungezinFactory, VraaggezinFactory

    VraaggezinFactory.create_batch(2, organisatie=coordinator.organisatie, status="wachtend")
    VraaggezinFactory(organisatie=coordinator.organisatie, naam="Nieuwkomer")
    SteungezinFactory(organisatie=coordinator.organisatie, status="beschikbaar")
    VraaggezinFactory(organisatie=outsider.organisatie, naam="Elders")
    client.force_login(coordinator)
    response = client.get(reverse("home"))
    assert response.context["figures"] == {"actief": 0, "wachtend": 3, "beschikbaar": 1}
    assert "Gezin Nieuwkomer" in response.text
    assert "Elders" not in response.text


@pytest.mark.parametrize(
    ("person", "heading", "absent"),
    [
        ("coordinator", "Dashboard", "Naar beheer"),
        ("vrijwilliger", "Mijn gezinnen", "Dashboard"),
        ("beheerder", "Naar beheer", "Mijn koppelingen"),
    ],
)
def test_it_shows_each_role_its_own_home(client, all_roles, person, heading, absent):
    client.force_login(all_roles[person])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert heading in response.text
    assert absent not in response.text


def test_it_shows_the_back_office_link_only_to_beheerders(client, coordinator, beheerder):
    admin_url = reverse("admin:index")
    client.force_login(coordinator)
    assert admin_url not in client.get(reverse("home")).text
    coordinator.is_beheerder = True
    coordinator.save()
    response = client.get(reverse("home"))
    assert admin_url in response.text
    assert "Dashboard" in response.text


def test_it_says_so_when_a_user_has_no_role(client, coordinator):
    coordinator.rol = ""
    coordinator.save()
    client.force_login(coordinator)
    assert "Uw account heeft nog geen rol" in client.get(reverse("home")).text


def test_it_serves_a_dutch_404(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Deze pagina bestaat niet" in response.text


def test_it_has_a_dutch_500_page_that_needs_no_context():
    assert "Er ging iets mis" in render_to_string("500.html")


def test_it_has_a_dutch_403_page(rf):
    assert "Geen toegang" in render_to_string("403.html")


def test_it_sends_the_security_headers(client):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_serves_bootstrap_from_the_installation(client):
    html = client.get(reverse("accounts:login")).text
    assert "/static/bootstrap/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower()
