"""WCAG 2.1 A and AA, checked by axe-core in Chromium: every page of every
role, every form in its error state, the back office and the 404 page.

The pages come from the URL patterns (tests/sweep.py), so a new page is
checked without a new line here; ``test_the_sweep_covers_every_pattern``
fails for a pattern that is neither visited nor named as not a page.
axe-core comes from node_modules (``npm ci``, pinned in package-lock.json),
never from the internet. Without it the module is skipped, in CI it fails.

Each role is one test: its records are made once, it visits all its pages
and reports every violation together.
"""

import os
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEntry
from tests.sweep import ALL, fill
from tests.test_url_sweep import (
    COORDINATOR_ONLY,
    POST_ONLY,
    PUBLIC,
    TEAM,
    url_for,
    values,  # noqa: F401  (the records the pages show)
)

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_MISSING = f"axe-core ontbreekt ({AXE}): 'npm ci' (of 'make test') installeert het."
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Patterns that are no HTML page for a person: files, feeds, machine answers,
# and steps that only take a POST or only redirect.
NOT_A_PAGE = {
    "accounts:logout": "POST only",
    "admin:logout": "logs out and redirects",
    "admin:autocomplete": "JSON",
    "admin:jsi18n": "JavaScript",
    "admin:view_on_site": "redirects to the record's page",
    "matching:agenda-feed": "iCalendar",
    "reports:evaluatieverslag": "PDF",
    "reports:inzage": "PDF",
    "matching:document": "the document itself, as a download",
    "reports:export-vraaggezinnen": "CSV/XLSX",
    "reports:export-steungezinnen": "CSV/XLSX",
    "reports:export-koppelingen": "CSV/XLSX",
    "importeren:sjabloon": "XLSX",
    "health": "for the load balancer",
    "/beheer/{path:url}": "the back office's catch-all: the 404 below",
    **dict.fromkeys(POST_ONLY, "POST only"),
}
# The back office's unnamed old change URLs only redirect to the new ones.
NOT_A_PAGE |= {
    name: "redirects to the change page"
    for name, template, _ in ALL
    if name == template and name.endswith("/{path:object_id}/")
}

# Pages of the accounts app for someone logged in, and a step of the login
# that only exists halfway through it.
ACCOUNT_PAGES = {
    "home",
    "accounts:password-change",
    "accounts:password-change-done",
    "accounts:tweestaps",
    "accounts:tweestaps-instellen",
    "accounts:tweestaps-herstelcodes",
}
HALFWAY_LOGIN = [(n, t) for n, t, _ in ALL if n == "accounts:tweestaps-code"]
BACK_OFFICE = [
    (name, template)
    for name, template, _ in ALL
    if template.startswith("/beheer/") and name not in PUBLIC and name not in NOT_A_PAGE
]
COORDINATOR_PAGES = [
    (name, template)
    for name, template, _ in ALL
    if (name, template) in COORDINATOR_ONLY or name in TEAM or name in ACCOUNT_PAGES
    if name not in NOT_A_PAGE
]
TEAM_PAGES = [
    (name, template)
    for name, template, _ in ALL
    if (name in TEAM or name in ACCOUNT_PAGES) and name not in NOT_A_PAGE
]
PUBLIC_PAGES = [(n, t) for n, t, _ in ALL if n in PUBLIC and n not in NOT_A_PAGE]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The app's Content-Security-Policy rightly refuses an injected script.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def axe(page):
    """``axe(label)``: the violations on the page now, as readable lines."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(AXE_MISSING)
        pytest.skip(AXE_MISSING)

    def run(label: str) -> list[str]:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            """tags => axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
            })""",
            WCAG21_AA,
        )
        unlinked = page.evaluate(UNLINKED_ERRORS)
        return [
            f"{label}: {violation['id']} ({violation['impact']}) {', '.join(node['target'])}"
            + measured(node)
            for violation in result["violations"]
            for node in violation["nodes"]
        ] + [f"{label}: foutmelding niet gekoppeld (serious) {field}" for field in unlinked]

    return run


# Not an axe rule: every field marked invalid, each radio button and checkbox
# of a group too, names its error message in aria-describedby (WCAG 3.3.1).
UNLINKED_ERRORS = """() => [...document.querySelectorAll('.is-invalid, [aria-invalid=true]')]
    .filter(field => field.matches('input, select, textarea'))
    .filter(field => !(field.getAttribute('aria-describedby') || '').split(' ')
        .some(id => id && document.getElementById(id)?.textContent.trim()))
    .map(field => `[name=${field.name}]` + (field.type === 'radio' ? `[value=${field.value}]` : ''))
