"""Proves that two application servers share one truth; run by .ci/topology.sh.

    topology_check.py URL_A URL_B MAILDIR

The servers, the worker and this script share one environment (DATABASE_URL,
CACHE_URL, ...); the test organisation and its two coordinators come from
TOPO_SLUG, TOPO_EMAIL_A, TOPO_EMAIL_B and TOPO_PASSWORD. Standard library only.

1. A session made on A is valid on B (and logging out on B ends it on A).
2. Five failed logins for one account, spread A, B, A, B, A, lock it: the right
   password on B is then refused with 429; another account still logs in.
3. The public sign-up limit (5 per address per hour) counts over both servers.
4. Every successful sign-up enqueues one notice mail and one confirmation;
   the worker runs each task once: two mails per sign-up, each notice task
   SUCCESSFUL once.
"""

from __future__ import annotations

import email.message
import http.cookiejar
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 20  # seconds per HTTP request
LIMIT_MESSAGE = "Er zijn vanaf dit adres in korte tijd veel aanmeldingen verstuurd"
PUBLIC_LIMIT = 5
FAILURE_LIMIT = 5
TASK_WAIT = 30  # seconds for the worker to send all notices
SETTLE = 3  # seconds more, to see that nothing runs twice


class Failure(Exception):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


class _Hidden(HTMLParser):
    """The hidden inputs of a page, name -> value (the last one wins)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""


def hidden_inputs(html: str) -> dict[str, str]:
    parser = _Hidden()
    parser.feed(html)
    return parser.values


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.text = body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("Location") or "").path


class Client:
    """One browser against one server: its own cookie jar, no redirects followed."""

    def __init__(self, base: str, name: str):
        self.base = base.rstrip("/")
        self.name = name
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, path: str, data: dict | list | None = None) -> Response:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read())

    def form(self, path: str) -> dict[str, str]:
        """GET a page with a form: its hidden fields (CSRF token, one-time token)."""
        page = self.request(path)
        expect(page.status == 200, f"GET {self.name}{path}: {page.status}, verwacht 200")
        hidden = hidden_inputs(page.text)
        expect("csrfmiddlewaretoken" in hidden, f"GET {self.name}{path}: geen CSRF-token")
        return hidden

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def login(self, username: str, password: str) -> Response:
        hidden = self.form("/inloggen/")
        return self.request(
            "/inloggen/",
            {
                "csrfmiddlewaretoken": hidden["csrfmiddlewaretoken"],
                "next": hidden.get("next", ""),
                "username": username,
                "password": password,
            },
        )


def django(code: str) -> dict:
    """Run Python in a Django shell with the servers' environment; its last
    output line is JSON."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise Failure(f"manage.py shell faalde:\n{result.stderr[-2000:]}")
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    expect(bool(lines), f"manage.py shell gaf geen JSON:\n{result.stdout[-2000:]}")
    return json.loads(lines[-1])


FIGURES = """
import json, os
from axes.models import AccessAttempt
from django_tasks_db.models import DBTaskResult
from gezinnen.models import Steungezin
emails = {os.environ["TOPO_EMAIL_A"], os.environ["TOPO_EMAIL_B"]}
tasks = [
    {"status": t.status, "workers": len(t.worker_ids), "started": t.started_at is not None,
     "value": t.return_value}
    for t in DBTaskResult.objects.filter(task_path__endswith="mail_versturen")
    if emails & set(t.args_kwargs["args"][2] if len(t.args_kwargs["args"]) > 2
                    else t.args_kwargs["kwargs"].get("aan", []))
]
attempts = list(AccessAttempt.objects.filter(username=os.environ["TOPO_EMAIL_B"])
                .values_list("failures_since_start", flat=True))
print(json.dumps({
    "steungezinnen": Steungezin.objects.filter(organisatie__slug=os.environ["TOPO_SLUG"]).count(),
    "tasks": tasks,
    "attempts": attempts,
}))
"""


def check_session(url_a: str, url_b: str, email_a: str, password: str) -> str:
    a = Client(url_a, "A")
    answer = a.login(email_a, password)
    expect(
        answer.status == 302 and answer.location == "/",
        f"inloggen op A: {answer.status} naar {answer.location!r}, verwacht 302 naar /",
    )
    expect(a.cookie("sessionid") is not None, "inloggen op A gaf geen sessiecookie")

    b = Client(url_b, "B")
    anonymous = b.request("/")
    expect(
        anonymous.status == 302 and anonymous.location == "/inloggen/",
        f"B zonder cookie: {anonymous.status}, verwacht 302 naar /inloggen/",
    )
    for cookie in a.jar:  # the same browser, now talking to B
        b.jar.set_cookie(cookie)
    page = b.request("/")
    expect(page.status == 200, f"B met de sessie van A: {page.status} naar {page.location!r}")
    expect("Anna Topologie" in page.text, "B met de sessie van A: niet als Anna ingelogd")

    # Logging out on B ends the session on A too.
    token = hidden_inputs(page.text).get("csrfmiddlewaretoken")
    expect(token is not None, "B: geen CSRF-token in het uitlogformulier")
    out = b.request("/uitloggen/", {"csrfmiddlewaretoken": token})
    expect(out.status == 302, f"uitloggen op B: {out.status}, verwacht 302")
    after = a.request("/")
    expect(
        after.status == 302 and after.location == "/inloggen/",
        f"A na uitloggen op B: {after.status}, verwacht 302 naar /inloggen/",
    )
    return "sessie A→B: ok (200 op B met de cookie van A; uitloggen op B beëindigt A)"


