"""The small things a coordinator notices (issue 15, point 6): the menu, the
names of pages, dates, labels and empty choices, overdue evaluations."""

import datetime
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.urls import get_resolver, reverse

from accounts.models import User
from gezinnen.forms import lege_keuzes
from gezinnen.models import today
from matching.models import Signaal
from steungezinnen import menu
from steungezinnen.datums import korte_datum
from tests.factories import (
    KoppelingFactory,
    SteungezinFactory,
    VraaggezinFactory,
    WijkFactory,
    approved_steungezin,
)

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def menu_items(html: str) -> list[str]:
    hoofdmenu = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', html, re.S).group(1)
    return re.findall(r'class="nav-link[^"]*"[^>]*>([^<]+)</a>', hoofdmenu)


def active_items(html: str) -> list[str]:
    hoofdmenu = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', html, re.S).group(1)
    return re.findall(r'class="nav-link active"[^>]*>([^<]+)</a>', hoofdmenu)


def h1(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


# a. The menu item of the page's section ------------------------------------


@pytest.fixture
def families(organisatie):
    steun = approved_steungezin(organisatie)
    vraag = VraaggezinFactory(organisatie=organisatie, status="wachtend")
    return vraag, steun


@pytest.mark.parametrize(
    ("page", "item"),
    [
        ("suggesties", "Vraaggezinnen"),
        ("passend", "Steungezinnen"),
        ("vog", "Steungezinnen"),
        ("screening-gezin", "Steungezinnen"),
        ("besluit", "Steungezinnen"),
        ("screening", "Screening"),
        ("trainingen", "Trainingen"),
        ("agenda", "Agenda"),
        ("koppeling", "Koppelingen"),
        ("signaal", "Koppelingen"),
        ("home", "Dashboard"),
    ],
)
def test_it_lights_the_menu_item_of_the_page_section(
    client, organisatie, coordinator, families, page, item
):
    vraag, steun = families
    koppeling = KoppelingFactory(organisatie=organisatie, coordinator=coordinator)
    signaal = Signaal.objects.create(
        koppeling=koppeling, gemeld_door=coordinator, omschrijving="Zorgen."
    )
    urls = {
        "suggesties": reverse("matching:suggesties", args=[vraag.pk]),
        "passend": reverse("matching:passend", args=[steun.pk]),
        "vog": reverse("screening:vog", args=[steun.pk, steun.leden.first().pk]),
        "screening-gezin": reverse("screening:gezin", args=[steun.pk]),
        "besluit": reverse("screening:besluit", args=[steun.pk]),
        "screening": reverse("screening:overzicht"),
        "trainingen": reverse("screening:trainingen"),
        "agenda": reverse("matching:agenda"),
        "koppeling": reverse("matching:detail", args=[koppeling.pk]),
        "signaal": reverse("matching:signaal", args=[signaal.pk]),
        "home": reverse("home"),
    }
    client.force_login(coordinator)
    # Followed: a step may hand over to the page it belongs to.
    response = client.get(urls[page], follow=True)
    assert response.status_code == 200
    assert active_items(response.text) == [item]


def test_it_marks_the_page_itself_as_current_and_its_section_as_true(client, coordinator, families):
    vraag, _ = families
    client.force_login(coordinator)
    lijst = client.get(reverse("gezinnen:vraaggezin-list")).text
    assert 'class="nav-link active" aria-current="page"' in lijst
    detail = client.get(reverse("gezinnen:vraaggezin-detail", args=[vraag.pk])).text
    assert 'class="nav-link active" aria-current="true"' in detail


def test_every_screening_page_belongs_to_a_menu_section():
    # A new screening page gets its menu item from its address alone.
    secties = {item.sectie for item in menu.COORDINATOR}
    (screening,) = (
        p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "screening"
    )
    routes = [str(p.pattern) for p in screening.url_patterns]
    assert len(routes) > 5
    assert [route for route in routes if menu.sectie(route) not in secties] == []


def test_the_section_is_the_first_segment_of_the_address():
    assert menu.sectie("/steungezinnen/12/vog/3/") == "steungezinnen"
    assert menu.sectie("/vraaggezinnen/7/suggesties/") == "vraaggezinnen"
    assert menu.sectie("/signalen/4/") == "koppelingen"
    assert menu.sectie("/") == ""


# b. The volunteer's two pages have their own names -------------------------


def test_it_names_the_volunteers_two_pages_apart(client, vrijwilliger):
    client.force_login(vrijwilliger)
    home = client.get(reverse("home")).text
    lijst = client.get(reverse("matching:list")).text
    assert (h1(home), h1(lijst)) == ("Mijn gezinnen", "Mijn koppelingen")
    assert title(home) != title(lijst)
    assert title(lijst).startswith("Mijn koppelingen")
    assert active_items(home) == ["Mijn gezinnen"]
    assert active_items(lijst) == ["Mijn koppelingen"]


# c. Agenda and trainingen in the menu ---------------------------------------


def test_it_puts_agenda_and_trainingen_in_the_coordinators_menu(client, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("home")).text
    assert {"Agenda", "Trainingen"} <= set(menu_items(html))
    assert f'href="{reverse("matching:agenda")}">Agenda' in html
    assert f'href="{reverse("screening:trainingen")}">Trainingen' in html


def test_the_volunteer_gets_the_agenda_but_not_the_trainingen(client, vrijwilliger):
    client.force_login(vrijwilliger)
    items = menu_items(client.get(reverse("home")).text)
    assert items == ["Mijn gezinnen", "Mijn koppelingen", "Agenda"]
    assert client.get(reverse("screening:trainingen")).status_code == 404


def test_someone_without_a_role_gets_no_family_menu(client, beheerder):
    client.force_login(beheerder)
    assert menu_items(client.get(reverse("home")).text) == ["Beheer"]


# d. One Dutch way of writing a date -----------------------------------------


def test_it_abbreviates_months_as_dutch_does():
    maanden = [korte_datum(datetime.date(2026, m, 27)) for m in range(1, 13)]
    assert maanden == [
        "27 jan. 2026",
        "27 feb. 2026",
        "27 mrt. 2026",
        "27 apr. 2026",
        "27 mei 2026",
        "27 jun. 2026",
        "27 jul. 2026",
        "27 aug. 2026",
        "27 sep. 2026",
        "27 okt. 2026",
        "27 nov. 2026",
        "27 dec. 2026",
    ]
    assert korte_datum(datetime.date(2026, 11, 27), jaar=False) == "27 nov."
    assert korte_datum(datetime.date(2026, 11, 27), jaar=False, weekdag=True) == "vrijdag 27 nov."


def test_the_filter_writes_a_moment_as_its_day_in_amsterdam():
    # 23:30 UTC on the 26th is already the 27th in Europe/Amsterdam.
    moment = datetime.datetime(2026, 11, 26, 23, 30, tzinfo=datetime.UTC)
    html = Template('{{ d|datum }}|{{ d|datum:"dag" }}|{{ leeg|datum|default:"—" }}').render(
        Context({"d": moment, "leeg": None})
    )
    assert html == "27 nov. 2026|27 nov.|—"


def test_no_template_writes_an_abbreviated_or_numeric_date_of_its_own():
    # |date with M, b, N (month abbreviations) or n (month number) bypasses
    # the project's format; ISO dates in addresses (Y-m-d) are not shown.
    eigen = re.compile(r"""\|date:["'](?![^"']*Y-m-d)[^"']*[MbNn]""")
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in eigen.finditer(path.read_text())
    ]
    assert found == []