"""


def measured(node: dict) -> str:
    """What axe measured for a contrast failure: the colours and their ratio."""
    for check in node["any"]:
        data = check.get("data") or {}
        if isinstance(data, dict) and "contrastRatio" in data:
            return f" [{data['fgColor']} op {data['bgColor']}: {data['contrastRatio']}:1]"
    return ""


@pytest.fixture
def sweep(page, live_server, axe):
    """``sweep(pages)``: visit each (label, url), expect a page, check it, then
    each of its forms submitted empty; every violation, as one list."""

    seen = set()  # pages that redirect to one already checked are not checked twice
    submitted = set()  # the forms' actions, each submitted empty once

    def visit(url: str, label: str, status: int = 200) -> list[str]:
        response = page.goto(live_server.url + url)
        if response.status != status:
            return [f"{label}: {url} gaf {response.status}, niet {status}"]
        if page.url in seen:
            return []
        seen.add(page.url)
        return axe(label)

    def error_states(url: str, label: str) -> list[str]:
        found = []
        page.goto(live_server.url + url)
        if page.url != live_server.url + url:
            return []  # a redirect: the forms of the page it leads to count there
        actions = page.locator(FORMS).evaluate_all("forms => forms.map(form => form.action)")
        away = False
        for index, action in enumerate(actions):
            if action in submitted:
                continue  # the same form on another page (a screening in parts)
            submitted.add(action)
            if away:
                page.goto(live_server.url + url)
            with page.expect_navigation():
                page.locator(FORMS).nth(index).evaluate(SUBMIT_EMPTY)
            away = True
            found += axe(f"{label} (formulier {index + 1} leeg verstuurd)")
        return found

    def sweep(pages: list[tuple[str, str]], forms_of=lambda name: True) -> list[str]:
        found = []
        for label, url in pages:
            found += visit(url, label)
        # Empty forms last: one that an empty submit accepts may change a record.
        for label, url in pages:
            if forms_of(label):
                found += error_states(url, label)
        return found

    sweep.visit = visit
    return sweep


# The forms that post to the page, with a field a person fills in (not the
# logout button or a one-click action).
FORMS = (
    "main form[method=post]:has(input:not([type=hidden]):not([type=submit]):not([type=button]),"
    " select, textarea)"
)
SUBMIT_EMPTY = """form => {
    form.noValidate = true;
    for (const field of form.elements) {
        if (field.type === 'hidden' || field.type === 'submit' || field.type === 'button') continue;
        if (field.type === 'checkbox' || field.type === 'radio') field.checked = false;
        else if (field.tagName === 'SELECT') field.selectedIndex = -1;
        else field.value = '';
    }
    form.requestSubmit(form.querySelector('[type=submit]'));
}"""


def logged_in(page, live_server, user, log_in_verified=None) -> None:
    """The browser carries the session of ``user``, as after a login."""
    client = Client()
    if log_in_verified:
        log_in_verified(client, user)
    else:
        client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def assert_none(violations: list[str]) -> None:
    # pytest.fail, not assert: pytest would cut a long list short.
    if violations:
        pytest.fail(f"{len(violations)} toegankelijkheidsfouten:\n" + "\n".join(violations))


def test_the_sweep_covers_every_pattern():
    visited = {name for name, _ in COORDINATOR_PAGES + BACK_OFFICE + PUBLIC_PAGES + HALFWAY_LOGIN}
    every = {name for name, _, _ in ALL}
    assert every - visited - set(NOT_A_PAGE) == set()


def test_every_coordinator_page_is_accessible(page, live_server, sweep, coordinator, values):  # noqa: F811
    logged_in(page, live_server, coordinator)
    pages = [(name, url_for(name, template, values)) for name, template in COORDINATOR_PAGES]
    violations = sweep(pages)
    violations += sweep.visit("/bestaat-niet/", "404", status=404)
    assert_none(violations)


def test_the_search_results_and_their_messages_are_accessible(
    page,
    live_server,
    sweep,
    coordinator,
    values,  # noqa: F811
):
    """The search page sweeps without a term; here what it found, and a refusal."""
    logged_in(page, live_server, coordinator)
    violations = sweep.visit(f"/zoeken/?q={values['vraaggezin_naam']}", "zoeken")
    violations += sweep.visit("/zoeken/?q=Lid", "zoeken, veel gevonden")
    violations += sweep.visit("/zoeken/?q=a", "zoeken, te kort")
    assert_none(violations)


def test_the_history_of_corrections_is_accessible(
    page,
    live_server,
    axe,
    coordinator,
    values,  # noqa: F811
):
    """The koppeling, hours and screening pages with a corrected and a
    withdrawn item, their histories opened."""
    from decimal import Decimal

    from matching.correcties import corrigeren, intrekken
    from matching.models import Contactmoment, CoordinatieUren

    contact = Contactmoment.objects.get(pk=values["contactmoment"])
    corrigeren(door=coordinator, item=contact, reden="Typfout", verloop="zorgen")
    weg = Contactmoment.objects.create(
        koppeling=contact.koppeling, met="beide", hoe="telefoon", verloop="goed", door=coordinator
    )
    intrekken(door=coordinator, item=weg, reden="Dubbel")
    regel = CoordinatieUren.objects.get(pk=values["uren"])
    corrigeren(door=coordinator, item=regel, reden="Te veel", uren=Decimal("1"))
    # And the screening page: a reference corrected, a training attendance withdrawn.
    from screening.models import Referentie, TrainingDeelname

    referentie = Referentie.objects.get(pk=values["referentie"])
    corrigeren(door=coordinator, item=referentie, reden="Typfout", naam="Buurvrouw Ria")
    intrekken(
        door=coordinator, item=TrainingDeelname.objects.get(pk=values["deelname"]), reden="Niet"
    )
    logged_in(page, live_server, coordinator)
    violations = []
    for label, url in (
        ("koppeling met geschiedenis", f"/koppelingen/{values['koppeling']}/"),
        ("uren met geschiedenis", "/uren/"),
        ("screening met geschiedenis", f"/steungezinnen/{values['steungezin']}/screening/"),
    ):
        page.goto(live_server.url + url)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        violations += axe(label)
    assert_none(violations)


def test_every_page_of_a_volunteer_coordinator_is_accessible(
    page,
    live_server,
    sweep,
    vrijwilliger,
    values,  # noqa: F811
):
    logged_in(page, live_server, vrijwilliger)
    pages = [(name, url_for(name, template, values)) for name, template in TEAM_PAGES]
    violations = sweep(pages)
    assert_none(violations)


def test_every_public_page_is_accessible(page, live_server, sweep, organisatie):
    pages = [
        (name, fill(template, {"organisatie": organisatie.slug})) for name, template in PUBLIC_PAGES
    ]
    violations = sweep(pages)
    violations += sweep.visit("/bestaat-niet/", "404", status=404)
    assert_none(violations)


def back_office_records(superuser, organisatie) -> dict[str, object]:
    """A record of every model of the back office, by the model's URL prefix."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from accounts.tasks import mail_versturen
    from matching.models import EindReden
    from screening.models import Criterium
    from tests.factories import WijkFactory

    Group.objects.create(name="Coördinatoren")
    attempt = {"username": "iemand@example.nl", "ip_address": "127.0.0.1", "path_info": "/"}
    AccessAttempt.objects.create(**attempt, failures_since_start=1)
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt)
    AuditEntry.objects.create(user=superuser, action=AuditEntry.Action.VIEW)
    WijkFactory(organisatie=organisatie)
    EindReden.objects.voor(organisatie)
    Criterium.objects.create(organisatie=organisatie, tekst="Woont in de gemeente")
    mail_versturen.enqueue("Onderwerp", "Tekst", ["iemand@example.nl"])
    return {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_": model._default_manager.first()
        for model in apps.get_models()
    }


