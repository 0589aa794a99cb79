"""Walks every URL pattern of the project: nothing behind login leaks to an
anonymous visitor, and family pages exist only for the own organisation's
coordinators. Later features extend PUBLIC, the values and the role sweeps."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse

from gezinnen.models import today
from importeren.models import Import
from matching.documenten import document_toevoegen
from matching.models import (
    Contactmoment,
    CoordinatieUren,
    Evaluatie,
    MeldcodeStap,
    Signaal,
    maandag_van,
)
from screening.models import VOG, Referentie, ScreeningGesprek, Training, TrainingDeelname
from tests.factories import KoppelingFactory, SteungezinFactory, VraaggezinFactory
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
    "matching:agenda-feed": 404,  # the secret token is the key; a wrong one finds nothing
    "health": 200,  # for the load balancer: the state of each check, nothing else
}

# Pages of a koppeling that its volunteer coordinator uses too.
TEAM = {
    "matching:list",
    "matching:detail",
    "matching:contactmoment",
    "matching:signaal-melden",
    "matching:notities",  # its notes, and a new one
    "matching:agenda",
    "matching:agenda-feed-nieuw",
    "matching:agenda-feed-intrekken",
    "matching:zoeken",  # the search box of the navigation
}
# Pages with family data: the own organisation's coordinators only.
COORDINATOR_ONLY = [
    (name, template)
    for name, template, _ in ALL
    if name.split(":")[0] in {"gezinnen", "screening", "matching", "importeren", "reports"}
    and name not in PUBLIC
    and name not in TEAM
]
TEAM_PAGES = [(name, template) for name, template, _ in ALL if name in TEAM]
# Take only a POST (and redirect after it).
POST_ONLY = {
    "screening:vog-nieuw",
    "matching:voorstellen",
    "matching:agenda-feed-nieuw",
    "matching:agenda-feed-intrekken",
    "importeren:invoeren",
    "importeren:ongedaan-maken",
}
# Which record a page's pk is, where the name does not say.
PK_OF = {
    "matching:suggesties": "vraaggezin",
    "matching:voorstellen": "vraaggezin",
    "matching:passend": "steungezin",
    "matching:signaal": "signaal",
    "reports:evaluatieverslag": "koppeling",
    "reports:inzage": "vraaggezin",
    "matching:wissen": "vraaggezin",
    "matching:gezin-notitie": "vraaggezin",
    "matching:gezin-bericht": "steungezin",
    "matching:starten": "klaar",
    "matching:heropenen": "afgesloten",
    "matching:documenten-gezin": "vraaggezin",
    "matching:document": "document",
    "matching:document-verwijderen": "document",
    "matching:contactmoment-corrigeren": "contactmoment",
    "matching:contactmoment-intrekken": "contactmoment",
    "matching:meldcodestap-corrigeren": "meldcodestap",
    "matching:uren-corrigeren": "uren",
    "importeren:detail": "import",
    "importeren:invoeren": "import",
    "importeren:ongedaan-maken": "import",
    "matching:uren-intrekken": "uren",
    **{
        f"matching:{soort}-{stap}": soort
        for soort in ("evaluatie", "gesprek", "referentie", "vog", "deelname")
        for stap in ("corrigeren", "intrekken")
    },
}


@pytest.fixture
def values(organisatie, coordinator, vrijwilliger):
    """Real records of the organisation, by URL parameter name."""
    vraag = VraaggezinFactory(organisatie=organisatie)
    steun = SteungezinFactory(organisatie=organisatie)
    koppeling = KoppelingFactory(organisatie=organisatie, vrijwilliger=vrijwilliger)
    # The reopening page is there for a koppeling that ran and ended.
    afgesloten = KoppelingFactory(
        organisatie=organisatie,
        status="afgesloten",
        start_op=today() - datetime.timedelta(days=90),
        einde_op=today() - datetime.timedelta(days=5),
        einde_reden="klik",
    )
    # The start page is there for a koppeling that can start.
    klaar = KoppelingFactory(
        organisatie=organisatie,
        status="kennismaking",
        kennismaking_uitkomst="go",
        start_op=None,
        vraaggezin__status="wachtend",
    )
    signaal = Signaal.objects.create(
        koppeling=koppeling, omschrijving="Zorgen", gemeld_door=vrijwilliger
    )
    (document,) = document_toevoegen(
        door=koppeling.coordinator,
        gezin=vraag,
        soort="toestemming",
        bestanden=[SimpleUploadedFile("toestemming.pdf", b"%PDF-1.4 toestemming")],
    )
    contactmoment = Contactmoment.objects.create(
        koppeling=koppeling, met="beide", hoe="bezoek", verloop="goed", door=vrijwilliger
    )
    # The coordinator's own hours (the only ones she corrects).
    uren = CoordinatieUren.objects.create(
        organisatie=organisatie, coordinator=coordinator, week=maandag_van(today()), uren=2
    )
    # A screening item of each kind, of the steungezin.
    lid = steun.leden.first()
    gesprek = ScreeningGesprek.objects.create(
        steungezin=steun, soort="kennismaking", datum=today(), door=coordinator
    )
    referentie = Referentie.objects.create(
        steungezin=steun,
        naam="Buurvrouw",
        relatie="buren",
        benaderd_op=today(),
        uitkomst="positief",
        door=coordinator,
    )
    vog = VOG.objects.create(gezinslid=lid)
    training = Training.objects.create(
        organisatie=organisatie, datum=today(), titel="Basis", trainer="T", plaats="Hengelo"
    )
    deelname = TrainingDeelname.objects.create(training=training, gezinslid=lid)
    evaluatie = Evaluatie.objects.create(
        koppeling=koppeling, soort="jaarlijks", door=coordinator, conclusie="Gaat goed"
    )
    meldcodestap = MeldcodeStap.objects.create(
        signaal=signaal, stap=1, door=coordinator, notitie="In kaart gebracht"
    )
    # An import of the organisation, checked and waiting for the choice.
    import_ = Import.objects.create(
        organisatie=organisatie,
        door=coordinator,
        bestanden="programma.xlsx",
        status=Import.Status.VOORBEELD,
        verslag={"tabellen": [], "meldingen": []},
    )
    return {
        "import": import_.pk,
        "meldcodestap": meldcodestap.pk,
        "evaluatie": evaluatie.pk,
        "gesprek": gesprek.pk,
        "referentie": referentie.pk,
        "vog": vog.pk,
        "deelname": deelname.pk,
        "contactmoment": contactmoment.pk,
        "uren": uren.pk,
        "koppeling": koppeling.pk,
        "document": document.pk,
        "klaar": klaar.pk,
        "afgesloten": afgesloten.pk,
        "signaal": signaal.pk,
        "lid": steun.leden.first().pk,
        "soort": "huisbezoek",
        "mail": "uitnodiging",
        "formaat": "csv",
        "organisatie": organisatie.slug,
        "vraaggezin": vraag.pk,
        "vraaggezin_naam": vraag.naam,
        "steungezin": steun.pk,
    }


def url_for(name: str, template: str, values: dict) -> str:
    # A page's pk is that of a record of its own kind.
    if name in PK_OF:
        kind = PK_OF[name]
    elif name.startswith("matching:"):
        kind = "koppeling"
    else:
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
        # In bytes: a download (the import's template) is no text.
        assert f"Gezin {values['vraaggezin_naam']}".encode() not in response.content


@pytest.mark.parametrize(("name", "template"), TEAM_PAGES, ids=[n for n, _ in TEAM_PAGES])
def test_koppeling_pages_are_for_its_coordinators(
    client, all_roles, vrijwilliger, values, name, template
):
    url = url_for(name, template, values)
    request = client.post if name in POST_ONLY else client.get
    for person in ("coordinator", "vrijwilliger"):
        client.force_login(all_roles[person])
        assert request(url).status_code == (302 if name in POST_ONLY else 200), f"{person}: {url}"
    client.force_login(all_roles["beheerder"])
    assert request(url).status_code == 404
    # Another volunteer of the same organisation: not assigned, so not there.
    other = type(vrijwilliger).objects.create_user(
        "ander@humanitas.example",
        "x" * 12,
        first_name="A",
        last_name="B",
        organisatie=vrijwilliger.organisatie,
        rol=vrijwilliger.rol,
    )
    client.force_login(other)
    response = request(url)
    if "{int:pk}" in template:
        assert response.status_code == 404
    elif name == "matching:list":
        assert values["koppeling"] not in [k.pk for k in response.context["page"]]
    elif name == "matching:zoeken":
        assert client.get(url, {"q": f"nr. {values['koppeling']}"}).context["resultaat"].aantal == 0
    client.force_login(all_roles["outsider"])
    expected = 404 if "{int:pk}" in template else (302 if name in POST_ONLY else 200)
    assert request(url).status_code == expected
    if name == "matching:zoeken":
        for nummer in (values["koppeling"], values["vraaggezin"], values["steungezin"]):
            assert client.get(url, {"q": f"nr. {nummer}"}).context["resultaat"].aantal == 0


def _grow(organisatie, vrijwilliger) -> None:
    """More of everything in the organisation, none of it on the page's records."""
    from tests.factories import approved_steungezin

    for _ in range(4):
        VraaggezinFactory(organisatie=organisatie, status="wachtend")
        approved_steungezin(organisatie)
        SteungezinFactory(organisatie=organisatie, status="in_screening")
        koppeling = KoppelingFactory(organisatie=organisatie, vrijwilliger=vrijwilliger)
        Signaal.objects.create(koppeling=koppeling, omschrijving="Zorgen", gemeld_door=vrijwilliger)


GET_PAGES = [
    (name, template) for name, template in COORDINATOR_ONLY + TEAM_PAGES if name not in POST_ONLY
]


@pytest.mark.parametrize(("name", "template"), GET_PAGES, ids=[n for n, _ in GET_PAGES])
def test_no_page_takes_more_queries_for_a_bigger_organisation(
    client, all_roles, vrijwilliger, values, organisatie, name, template
):
    """Issue 14: a page's queries are fixed, whatever the organisation's size
    (the lists show their first items and count the rest)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = url_for(name, template, values)
    people = ["coordinator"] + (["vrijwilliger"] if name in TEAM else [])

    def counts() -> list[int]:
        result = []
        for person in people:
            client.force_login(all_roles[person])
            client.get(url)  # what a first visit makes once (stored verdicts, session)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            result.append(len(captured))
        return result

    _grow(organisatie, vrijwilliger)  # something on every list of the page
    small = counts()
    _grow(organisatie, vrijwilliger)
    _grow(organisatie, vrijwilliger)
    assert counts() == small
    assert max(small) <= 45, f"{url}: {small} queries"