def test_the_lists_write_dates_the_dutch_way(client, organisatie, coordinator):
    KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        volgende_contact_op=datetime.date(2026, 11, 27),
    )
    client.force_login(coordinator)
    html = client.get(reverse("matching:list")).text
    assert "27 nov. 2026" in html
    assert "27 Nov" not in html


def test_screening_texts_write_dates_the_dutch_way(organisatie, coordinator):
    from screening.rules import vog_problem
    from tests.factories import vog_ontvangen

    steun = SteungezinFactory(organisatie=organisatie, leden=[("volwassene", 40)])
    lid = steun.leden.get()
    vog_ontvangen(door=coordinator, lid=lid, issued=datetime.date(2020, 3, 11))
    text = vog_problem(lid, today(), for_approval=True)
    assert re.search(r"verlopen op 11 mrt\. \d{4}\.", text), text


# e. The next evaluation by its name ------------------------------------------


def koppeling_pagina(client, coordinator, proefperiode_over: int) -> str:
    """The page of a koppeling whose trial period ends in so many days."""
    koppeling = KoppelingFactory(
        organisatie=coordinator.organisatie,
        coordinator=coordinator,
        proefperiode_tot=today() + datetime.timedelta(days=proefperiode_over),
    )
    client.force_login(coordinator)
    return client.get(reverse("matching:detail", args=[koppeling.pk])).text