def back_office_pages(records: dict, superuser) -> list[tuple[str, str]]:
    """The back office's pages with a real record each, less those that it
    refuses everyone (adding or deleting audit entries, login attempts, tasks)."""
    request = RequestFactory().get("/beheer/")
    request.user = superuser
    allowed = {
        "add": lambda model_admin, record: model_admin.has_add_permission(request),
        "delete": lambda model_admin, record: model_admin.has_delete_permission(request, record),
    }
    pages = []
    for name, template in BACK_OFFICE:
        prefix, record = next(
            ((p, r) for p, r in records.items() if name.startswith(p)), ("", None)
        )
        model_admin = record and admin.site._registry.get(type(record))
        action = name.removeprefix(prefix)
        if model_admin and action in allowed and not allowed[action](model_admin, record):
            continue
        ids = {"object_id": record.pk if record else "", "id": superuser.pk}
        pages.append((name, fill(template, ids)))
    return pages


def back_office_form(name: str) -> bool:
    """Whether the page is one of the back office's forms (add, change,
    password, a list with editable columns), not a list's search or actions."""
    editable = {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        for model, model_admin in admin.site._registry.items()
        if model_admin.list_editable
    }
    return name.endswith(("_add", "_change", "password_change")) or name in editable


def test_every_back_office_page_is_accessible(
    page, live_server, sweep, settings, superuser, organisatie, log_in_verified
):
    # The task results as in production: in the database, not run at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    records = back_office_records(superuser, organisatie)
    # A superuser always logs in with a code: first the step that asks for it.
    TOTPDevice.objects.create(user=superuser, name="app", confirmed=True)
    logged_in(page, live_server, superuser)
    violations = sweep([(name, fill(template)) for name, template in HALFWAY_LOGIN])
    logged_in(page, live_server, superuser, log_in_verified)
    violations += sweep(back_office_pages(records, superuser), forms_of=back_office_form)
    violations += sweep.visit("/beheer/bestaat-niet/", "404 in de backoffice", status=404)
    assert_none(violations)