def check_lockout(url_a: str, url_b: str, email_a: str, email_b: str, password: str) -> str:
    clients = {"A": Client(url_a, "A"), "B": Client(url_b, "B")}
    order = "ABABA"
    statuses = []
    for i, server in enumerate(order, 1):
        answer = clients[server].login(email_b, f"fout-{i}")
        statuses.append(f"{server}:{answer.status}")
        expect(
            clients[server].cookie("sessionid") is None,
            f"mislukte poging {i} op {server} gaf een sessie",
        )
        if i < FAILURE_LIMIT:
            expect(
                answer.status == 200 and "Deze combinatie" in answer.text,
                f"mislukte poging {i} op {server}: {answer.status}, verwacht 200 met foutmelding",
            )
        else:
            expect(answer.status in (200, 429), f"poging {i} op {server}: {answer.status}")

    # One counter in the database for both servers, before the sixth attempt
    # (axes counts an attempt on a locked account as one more failure).
    failures = django(FIGURES)["attempts"]
    expect(
        failures == [FAILURE_LIMIT],
        f"axes telt {failures} mislukte pogingen, verwacht [{FAILURE_LIMIT}] (één teller)",
    )

    right = Client(url_b, "B").login(email_b, password)
    expect(
        right.status == 429,
        f"goed wachtwoord op B na {FAILURE_LIMIT} fouten over A en B: {right.status}, "
        "verwacht 429 (geblokkeerd)",
    )
    expect("Tijdelijk geblokkeerd" in right.text, "429 zonder de blokkeerpagina")

    other = Client(url_b, "B")
    answer = other.login(email_a, password)
    expect(
        answer.status == 302 and other.cookie("sessionid") is not None,
        f"ander account op B: {answer.status}, verwacht 302 (alleen dit account is geblokkeerd)",
    )
    return (
        f"lock-out na {FAILURE_LIMIT} pogingen over 2 servers ({' '.join(statuses)}): "
        f"ok (6e met goed wachtwoord op B: {right.status}; axes-teller in de database: "
        f"{failures[0]}; ander account: 302)"
    )


def signup_data(hidden: dict[str, str], i: int) -> dict:
    return {
        "csrfmiddlewaretoken": hidden["csrfmiddlewaretoken"],
        "inzending": hidden.get("inzending", ""),
        "naam": f"Topologie{i}",
        "straat": "Lindelaan",
        "huisnummer": str(i + 1),
        "postcode": "7552 CD",
        "plaats": "Hengelo",
        "telefoon": "06 23456789",
        "email": f"gezin{i}@topologie.example",
        "motivatie": "Wij hebben tijd en ruimte over.",
        "aanbod": ["speelmiddag"],
        "beschikbaarheid": ["wo_middag"],
        "max_kinderen": "2",
        "leeftijd_van": "2",
        "leeftijd_tot": "10",
        "toestemming": "on",
        "website": "",
        "leden-TOTAL_FORMS": "2",
        "leden-INITIAL_FORMS": "0",
        "leden-MIN_NUM_FORMS": "0",
        "leden-MAX_NUM_FORMS": "1000",
        "leden-0-voornaam": "Els",
        "leden-0-achternaam": f"Topologie{i}",
        "leden-0-soort": "volwassene",
        "leden-0-geboortedatum": "1970-01-01",
    }