def test_it_names_the_next_evaluation_by_its_label(client, coordinator):
    html = koppeling_pagina(client, coordinator, proefperiode_over=20)
    assert "Volgende: einde proefperiode op" in html
    assert "Volgende: proefperiode" not in html


# f. vrijwillige coördinator ---------------------------------------------------


def test_it_writes_vrijwillige_coordinator(client, organisatie, coordinator, vrijwilliger):
    assert User.Rol.VRIJWILLIG_COORDINATOR.label == "vrijwillige coördinator"
    koppeling = KoppelingFactory(
        organisatie=organisatie, coordinator=coordinator, vrijwilliger=vrijwilliger
    )
    client.force_login(coordinator)
    html = client.get(reverse("matching:detail", args=[koppeling.pk])).text
    assert "Vrijwillige coördinator: Vera" in html


def test_no_source_says_vrijwillig_coordinator():
    root = Path(settings.BASE_DIR)
    sources = [
        path
        for folder in ("accounts", "gezinnen", "screening", "matching", "reports", "templates")
        for path in (root / folder).rglob("*")
        if path.suffix in {".py", ".html", ".txt"} and "migrations" not in path.parts
    ]
    wrong = re.compile(r"vrijwillig coördinator", re.I)
    assert [str(p) for p in sources if wrong.search(p.read_text())] == []


# g. Dutch empty choices -----------------------------------------------------


def test_it_labels_empty_choices_in_dutch():
    class Keuzes(forms.Form):
        soort = forms.ChoiceField(choices=[("", "---------"), ("a", "A")])
        wijk = forms.ChoiceField(label="Wijk", choices=[("", "---------")], required=False)
        gebruiker = forms.ModelChoiceField(queryset=User.objects.none())
        radio = forms.ChoiceField(choices=[("", "---------")], widget=forms.RadioSelect)

    form = Keuzes()
    lege_keuzes(form)
    assert next(iter(form.fields["soort"].choices)) == ("", "— kies —")
    assert next(iter(form.fields["wijk"].choices)) == ("", "— geen wijk —")
    assert form.fields["gebruiker"].empty_label == "— kies —"
    assert next(iter(form.fields["radio"].choices)) == ("", "---------")


def test_the_forms_show_no_dashes_for_an_empty_choice(client, organisatie, coordinator):
    WijkFactory(organisatie=organisatie, naam="Noord")
    koppeling = KoppelingFactory(organisatie=organisatie, coordinator=coordinator)
    steun = approved_steungezin(organisatie)
    client.force_login(coordinator)
    pages = {
        "steungezin": reverse("gezinnen:steungezin-create"),
        "vraaggezin": reverse("gezinnen:vraaggezin-create"),
        "contactmoment": reverse("matching:contactmoment", args=[koppeling.pk]),
        "evaluatie": reverse("matching:evaluatie", args=[koppeling.pk]),
        "begeleiding": reverse("matching:begeleiding", args=[koppeling.pk]),
        "afsluiten": reverse("matching:afsluiten", args=[koppeling.pk]),
        "referentie": reverse("screening:referentie", args=[steun.pk]),
        "training": reverse("screening:training", args=[steun.pk]),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert "---------" not in response.text, name
    # The form's own label stays; Django's dashes become the field's meaning.
    html = client.get(pages["steungezin"]).text
    assert '<option value="" selected>afleiden uit de postcode</option>' in html
    begeleiding = client.get(pages["begeleiding"]).text
    assert '<option value="" selected>— niemand —</option>' in begeleiding
    afsluiten = client.get(pages["afsluiten"]).text
    assert '<option value="" selected>— kies —</option>' in afsluiten


# h. Overdue evaluations are marked ------------------------------------------


@pytest.fixture
def te_laat(organisatie, coordinator):
    """A koppeling whose trial period's evaluation was due two days ago."""
    return KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        proefperiode_tot=today() - datetime.timedelta(days=2),
        volgende_contact_op=today() + datetime.timedelta(days=5),
    )


