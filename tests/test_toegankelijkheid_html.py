"""What a screen reader hears, read from the HTML (issue 15): radio-group
errors on every option, labels on the back office's editable list cells, and
the back office in the application's Dutch. The browser sweep with axe-core
is tests/browser/test_toegankelijkheid.py."""

import re

import pytest
from django.urls import reverse

from matching.models import EindReden
from tests.factories import KoppelingFactory

pytestmark = pytest.mark.django_db


def test_it_links_a_radio_groups_error_to_every_option(client, coordinator, organisatie):
    koppeling = KoppelingFactory(organisatie=organisatie)
    client.force_login(coordinator)

    response = client.post(reverse("matching:contactmoment", args=[koppeling.pk]), {"notities": ""})

    radios = re.findall(r'<input type="radio"[^>]*name="met"[^>]*>', response.text)
    assert radios
    for radio in radios:
        assert 'aria-describedby="id_met_error"' in radio
    assert 'id="id_met_error"' in response.text


def test_it_names_each_editable_cell_of_a_back_office_list(client, beheerder):
    EindReden.objects.voor(beheerder.organisatie)
    reden = EindReden.objects.filter(organisatie=beheerder.organisatie).first()
    client.force_login(beheerder)

    response = client.get(reverse("admin:matching_eindreden_changelist"))

    assert f'aria-label="Volgorde: {reden.tekst}"' in response.text
    assert f'aria-label="In gebruik: {reden.tekst}"' in response.text


def test_the_back_office_says_inloggen_and_uitloggen_in_dutch(client, beheerder):
    login = client.get(reverse("admin:login")).text
    assert 'value="Inloggen"' in login
    assert "<title>Inloggen |" in login
    assert "Aanmelden" not in login

    client.force_login(beheerder)
    index = client.get(reverse("admin:index")).text
    assert ">Uitloggen</button>" in index
    assert "Afmelden" not in index
    assert '<th scope="col">Onderdeel</th>' in index
    assert "Model name" not in index
    assert "Add link" not in index
