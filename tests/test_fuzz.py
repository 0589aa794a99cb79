"""Bad input never gives a server error: every form of the project and every
GET parameter of its lists, reports, exports and back-office pages gets long,
unicode, NUL-laden, out-of-range and foreign values, and no response is a 500."""

from __future__ import annotations

import datetime
import logging
import os
import re
import sys
import zlib
from dataclasses import dataclass, field, replace
from functools import partial
from http.cookies import SimpleCookie
from typing import NamedTuple
from urllib.parse import urlencode

import pytest
from django.contrib.admin import ModelAdmin
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from accounts.models import AuditEntry, User
from gezinnen.models import Gezinslid, Steungezin, Vraaggezin, Wijk
from importeren.models import Import
from matching.documenten import document_toevoegen
from matching.models import (
    AgendaFeed,
    Contactmoment,
    CoordinatieUren,
    Document,
    EindReden,
    Evaluatie,
    Koppeling,
    MeldcodeStap,
    Signaal,
)
from screening.models import (
    VOG,
    Criterium,
    CriteriumBeoordeling,
    Referentie,
    ScreeningGesprek,
    Training,
    TrainingDeelname,
)
from steungezinnen.middleware import NulBytesMiddleware
from tests.factories import (
    KoppelingFactory,
    SteungezinFactory,
    VraaggezinFactory,
    WijkFactory,
    approved_steungezin,
)
from tests.fuzz import SHARP, Field, changes, parse_page, queries, shorten, submissions, where
from tests.sweep import ALL, fill
from tests.test_url_sweep import PUBLIC, TEAM, url_for

pytestmark = pytest.mark.django_db

# Hypothesis examples per form of the project or of the back office (shared by
# the records that have it, after each one's form as it comes), per list or
# report, per other kind of page (of which the first SAME_PAGE take part).
# FUZZ_SCALE=5 makes a deeper run.
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
FORM_EXAMPLES = 12 * SCALE
ADMIN_FORM_EXAMPLES = 4 * SCALE
LIST_EXAMPLES = 5 * SCALE
PAGE_EXAMPLES = 2 * SCALE
SAME_PAGE = 2

PARAMS = [
    "q",
    "status",
    "wijk",
    "sort",
    "pagina",
    "coordinator",
    "vrijwilliger",
    "achter",
    "gemeente",
    "soort",
    "jaar",
    "kwartaal",
    "periode",
    "van",
    "tot",
    "formaat",
    "naar",
    "uitgesloten",
    "weergave",
    "week",
    "next",
]
ADMIN_PARAMS = ["q", "o", "p", "e", "all", "_popup", "_to_field", "_changelist_filters"]
LISTS = {
    "gezinnen:vraaggezin-list",
    "gezinnen:steungezin-list",
    "matching:list",
    "matching:agenda",
    "matching:uren",
    "reports:gemeente",
    "reports:export-vraaggezinnen",
    "reports:export-steungezinnen",
    "reports:export-koppelingen",
    "screening:overzicht",
    "home",
}
DAY = datetime.timedelta(days=1)


class _Rollback(Exception):
    """Undoes each request, so every one meets the same records."""


@dataclass
class Variant:
    """One URL of a target: a record's form, or one page of a kind."""

    url: str
    strategy: object
    baseline: dict  # what a failure is shown against: the form as it comes
    multipart: bool = False
    explicit: list[dict] = field(default_factory=list)  # sent before the examples
    stretch: list[dict] = field(default_factory=list)  # sent if the last one is accepted


class Pair(NamedTuple):
    variant: Variant
    data: dict


@dataclass
class Target:
    """One form, or one kind of page, as one role; its records share the examples."""

    role: str
    method: str
    variants: list[Variant]
    examples: int