def test_it_knows_when_an_evaluation_is_overdue(organisatie, coordinator, te_laat):
    assert te_laat.evaluatie_overdue
    op_tijd = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        proefperiode_tot=today() + datetime.timedelta(days=2),
    )
    assert not op_tijd.evaluatie_overdue
    te_laat.status = "afgesloten"
    assert not te_laat.evaluatie_overdue


def test_the_koppeling_page_marks_an_overdue_evaluation(client, coordinator, te_laat):
    client.force_login(coordinator)
    html = client.get(reverse("matching:detail", args=[te_laat.pk])).text
    regel = re.search(r'<p class="([^"]*)">Volgende: einde proefperiode[^<]*</p>', html)
    assert "text-danger" in regel.group(1)
    assert regel.group(0).endswith("— over tijd</p>")


def test_the_koppeling_page_leaves_a_coming_evaluation_unmarked(client, coordinator):
    html = koppeling_pagina(client, coordinator, proefperiode_over=2)
    assert '<p class="">Volgende: einde proefperiode' in html
    assert "over tijd" not in html


def test_the_list_marks_an_overdue_evaluation(client, coordinator, te_laat):
    client.force_login(coordinator)
    html = client.get(reverse("matching:list")).text
    assert "evaluatie over tijd" in html


def test_the_dashboard_marks_an_overdue_evaluation(client, coordinator, te_laat):
    client.force_login(coordinator)
    html = client.get(reverse("home")).text
    regel = re.search(
        rf'evaluatie/">{re.escape(str(te_laat))}</a> <span class="([^"]*)">([^<]*)<', html
    )
    assert regel.group(1) == "text-danger"
    assert regel.group(2).endswith("(over tijd)")


def test_the_agenda_puts_an_overdue_evaluation_under_achterstallig(client, coordinator, te_laat):
    client.force_login(coordinator)
    html = client.get(reverse("matching:agenda")).text
    achterstallig = html.split("Achterstallig", 1)[1].split("</ul>", 1)[0]
    assert "einde proefperiode" in achterstallig


# i. The candidate's wijk on the passend page --------------------------------


def test_passend_names_the_candidates_wijk(client, organisatie, coordinator):
    eigen, buur = (WijkFactory(organisatie=organisatie, naam=n) for n in ("Eigenwijk", "Buurwijk"))
    buur.aangrenzend.add(eigen)
    steun = approved_steungezin(organisatie, wijk=eigen)
    VraaggezinFactory(organisatie=organisatie, status="wachtend", wijk=buur)
    client.force_login(coordinator)
    html = client.get(reverse("matching:passend", args=[steun.pk])).text
    assert "buurwijk (Buurwijk)" in html
    assert "Eigenwijk" not in html.split("<main", 1)[1]


def test_suggesties_still_name_the_candidates_wijk(client, organisatie, coordinator):
    eigen, buur = (WijkFactory(organisatie=organisatie, naam=n) for n in ("Eigenwijk", "Buurwijk"))
    eigen.aangrenzend.add(buur)
    approved_steungezin(organisatie, wijk=buur)
    vraag = VraaggezinFactory(organisatie=organisatie, status="wachtend", wijk=eigen)
    client.force_login(coordinator)
    html = client.get(reverse("matching:suggesties", args=[vraag.pk])).text
    assert "buurwijk (Buurwijk)" in html