def check_signup_limit(url_a: str, url_b: str, slug: str) -> tuple[str, int, float]:
    path = f"/aanmelden/{slug}/steungezin/"
    thanks = f"/aanmelden/{slug}/bedankt/"
    clients = {"A": Client(url_a, "A"), "B": Client(url_b, "B")}
    accepted, refused = [], []
    last_accepted = 0.0
    for i, server in enumerate("ABABABA"):  # 7 attempts: 5 allowed, 2 refused
        client = clients[server]
        answer = client.request(path, signup_data(client.form(path), i))
        if i < PUBLIC_LIMIT:
            expect(
                answer.status == 302 and answer.location == thanks,
                f"aanmelding {i + 1} op {server}: {answer.status} naar {answer.location!r}, "
                f"verwacht 302 naar {thanks}"
                + (" (limiet al bereikt)" if LIMIT_MESSAGE in answer.text else ""),
            )
            accepted.append(server)
            last_accepted = time.time()
        else:
            expect(
                answer.status == 200 and LIMIT_MESSAGE in answer.text,
                f"aanmelding {i + 1} op {server}: {answer.status}, verwacht de limietmelding",
            )
            refused.append(server)
    created = django(FIGURES)["steungezinnen"]
    expect(
        created == PUBLIC_LIMIT,
        f"{created} steungezinnen in de database, verwacht {PUBLIC_LIMIT}",
    )
    return (
        (
            f"aanmeldlimiet over 2 servers: {len(accepted)} toegestaan ({''.join(accepted)}), "
            f"{len(refused)} geweigerd ({''.join(refused)}), {created} in de database"
        ),
        created,
        last_accepted,
    )


def mail_messages(maildir: Path) -> tuple[list[Path], list[email.message.Message]]:
    """The files and the messages in them. Django's file backend names a file
    after the second and the connection object, so two mails sent in the same
    second can share a file: count messages, not files."""
    files = sorted(p for p in maildir.iterdir() if p.is_file())
    messages = []
    for path in files:
        # Each message is followed by a line of 79 dashes.
        raw = path.read_text(encoding="utf-8", errors="replace")
        messages += [
            email.message_from_string(chunk.strip())
            for chunk in raw.split("\n" + "-" * 79 + "\n")
            if chunk.strip()
        ]
    return files, messages


def check_tasks(maildir: Path, signups: int, last_signup: float, email_a: str, email_b: str) -> str:
    start = time.monotonic()
    # Each sign-up: the notice to the coordinators and the family's confirmation.
    while len(mail_messages(maildir)[1]) < 2 * signups and time.monotonic() - start < TASK_WAIT:
        time.sleep(0.5)
    time.sleep(SETTLE)  # a task run twice would show up now

    files, messages = mail_messages(maildir)
    last_mail = max((p.stat().st_mtime for p in files), default=time.time())
    notices = [m for m in messages if (m["Subject"] or "").startswith("Nieuwe aanmelding")]
    confirmed = sorted(m["To"] or "" for m in messages if m not in notices)
    expect(
        len(messages) == 2 * signups and len(notices) == signups,
        f"{len(messages)} mails ({len(notices)} meldingen) na {time.monotonic() - start:.0f} s, "
        f"verwacht {2 * signups} ({signups} meldingen en {signups} bevestigingen)",
    )
    expect(
        len(set(confirmed)) == len(confirmed) == signups
        and all(to.endswith("@topologie.example") for to in confirmed),
        f"niet elk aangemeld gezin kreeg precies één bevestiging: {confirmed}",
    )
    recipients = [m["To"] or "" for m in notices]
    expect(
        all(email_a in to and email_b in to for to in recipients),
        f"niet elke melding ging in één bericht naar beide coördinatoren: {recipients}",
    )

    tasks = django(FIGURES)["tasks"]
    successful = [t for t in tasks if t["status"] == "SUCCESSFUL"]
    expect(
        len(tasks) == signups,
        f"{len(tasks)} mailtaken in de database, verwacht {signups}: {tasks}",
    )
    expect(
        len(successful) == signups
        and all(t["workers"] == 1 and t["started"] and t["value"] == 1 for t in successful),
        f"niet elke taak precies één keer SUCCESSFUL door één worker: {tasks}",
    )
    return (
        f"meldingstaken: {len(tasks)} in wachtrij, {len(successful)} uitgevoerd (elk 1×), "
        f"{len(messages)} mails (in {len(files)} bestanden), de laatste "
        f"{last_mail - last_signup:.1f} s na de laatste aanmelding; na nog {SETTLE} s geen extra"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    url_a, url_b, maildir = argv[1], argv[2], Path(argv[3])
    slug = os.environ["TOPO_SLUG"]
    email_a, email_b = os.environ["TOPO_EMAIL_A"], os.environ["TOPO_EMAIL_B"]
    password = os.environ["TOPO_PASSWORD"]
    started = time.monotonic()
    lines = []
    try:
        lines.append(check_session(url_a, url_b, email_a, password))
        print(lines[-1], flush=True)
        lines.append(check_lockout(url_a, url_b, email_a, email_b, password))
        print(lines[-1], flush=True)
        line, created, last_signup = check_signup_limit(url_a, url_b, slug)
        lines.append(line)
        print(line, flush=True)
        lines.append(check_tasks(maildir, created, last_signup, email_a, email_b))
        print(lines[-1], flush=True)
    except (Failure, OSError, subprocess.SubprocessError) as error:
        print(f"MISLUKT: {error}", file=sys.stderr)
        return 1
    print(f"topologiecontrole: alles ok in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