@dataclass
class Fuzzer:
    clients: dict[str, Client]
    requests: int = 0
    failures: dict[tuple, list] = field(default_factory=dict)

    def send(self, role: str, method: str, url: str, data=None, multipart=False, baseline=None):
        """One request, undone afterwards; a 500 or an exception is written down
        with what the data changed in the baseline (the form as it comes)."""
        client = self.clients[role]
        cookies = {key: morsel.value for key, morsel in client.cookies.items()}
        self.requests += 1
        response = exc_info = None
        try:
            with transaction.atomic():
                try:
                    if method == "get":
                        response = client.get(url, data or {})
                    elif multipart:
                        response = client.post(url, data or {})
                    else:
                        body = urlencode(data or {}, doseq=True)
                        response = client.post(
                            url, body, content_type="application/x-www-form-urlencoded"
                        )
                except Exception:
                    exc_info = sys.exc_info()
                raise _Rollback
        except _Rollback:
            pass
        finally:
            client.cookies = SimpleCookie(cookies)
            cache.clear()
        exc_info = exc_info or (response.exc_info if response is not None else None)
        if exc_info or response.status_code >= 500:
            cause = (
                (exc_info[1].__class__.__name__, *where(exc_info))
                if exc_info
                else (f"status {response.status_code}", "", url)
            )
            message = str(exc_info[1]) if exc_info else response.content.decode(errors="replace")
            message = " ".join(re.sub(r"<[^>]+>", " ", message).split())[:200]
            sent = changes(baseline, data) if baseline is not None else data
            self.failures.setdefault(cause, []).append((role, method, url, sent, message))
        return response

    def run(self, target: Target) -> None:
        """Each variant's explicit requests; for the first that accepts the form
        as it comes, its stretch; then Hypothesis' examples over all variants."""

        def one(variant: Variant, data: dict) -> HttpResponse | None:
            return self.send(
                target.role, target.method, variant.url, data, variant.multipart, variant.baseline
            )

        stretched = False
        for variant in target.variants:
            response = None
            for data in variant.explicit:
                response = one(variant, data)
            accepted = response is not None and response.status_code in (301, 302, 303)
            if accepted and variant.stretch and not stretched:
                stretched = True
                for data in variant.stretch:
                    one(variant, data)

        @settings(
            max_examples=target.examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(st.one_of([v.strategy.map(partial(Pair, v)) for v in target.variants]))
        def test(pair: Pair):
            one(pair.variant, pair.data)

        first = target.variants[0].url
        seed(zlib.crc32(f"{target.role} {target.method} {first}".encode()))(test)()

    def report(self) -> str:
        total = sum(map(len, self.failures.values()))
        lines = [f"{total} of {self.requests} requests failed, {len(self.failures)} causes:"]
        for (kind, ours, raised), cases in self.failures.items():
            # The smallest change that broke it.
            role, method, url, data, message = min(cases, key=lambda case: len(repr(case[3])))
            pages = sorted({f"{m.upper()} {view_name(u)}" for _, m, u, _, _ in cases})
            sent = shorten(data) if data else ""
            if data == {} and method == "post":
                sent = "the form as it comes"
            lines += [
                f"\n{kind}: {message}",
                f"  raised at {raised}" + (f", via {ours}" if ours else ""),
                f"  {len(cases)}x, on {', '.join(pages)}",
                f"  e.g. {role} {method.upper()} {url} {sent}",
            ]
        return "\n".join(lines)


@pytest.fixture
def world(organisatie, other_organisatie, coordinator, vrijwilliger, outsider):
    """One organisation's records in every status, and another's."""
    today = datetime.date.today()
    wijk, buur = (
        WijkFactory(organisatie=organisatie, postcodes="7551"),
        WijkFactory(organisatie=organisatie, postcodes="7552", gemeente="Borne"),
    )
    wijk.aangrenzend.add(buur)
    vraag = {
        status: VraaggezinFactory(organisatie=organisatie, status=status, wijk=wijk)
        for status in ("aangemeld", "intake", "wachtend", "afgesloten", "ingetrokken")
    }
    steun = {
        status: SteungezinFactory(organisatie=organisatie, status=status)
        for status in ("aangemeld", "in_screening", "gestopt", "afgewezen")
    }
    approved_steungezin(organisatie, status="in_screening")  # ready for approval
    beschikbaar = approved_steungezin(organisatie, wijk=wijk)
    screening = steun["in_screening"]
    for lid in screening.leden.filter(soort="volwassene"):
        VOG.objects.create(gezinslid=lid, status="aangevraagd", aangevraagd_op=today - 9 * DAY)
    ScreeningGesprek.objects.create(
        steungezin=screening, soort="kennismaking", datum=today, door=coordinator
    )
    Referentie.objects.create(
        steungezin=screening,
        naam="Buurvrouw",
        relatie="buren",
        benaderd_op=today,
        uitkomst="positief",
        door=coordinator,
    )
    criterium = Criterium.objects.create(organisatie=organisatie, tekst="Stabiele thuissituatie")
    Criterium.objects.create(organisatie=organisatie, tekst="Tijd en ruimte")
    CriteriumBeoordeling.objects.create(
        steungezin=screening, criterium=criterium, voldoet=True, door=coordinator
    )
    training = Training.objects.create(
        organisatie=organisatie, datum=today, titel="Basis", trainer="Tina", plaats="Hengelo"
    )
    TrainingDeelname.objects.create(training=training, gezinslid=beschikbaar.leden.first())
    EindReden.objects.voor(organisatie)

    # Koppelingen in every status; families take part in more than one.
    def koppeling(status, vraaggezin=None, steungezin=None, **kwargs):
        return KoppelingFactory(
            organisatie=organisatie,
            coordinator=coordinator,
            status=status,
            vraaggezin=vraaggezin
            or VraaggezinFactory(organisatie=organisatie, status="gekoppeld", wijk=wijk),
            steungezin=steungezin or beschikbaar,
            **kwargs,
        )

    wachtend = VraaggezinFactory(organisatie=organisatie, status="wachtend", wijk=wijk)
    koppeling(
        "afgesloten",
        wachtend,
        einde_op=today - DAY,
        einde_reden="doel_bereikt",
        einde_uitkomst="Goed afgerond.",
    )
    koppeling("voorgesteld", wachtend, start_op=None)
    twee = approved_steungezin(organisatie, wijk=buur, capaciteit=2)
    go = {"kennismaking_op": today - 3 * DAY, "kennismaking_uitkomst": "go", "start_op": None}
    kennismaking = VraaggezinFactory(organisatie=organisatie, status="wachtend", wijk=buur)
    koppeling("kennismaking", kennismaking, twee, **go)
    # A family withdrew after the kennismaking; a steungezin stopped during its koppeling.
    koppeling("kennismaking", vraag["ingetrokken"], twee, **go)
    koppeling("actief", steungezin=steun["gestopt"])
    koppeling("actief", steungezin=twee, professional_nodig=True)
    actief = koppeling("actief", vrijwilliger=vrijwilliger, proefperiode_tot=today + 30 * DAY)
    contact = Contactmoment.objects.create(
        koppeling=actief, met="beide", hoe="bezoek", door=vrijwilliger, verloop="aandacht"
    )
    for status, afgehandeld in (("open", None), ("afgehandeld", today)):
        signaal = Signaal.objects.create(
            koppeling=actief,
            contactmoment=contact,
            omschrijving="Zorgen",
            gemeld_door=vrijwilliger,
            status=status,
            afgehandeld_op=afgehandeld,
        )
        MeldcodeStap.objects.create(signaal=signaal, stap=1, door=coordinator, notitie="In kaart")
    Evaluatie.objects.create(
        koppeling=actief,
        soort="proefperiode",
        door=coordinator,
        vraag_scores={"contact": 4},
        conclusie="Doorgaan.",
    )
    CoordinatieUren.objects.create(
        organisatie=organisatie,
        coordinator=coordinator,
        week=today - datetime.timedelta(days=today.weekday()),
        uren=3,
    )
    AgendaFeed.objects.create(user=coordinator, token="fuzz-agenda-token")
    document_toevoegen(
        door=coordinator,
        koppeling=actief,
        soort="overeenkomst",
        bestanden=[SimpleUploadedFile("overeenkomst.pdf", b"%PDF-1.4 getekend")],
    )
    AuditEntry.objects.create(
        user=coordinator, organisatie=organisatie, action="view", object_type="matching.koppeling"
    )
    # The other organisation: its ids are offered to our forms and pages.
    elders = KoppelingFactory(organisatie=other_organisatie, coordinator=outsider)
    document_toevoegen(
        door=outsider,
        koppeling=elders,
        soort="overeenkomst",
        bestanden=[SimpleUploadedFile("elders.pdf", b"%PDF-1.4 elders")],
    )
    WijkFactory(organisatie=other_organisatie)
    elders_signaal = Signaal.objects.create(
        koppeling=elders, omschrijving="Elders", gemeld_door=outsider
    )
    MeldcodeStap.objects.create(signaal=elders_signaal, stap=1, door=outsider, notitie="Elders")
    Criterium.objects.create(organisatie=other_organisatie, tekst="Elders")
    Training.objects.create(
        organisatie=other_organisatie, datum=today, titel="Elders", trainer="E", plaats="Goor"
    )
    EindReden.objects.voor(other_organisatie)
    # An import of each organisation, checked: its preview and its choice.
    for eigen, door in ((organisatie, coordinator), (other_organisatie, outsider)):
        rij = {"rij": 2, "code": "V1", "titel": "Gezin Import", "leden": []}
        Import.objects.create(
            organisatie=eigen,
            door=door,
            bestanden="programma.xlsx",
            status=Import.Status.VOORBEELD,
            verslag={
                "tabellen": [
                    {
                        "naam": "Vraaggezinnen",
                        "rijen": [
                            {**rij, "waarden": [["Adres", "Laan 1"]], "fouten": []},
                            {**rij, "rij": 3, "waarden": [], "fouten": ["Postcode: onjuist"]},
                        ],
                    }
                ],
                "meldingen": [],
            },
        )
    return organisatie


# test_url_sweep.url_for names a page's record by its kind, or by an alias of it.
ALIASES = {"klaar": "koppeling", "afgesloten": "koppeling"}


def records() -> dict[str, list[dict]]:
    """URL values for each record, of both organisations, by kind."""
    kinds = {
        "koppeling": Koppeling.objects.order_by("pk"),
        "signaal": Signaal.objects.order_by("pk"),
        "meldcodestap": MeldcodeStap.objects.order_by("pk"),
        "document": Document.objects.order_by("pk"),
        "contactmoment": Contactmoment.objects.order_by("pk"),
        "uren": CoordinatieUren.objects.order_by("pk"),
        "import": Import.objects.order_by("pk"),
        "evaluatie": Evaluatie.objects.order_by("pk"),
        "gesprek": ScreeningGesprek.objects.order_by("pk"),
        "referentie": Referentie.objects.order_by("pk"),
        "vog": VOG.objects.order_by("pk"),
        "deelname": TrainingDeelname.objects.order_by("pk"),
        "vraaggezin": Vraaggezin.objects.order_by("pk"),
        "steungezin": Steungezin.objects.order_by("pk").prefetch_related("leden"),
    }
    return {
        kind: [
            {
                **{alias: obj.pk for alias, of in ALIASES.items() if of == kind},
                kind: obj.pk,
                **({"lid": obj.leden.all()[0].pk} if kind == "steungezin" else {}),
            }
            for obj in objects
        ]
        for kind, objects in kinds.items()
    }


def url_variants(name: str, template: str, view, records: dict, base: dict) -> list[str]:
    """The pattern filled with each record it can show, the other organisation's too."""
    if name.startswith("admin:") or template.startswith("/beheer/"):
        # Admin views carry their ModelAdmin, or are one of its methods.
        owner = getattr(view, "model_admin", None) or getattr(
            getattr(view, "__wrapped__", None), "__self__", None
        )
        if not isinstance(owner, ModelAdmin) or "{" not in template:
            return [fill(template, {"url": "onbekend", "content_type_id": 1, "object_id": 1})]
        pks = owner.model._default_manager.order_by("pk").values_list("pk", flat=True)
        return [fill(template, {"object_id": pk, "id": pk}) for pk in {pks.first(), pks.last()}]
    variants = [{}]
    if "{int:pk}" in template:
        kinds = {kind: kind for kind in records} | ALIASES
        variants = records[url_for(name, "{int:pk}", kinds)]
    if "{str:soort}" in template:
        variants = [{**v, "soort": s} for v in variants for s in ("kennismaking", "huisbezoek")]
    if "{str:formaat}" in template:
        variants = [{**v, "formaat": f} for v in variants for f in ("csv", "xlsx", "pdf")]
    if "{slug:organisatie}" in template:
        variants = [{**v, "organisatie": slug} for v in variants for slug in base["organisaties"]]
    return [url_for(name, template, {**base, **v}) for v in variants]


def nul_urls(template: str) -> list[str]:
    """The pattern with a NUL byte in each of its parameters, or at its end."""
    if "{" not in template:
        return [template + "%00"]
    names = [part.split("}")[0].split(":")[1] for part in template.split("{")[1:]]
    return [fill(template, {n: ("1%00" if n == name else 1) for n in names}) for name in names]


def roles_for(name: str, template: str) -> list[str]:
    if template.startswith("/beheer/"):
        return ["superuser", "beheerder"]
    if name in PUBLIC:
        return ["anoniem"]
    return ["coordinator", "vrijwilliger"] if name in TEAM or name == "home" else ["coordinator"]


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
def test_no_bad_input_gives_a_server_error(
    world, other_organisatie, coordinator, vrijwilliger, beheerder, superuser, log_in_verified
):
    clients = {"anoniem": Client(raise_request_exception=False)}
    for role, user in [
        ("coordinator", coordinator),
        ("vrijwilliger", vrijwilliger),
        ("beheerder", beheerder),
        ("superuser", superuser),
    ]:
        clients[role] = Client(raise_request_exception=False)
        log_in_verified(clients[role], user)
    models = [Vraaggezin, Steungezin, Gezinslid, Koppeling, Signaal, Wijk, Criterium, Training]
    foreign = [
        str(pk)
        for model in [*models, EindReden, User]
        for pk in model.objects.exclude(**_own(model, world)).values_list("pk", flat=True)
    ]
    fuzzer = Fuzzer(clients)
    logging.disable(logging.CRITICAL)  # thousands of 404s and 400s
    try:
        pages, forms, links = crawl(fuzzer, world, other_organisatie.slug)
        targets = [*post_targets(forms, foreign), *get_targets(pages, forms, links, foreign)]
        for target in targets:
            fuzzer.run(target)
    finally:
        logging.disable(logging.NOTSET)
    print(f"fuzz: {fuzzer.requests} requests, {len(targets)} targets")
    if fuzzer.failures:
        pytest.fail(fuzzer.report(), pytrace=False)


def crawl(fuzzer: Fuzzer, org, other: str):
    """Every pattern with every record, as each role: the pages that open,
    their forms, and the query strings of their links."""
    every = records()
    base = {
        **{kind: found[0][kind] for kind, found in every.items()},
        "steungezin": Steungezin.objects.filter(organisatie=org, status="beschikbaar")[0].pk,
        "organisatie": org.slug,
        "organisaties": (org.slug, other),
        "token": "fuzz-agenda-token",
    }
    pages, forms, links = {}, {}, {}
    for name, template, view in ALL:
        for url in nul_urls(template):
            fuzzer.send("coordinator", "get", url)
        for role in roles_for(name, template):
            for url in url_variants(name, template, view, every, base):
                response = fuzzer.send(role, "get", url)
                if response is not None and response.status_code in (404, 405):
                    fuzzer.send(role, "post", url)  # someone else's record, or POST only
                if response is None or response.status_code != 200:
                    continue
                pages[role, url] = response.get("Content-Type", "")
                if "html" not in pages[role, url]:
                    continue
                page = parse_page(url, response.content.decode())
                for form in page.forms:
                    forms.setdefault((role, form.key()), form)
                for path, query in page.queries:
                    links.setdefault((role, path), []).append(query)
    return pages, forms, links


def view_name(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return path


def post_targets(forms: dict, foreign: list[str]):
    """Each form, for each record first as it comes; for the first record that
    accepts it, each date also at the ends of the calendar."""
    shapes = {}
    for (role, _), form in forms.items():
        if form.method == "post":
            shape = (role, view_name(form.action), tuple(form.fields))
            shapes.setdefault(shape, []).append(form)
    for (role, _, _), same in shapes.items():
        admin = same[0].action.startswith("/beheer/")
        variants = [
            Variant(
                form.action,
                submissions(form, foreign),
                form.default(),
                form.multipart,
                explicit=[form.default()],
                stretch=form.extremes(),
            )
            for form in same
        ]
        yield Target(role, "post", variants, ADMIN_FORM_EXAMPLES if admin else FORM_EXAMPLES)


def get_targets(pages: dict, forms: dict, links: dict, foreign: list[str]):
    """The first pages of each kind, with the parameters of their filter forms
    and links and the ones the project reads. A list gets more examples, and
    each SHARP value in all its own parameters at once."""
    kinds = {}
    for (role, url), content_type in pages.items():
        name = view_name(url)
        own = {}
        for (who, _), form in forms.items():
            if who == role and form.method == "get" and form.action == url:
                own.update({n: replace(f, options=[*f.options]) for n, f in form.fields.items()})
        examples = links.get((role, url), [])
        for query in examples:
            for key, value in query.items():
                own.setdefault(key, Field(key, "text")).options.append(value)
        listing = name in LISTS or name.endswith("_changelist") or bool(own)
        same = kinds.setdefault((role, name, listing), [])
        if len(same) == SAME_PAGE or not (listing or "html" in content_type):
            continue
        generic = ADMIN_PARAMS if url.startswith("/beheer/") else PARAMS
        params = {p: Field(p, "text") for p in generic} | own
        sharp = [{p: [value] for p in own or params} for value in SHARP] if listing else []
        strategy = queries(params, list(own), examples[:20], foreign)
        same.append(Variant(url, strategy, {}, explicit=sharp))
    for (role, _, listing), variants in kinds.items():
        if variants:
            yield Target(role, "get", variants, LIST_EXAMPLES if listing else PAGE_EXAMPLES)


def _own(model, organisatie) -> dict:
    """The lookup of the own organisation's records of this model."""
    return {
        Gezinslid: {"gezin__organisatie": organisatie},
        Signaal: {"koppeling__organisatie": organisatie},
    }.get(model, {"organisatie": organisatie})


# The NUL middleware -------------------------------------------------------


def test_it_refuses_a_nul_byte_in_the_address(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/agenda/fuzz%00token.ics")
    assert response.status_code == 400
    assert "niet is toegestaan" in response.text


def test_it_drops_nul_bytes_from_get_and_post_values(rf):
    seen = []
    middleware = NulBytesMiddleware(lambda request: seen.append(request) or HttpResponse())
    middleware(rf.get("/vraaggezinnen/", {"q": ["Jan\x00sen", "x"]}))
    middleware(rf.post("/uren/", {"notitie": "a\x00b", "uren\x00": "2"}))
    assert seen[0].GET.getlist("q") == ["Jansen", "x"]
    assert dict(seen[1].POST.lists()) == {"notitie": ["ab"], "uren": ["2"]}


def test_a_nul_byte_in_a_form_keeps_the_rest_of_what_was_typed(client, coordinator):
    client.force_login(coordinator)
    week = datetime.date.today().isoformat()
    response = client.post(
        "/uren/", {"week": week, "uren_algemeen": "2\x00", "notitie": "Over\x00leg"}
    )
    assert response.status_code == 302
    uren = CoordinatieUren.objects.get(coordinator=coordinator)
    assert (uren.uren, uren.notitie) == (2, "Overleg")
