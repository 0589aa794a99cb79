"""`make bench` and `make load`: a national dataset in a database of its own,
then every coordinator page timed through the test client (bench) or a locust
load test against gunicorn (load). Prints figures; asserts nothing.

Run as `manage.py bench`, the command creates the database (PostgreSQL, or
bench.sqlite3 when none is reachable), migrates it and runs itself with
`--intern` in a child process whose DATABASE_URL points at it: the settings
read DATABASE_URL at import. The database is dropped afterwards, also on an
error or Ctrl-C."""

import csv
import datetime
import itertools
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEntry, AuditGezin, Organisatie, User
from gezinnen.models import Gezin, Gezinslid, Steungezin, Vraaggezin, Wijk, WijkPeriode, today
from matching.models import (
    Contactmoment,
    CoordinatieUren,
    Evaluatie,
    Koppeling,
    volgende_evaluatie,
)
from screening.models import VOG, Referentie, ScreeningGesprek
from screening.stand import verouderde_bijwerken

ADMIN_URL = "postgres://sg:sg@127.0.0.1:5432/postgres"
SQLITE_FILE = "bench.sqlite3"
# Every generated coordinator has it: the load test logs in with it.
PASSWORD = "bench-wachtwoord"
BATCH = 5000
LOCUSTFILE = Path(__file__).parents[2] / "locustfile.py"


@dataclass(frozen=True)
class Sizes:
    """The national dataset of issue 14 at ``schaal`` 1: 200 organisations,
    about 20,000 families of which 2,000 in the biggest."""

    organisaties: int
    grootste: int
    overige: int

    @classmethod
    def at(cls, schaal: float) -> "Sizes":
        return cls(
            organisaties=max(2, round(200 * schaal)),
            grootste=max(20, round(2000 * schaal)),
            overige=max(10, round(90 * schaal)),
        )

    def families(self, index: int) -> int:
        return self.grootste if index == 0 else self.overige


class Command(BaseCommand):
    help = (
        "Maakt een landelijke dataset in een eigen database en meet elke pagina "
        "(of, met --load, de doorvoer onder gunicorn met locust)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database-url",
            default=os.environ.get("BENCH_DATABASE_URL", ADMIN_URL),
            help="PostgreSQL om een database in te maken (standaard $BENCH_DATABASE_URL of "
            f"{ADMIN_URL}).",
        )
        parser.add_argument(
            "--schaal",
            type=float,
            help="1 = 200 organisaties, 20.000 gezinnen (standaard 1, met --load 0,25).",
        )
        parser.add_argument("--runs", type=int, default=15)
        parser.add_argument("--warmup", type=int, default=2)
        parser.add_argument("--load", action="store_true", help="locust tegen gunicorn")
        parser.add_argument("--gebruikers", default="1,4,8,16", help="gelijktijdige gebruikers")
        parser.add_argument("--duur", type=int, default=30, help="seconden per aantal gebruikers")
        parser.add_argument("--intern", action="store_true", help="op de ingestelde database")
        parser.add_argument(
            "--bestaand",
            action="store_true",
            help="met --intern: meet op de gegevens die er al zijn (van een eerdere --intern)",
        )
        parser.add_argument(
            "--pagina",
            action="append",
            default=[],
            help="meet alleen deze pagina('s), bijvoorbeeld --pagina dashboard",
        )

    def handle(self, *args, intern: bool, **options) -> None:
        if options["schaal"] is None:
            options["schaal"] = 0.25 if options["load"] else 1.0
        if intern:
            self._run(**options)
        else:
            self._in_own_database(**options)

    # The database of its own -------------------------------------------------

    def _in_own_database(self, *, database_url: str, **options) -> None:
        forwarded = ["--schaal", str(options["schaal"]), "--runs", str(options["runs"])]
        forwarded += ["--warmup", str(options["warmup"]), "--duur", str(options["duur"])]
        forwarded += [
            "--gebruikers",
            options["gebruikers"],
            *(["--load"] if options["load"] else []),
        ]
        forwarded += [arg for pagina in options["pagina"] for arg in ("--pagina", pagina)]
        admin = _postgres(database_url)
        name = f"steungezinnen_bench_{os.getpid()}"
        if admin is None:
            self.stdout.write(
                f"Geen PostgreSQL bereikbaar op {_without_password(database_url)}: "
                f"de benchmark draait op SQLite ({SQLITE_FILE})."
            )
            Path(SQLITE_FILE).unlink(missing_ok=True)
            url = f"sqlite:///{SQLITE_FILE}"
        else:
            admin.execute(f'CREATE DATABASE "{name}"')
            url = urlsplit(database_url)._replace(path=f"/{name}").geturl()
            self.stdout.write(f"Database {name} gemaakt.")
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        try:
            subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
            subprocess.run([*manage, "bench", "--intern", *forwarded], env=env, check=True)
        except subprocess.CalledProcessError as error:
            raise CommandError("De benchmark is mislukt (zie hierboven).") from error
        finally:
            if admin is not None:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()
                self.stdout.write(f"Database {name} verwijderd.")

    # In the child: generate, then measure ------------------------------------

    def _run(
        self, *, schaal: float, runs: int, warmup: int, load: bool, bestaand: bool, **options
    ) -> None:
        if bestaand and Gezin.objects.exists():
            organisaties = list(Organisatie.objects.order_by("pk"))
            if load:
                self._load(
                    organisaties, [int(n) for n in options["gebruikers"].split(",")], **options
                )
            else:
                self._pages(organisaties[:2], runs=runs, warmup=warmup, alleen=options["pagina"])
            return
        if Gezin.objects.exists():
            raise CommandError(
                "De database bevat al gezinnen. Draai de benchmark op een lege database "
                "(make bench maakt er zelf een)."
            )
        sizes = Sizes.at(schaal)
        started = time.perf_counter()
        organisaties = _generate(sizes)
        if connection.vendor == "postgresql":
            # What autovacuum would have done by now in a database that grew
            # over the years: the planner's statistics of the loaded tables.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Gegevens gemaakt in {time.perf_counter() - started:.0f} s "
            f"({connection.vendor}, schaal {schaal:g}):"
        )
        for model in (
            Organisatie,
            Gezin,
            Gezinslid,
            Koppeling,
            Contactmoment,
            VOG,
            AuditEntry,
            CoordinatieUren,
        ):
            self.stdout.write(f"  {model._meta.verbose_name_plural:<22}{model.objects.count():>9}")
        active = Koppeling.objects.filter(organisatie=organisaties[0], status="actief").count()
        self.stdout.write(
            f"  grootste organisatie: {sizes.grootste} gezinnen, {active} lopende koppelingen; "
            f"kleine: {sizes.overige} gezinnen"
        )
        if load:
            self._load(organisaties, [int(n) for n in options["gebruikers"].split(",")], **options)
        else:
            self._pages(organisaties[:2], runs=runs, warmup=warmup, alleen=options["pagina"])

    def _pages(
        self, organisaties: list[Organisatie], *, runs: int, warmup: int, alleen: list[str]
    ) -> None:
        superuser = User.objects.filter(email="root@bench.example").first()
        superuser = superuser or User.objects.create_superuser(
            "root@bench.example", PASSWORD, first_name="Sam", last_name="Super"
        )
        self.stdout.write(
            f"\n{runs} keer per pagina, na {warmup} keer opwarmen; "
            "SQL = de tijd van de queries zelf, verhouding = mediaan ÷ SQL.\n"
        )
        self.stdout.write(
            f"{'pagina':<26}{'organisatie':<14}{'mediaan':>9}{'p95':>9}"
            f"{'queries':>9}{'SQL':>9}{'verh.':>7}"
        )
        with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
            for organisatie, label in zip(organisaties, ("grootste", "klein"), strict=True):
                coordinator = User.objects.filter(organisatie=organisatie).first()
                client = Client()
                client.force_login(coordinator)
                admin = Client()
                _log_in_verified(admin, superuser)
                for name, url in _urls(organisatie):
                    if alleen and name not in alleen:
                        continue
                    by = admin if name == "auditlog (superuser)" else client
                    wall, sql, queries = _measure(by, url, runs=runs, warmup=warmup, name=name)
                    self.stdout.write(
                        f"{name:<26}{label:<14}{_ms(statistics.median(wall)):>9}"
                        f"{_ms(_p95(wall)):>9}{queries:>9}{_ms(statistics.median(sql)):>9}"
                        f"{statistics.median(wall) / max(statistics.median(sql), 1e-6):>7.1f}"
                    )

    def _load(self, organisaties: list[Organisatie], levels: list[int], *, duur: int, **_) -> None:
        locust = Path(sys.executable).parent / "locust"
        if not locust.exists():
            raise CommandError(
                "locust ontbreekt: `make load` installeert het (pip install '.[load]')."
            )
        port = _free_port()
        with tempfile.TemporaryDirectory() as work:
            plan = Path(work) / "plan.json"
            plan.write_text(json.dumps({"password": PASSWORD, "coordinators": _plan(organisaties)}))
            env = _production_env(Path(work))
            self.stdout.write("\nStatische bestanden verzamelen (DEBUG uit: met manifest) ...")
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=settings.BASE_DIR,
                env=env,
                check=True,
            )
            bind = ["-b", f"127.0.0.1:{port}", "--log-level", "warning"]
            gunicorn = subprocess.Popen(
                [Path(sys.executable).parent / "gunicorn", "steungezinnen.wsgi", "-w", "4", *bind],
                cwd=settings.BASE_DIR,
                env=env,
            )
            try:
                _wait_for(f"http://127.0.0.1:{port}/inloggen/")
                self.stdout.write(
                    f"\ngunicorn (4 workers, DEBUG uit), {duur} s per aantal gebruikers, "
                    "zonder denktijd; elk antwoord dat geen 200 is telt als fout\n"
                )
                self.stdout.write(
                    f"{'gebruikers':>10}{'verzoeken':>11}{'req/s':>8}{'p50':>8}{'p95':>8}"
                    f"{'p99':>8}{'fouten':>8}"
                )
                for users in levels:
                    prefix = Path(work) / f"u{users}"
                    run = ["--headless", "--only-summary", "-t", f"{duur}s", "--csv", prefix]
                    # All users start at once; the figures count from then on,
                    # not the logins before (Argon2 is slow on purpose).
                    run += ["-u", str(users), "-r", str(users), "--reset-stats"]
                    run += ["--host", f"http://127.0.0.1:{port}"]
                    done = subprocess.run(
                        [locust, "-f", LOCUSTFILE, *run, "--loglevel", "WARNING"],
                        env={**os.environ, "BENCH_LOAD_PLAN": str(plan)},
                        check=False,
                        capture_output=True,
                        text=True,
                    )
                    stats = Path(f"{prefix}_stats.csv")
                    row = _aggregated(stats) if stats.exists() else {"Request Count": "0"}
                    if row["Request Count"] == "0":
                        raise CommandError(f"locust deed geen verzoeken:\n{done.stderr[-3000:]}")
                    if errors := _rows(Path(f"{prefix}_exceptions.csv")):
                        raise CommandError(
                            "locust meldt fouten: "
                            + "; ".join(f"{e['Count']} × {e['Message']}" for e in errors)
                        )
                    self.stdout.write(
                        f"{users:>10}{row['Request Count']:>11}{float(row['Requests/s']):>8.1f}"
                        f"{row['50%']:>6}ms{row['95%']:>6}ms{row['99%']:>6}ms"
                        f"{row['Failure Count']:>8}"
                    )
                    for failure in _rows(Path(f"{prefix}_failures.csv")):
                        self.stdout.write(
                            f"{'':>10}{failure['Occurrences']} × {failure['Name']}: "
                            f"{failure['Error']}"
                        )
            finally:
                gunicorn.terminate()
                gunicorn.wait(timeout=30)


# The dataset -----------------------------------------------------------------


@transaction.atomic
def _generate(sizes: Sizes) -> list[Organisatie]:
    """Everything in bulk: about 700,000 rows at schaal 1. Organisation 0 is
    the biggest; the others are small and all the same size."""
    rnd = random.Random(7)
    day = today()
    password = make_password(PASSWORD)
    organisaties = Organisatie.objects.bulk_create(
        Organisatie(naam=f"Organisatie {i}", slug=f"organisatie-{i}")
        for i in range(sizes.organisaties)
    )
    coordinators = {
        org.pk: User.objects.bulk_create(
            User(
                email=f"coordinator{c}@organisatie-{i}.example",
                password=password,
                first_name="Coördinator",
                last_name=f"{i}-{c}",
                organisatie=org,
                rol=User.Rol.COORDINATOR,
            )
            for c in range(4 if i == 0 else 1)
        )
        for i, org in enumerate(organisaties)
    }
    wijken = {}
    for i, org in enumerate(organisaties):
        gemeenten = 3 if i == 0 else 2
        wijken[org.pk] = [
            Wijk(organisatie=org, naam=f"Wijk {w}", gemeente=f"Gemeente {i}-{w % gemeenten}")
            for w in range(30 if i == 0 else 5)
        ]
    Wijk.objects.bulk_create(itertools.chain.from_iterable(wijken.values()), batch_size=BATCH)

    vraag, steun = [], []
    for i, org in enumerate(organisaties):
        n = sizes.families(i)
        for f in range(n):
            common = {
                "organisatie": org,
                "naam": f"Gezin{i}-{f}",
                "straat": "Benchlaan",
                "huisnummer": str(f),
                "postcode": "7001 AB",
                "plaats": "Benchstad",
                "telefoon": f"06 {10000000 + f}",
                "wijk": rnd.choice(wijken[org.pk]),
                "aangemeld_op": day - datetime.timedelta(days=rnd.randint(60, 1400)),
                "talen": "Nederlands",
            }
            if f < n * 65 // 100:
                vraag.append(Vraaggezin(**common, status="wachtend", dagdelen=["wo_middag"]))
            else:
                status = rnd.choices(
                    ["beschikbaar", "in_screening", "gestopt", "aangemeld"], [70, 15, 10, 5]
                )[0]
                steun.append(
                    Steungezin(**common, status=status, capaciteit=2, beschikbaarheid=["wo_middag"])
                )

    koppelingen = []
    by_org = itertools.groupby(vraag, key=lambda g: g.organisatie_id)
    available = {}
    for g in steun:
        if g.status == "beschikbaar":
            available.setdefault(g.organisatie_id, []).append(g)
    totals = {org.pk: sizes.families(i) for i, org in enumerate(organisaties)}
    for org_id, families in by_org:
        families = list(families)
        # 60% of the families koppelingen, 25% active, and always one left waiting.
        n = totals[org_id]
        coupled = min(n * 60 // 100, len(families) - 1)
        candidates = available[org_id]
        for index, gezin in enumerate(families[:coupled]):
            active = index < n * 25 // 100
            start = max(gezin.aangemeld_op, day - datetime.timedelta(days=rnd.randint(30, 1300)))
            gezin.status = "gekoppeld" if active else "afgesloten"
            gezin.wacht_sinds = None
            koppelingen.append(
                Koppeling(
                    organisatie_id=org_id,
                    vraaggezin=gezin,
                    steungezin=candidates[index % len(candidates)],
                    coordinator=coordinators[org_id][index % len(coordinators[org_id])],
                    status="actief" if active else "afgesloten",
                    voorgesteld_op=start - datetime.timedelta(days=20),
                    start_op=start,
                    einde_op=None if active else start + datetime.timedelta(days=200),
                    einde_reden="" if active else "doel_bereikt",
                    volgende_contact_op=day + datetime.timedelta(days=rnd.randint(-20, 60)),
                )
            )
        for gezin in families[coupled:]:
            gezin.wacht_sinds = gezin.aangemeld_op
    _insert_families(Vraaggezin, vraag)
    _insert_families(Steungezin, steun)
    families = vraag + steun
    WijkPeriode.objects.bulk_create(
        (WijkPeriode(gezin_id=g.pk, wijk=g.wijk, vanaf=g.aangemeld_op) for g in families),
        batch_size=BATCH,
    )
    leden = [
        Gezinslid(
            gezin_id=g.pk,
            voornaam=f"Lid{n}",
            achternaam=g.naam,
            soort=soort,
            geboortedatum=day - datetime.timedelta(days=365 * age + rnd.randint(0, 300)),
        )
        for g in families
        for n, (soort, age) in enumerate(
            [("volwassene", 38), ("volwassene", 40)][: 1 + (rnd.random() < 0.75)]
            + [("kind", rnd.randint(1, 16)) for _ in range(rnd.randint(1, 3))]
        )
    ]
    Gezinslid.objects.bulk_create(leden, batch_size=BATCH)
    is_steun = {g.pk for g in steun}
    VOG.objects.bulk_create(
        (
            VOG(
                gezinslid=lid,
                status="ontvangen",
                ontvangen_op=day - datetime.timedelta(days=200),
                afgegeven_op=day - datetime.timedelta(days=210),
            )
            for lid in leden
            if lid.gezin_id in is_steun and lid.soort == "volwassene"
        ),
        batch_size=BATCH,
    )
    for model, extra in (
        (ScreeningGesprek, {"soort": "huisbezoek", "notities": "Goed gesprek."}),
        (Referentie, {"naam": "Buurvrouw", "relatie": "buren", "uitkomst": "positief"}),
    ):
        date_field = "datum" if model is ScreeningGesprek else "benaderd_op"
        model.objects.bulk_create(
            (
                model(
                    steungezin_id=g.pk,
                    door=coordinators[g.organisatie_id][0],
                    **{date_field: g.aangemeld_op + datetime.timedelta(days=20)},
                    **extra,
                )
                for g in steun
            ),
            batch_size=BATCH,
        )

    Koppeling.objects.bulk_create(koppelingen, batch_size=BATCH)
    Contactmoment.objects.bulk_create(
        (
            Contactmoment(
                koppeling=k,
                datum=k.start_op + datetime.timedelta(days=14 * n),
                met="beide",
                hoe="telefoon",
                verloop="goed",
                door=k.coordinator,
            )
            for k in koppelingen
            for n in range(rnd.randint(8, 25))
            if k.start_op + datetime.timedelta(days=14 * n) <= (k.einde_op or day)
        ),
        batch_size=BATCH,
    )
    Evaluatie.objects.bulk_create(
        (
            Evaluatie(
                koppeling=k,
                soort="proefperiode",
                datum=k.start_op + datetime.timedelta(days=60),
                door=k.coordinator,
                conclusie="x",
                vraag_scores={"contact": 4},
                steun_scores={"contact": 5},
            )
            for k in koppelingen
            if k.start_op + datetime.timedelta(days=60) <= day
        ),
        batch_size=BATCH,
    )
    CoordinatieUren.objects.bulk_create(
        (
            CoordinatieUren(
                organisatie_id=org.pk,
                coordinator=coordinator,
                week=day - datetime.timedelta(days=day.weekday() + 7 * week),
                gemeente=gemeente,
                uren=rnd.randint(2, 8),
            )
            for org in organisaties
            for coordinator in coordinators[org.pk]
            for gemeente in [*sorted({w.gemeente for w in wijken[org.pk]}), ""]
            for week in range(1, 60)
        ),
        batch_size=BATCH,
    )
    _generate_audit(rnd, families, coordinators)
    _derived(koppelingen, day)
    return organisaties


def _derived(koppelingen: list[Koppeling], day: datetime.date) -> None:
    """What the services keep beside the data they write: each active
    koppeling's next evaluation and each steungezin's screening verdict."""
    for k in koppelingen:
        if due := volgende_evaluatie(
            actief=k.status == Koppeling.Status.ACTIEF,
            start_op=k.start_op,
            proefperiode_tot=k.proefperiode_tot,
            soorten=["proefperiode"] if k.start_op + datetime.timedelta(days=60) <= day else [],
        ):
            k.volgende_evaluatie_soort, k.volgende_evaluatie_op = due
    Koppeling.objects.bulk_update(
        koppelingen, ["volgende_evaluatie_soort", "volgende_evaluatie_op"], batch_size=BATCH
    )
    verouderde_bijwerken(day)


def _insert_families(model: type[Gezin], families: list[Gezin]) -> None:
    """bulk_create refuses a model with a parent table: the Gezin rows are
    bulk-created first, then the child rows inserted with their parent's key."""
    parent_fields = [f.attname for f in Gezin._meta.concrete_fields if not f.primary_key]
    parents = Gezin.objects.bulk_create(
        (Gezin(**{name: getattr(g, name) for name in parent_fields}) for g in families),
        batch_size=BATCH,
    )
    for gezin, parent in zip(families, parents, strict=True):
        gezin.pk = gezin.id = parent.pk
    fields = model._meta.local_concrete_fields
    size = connection.ops.bulk_batch_size(fields, families) or BATCH
    for begin in range(0, len(families), min(size, BATCH)):
        model._base_manager._insert(families[begin : begin + min(size, BATCH)], fields=fields)


def _generate_audit(rnd: random.Random, families: list[Gezin], coordinators: dict) -> None:
    """15 "bekeken" lines per family over the last two years, as a list or a
    family page writes them: 300,000 at schaal 1."""
    now = timezone.now()
    entries = [
        AuditEntry(
            timestamp=now - datetime.timedelta(minutes=rnd.randint(1, 2 * 365 * 24 * 60)),
            user=coordinators[g.organisatie_id][0],
            organisatie_id=g.organisatie_id,
            action=AuditEntry.Action.VIEW,
            object_type=g._meta.label_lower,
            object_id=str(g.pk),
            object_repr=g.naam,
        )
        for g in families
        for _ in range(15)
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=BATCH)
    AuditGezin.objects.bulk_create(
        (AuditGezin(entry=e, gezin_id=int(e.object_id)) for e in entries), batch_size=BATCH
    )


# Measuring -------------------------------------------------------------------


NIEUW = "rapportage (pdf, nieuw)"


def _urls(organisatie: Organisatie) -> list[tuple[str, str]]:
    koppeling = Koppeling.objects.filter(organisatie=organisatie, status="actief").first()
    wachtend = Vraaggezin.objects.filter(organisatie=organisatie, status="wachtend").first()
    gemeente = Wijk.objects.filter(organisatie=organisatie).order_by("gemeente").first().gemeente
    # The report covers only periods that have ended: last year.
    rapport = (
        reverse("reports:gemeente") + f"?gemeente={gemeente}&soort=jaar&jaar={today().year - 1}"
    )
    return [
        ("dashboard", reverse("home")),
        ("vraaggezinnen", reverse("gezinnen:vraaggezin-list") + "?status=alle"),
        ("steungezinnen", reverse("gezinnen:steungezin-list") + "?status=alle"),
        ("koppelingen", reverse("matching:list") + "?status=alle"),
        ("vraaggezin", reverse("gezinnen:vraaggezin-detail", args=[koppeling.vraaggezin_id])),
        ("koppeling", reverse("matching:detail", args=[koppeling.pk])),
        ("suggesties", reverse("matching:suggesties", args=[wachtend.pk])),
        ("passend", reverse("matching:passend", args=[koppeling.steungezin_id])),
        ("screening", reverse("screening:overzicht")),
        ("agenda", reverse("matching:agenda")),
        ("rapportage (html)", rapport),
        ("rapportage (pdf)", rapport + "&formaat=pdf"),
        # The same report laid out anew each time (see reports.pdf.BEWAARD).
        (NIEUW, rapport + "&formaat=pdf"),
        ("export vraaggezinnen xlsx", reverse("reports:export-vraaggezinnen", args=["xlsx"])),
        ("auditlog (superuser)", reverse("admin:accounts_auditentry_changelist")),
    ]


def _measure(
    client: Client, url: str, *, runs: int, warmup: int, name: str
) -> tuple[list[float], list[float], int]:
    """Wall and SQL seconds of each run, and the number of queries of the last."""
    wall, sql = [], []
    for run in range(warmup + runs):
        if name == NIEUW:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            begin = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - begin
        if response.status_code != 200:
            raise CommandError(f"{name}: status {response.status_code} voor {url}")
        if run >= warmup:
            wall.append(elapsed)
            sql.append(sum(float(q["time"]) for q in queries.captured_queries))
    return wall, sql, len(queries)


def _log_in_verified(client: Client, user: User) -> None:
    """As the tests do: the code step passed for a confirmed authenticator app."""
    client.force_login(user)
    app = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = app.persistent_id
    session.save()


def _p95(values: list[float]) -> float:
    return (
        statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}ms"


# The load test ---------------------------------------------------------------


def _plan(organisaties: list[Organisatie]) -> list[dict]:
    """The coordinators the simulated users log in as: all four of the
    biggest organisation and one of each of eight small ones, with the pages
    each can open (see reports/locustfile.py for the weights). In turns, one
    of the biggest and one of a small organisation, so that any number of
    users is a mix: at 8, four of each."""
    groups = []
    for organisatie in organisaties[:9]:
        pages = dict(_urls(organisatie))
        gezinnen = Vraaggezin.objects.filter(organisatie=organisatie)
        koppelingen = Koppeling.objects.filter(organisatie=organisatie, status="actief")
        wachtend = gezinnen.filter(status="wachtend").values_list("pk", flat=True)[:20]
        urls = {
            name: [pages[name]]
            for name in (
                "dashboard",
                "vraaggezinnen",
                "steungezinnen",
                "koppelingen",
                "screening",
                "agenda",
                "rapportage (html)",
            )
        }
        urls["vraaggezin"] = [
            reverse("gezinnen:vraaggezin-detail", args=[pk])
            for pk in gezinnen.values_list("pk", flat=True)[:50]
        ]
        urls["koppeling"] = [
            reverse("matching:detail", args=[pk])
            for pk in koppelingen.values_list("pk", flat=True)[:50]
        ]
        urls["suggesties"] = [reverse("matching:suggesties", args=[pk]) for pk in wachtend]
        groups.append(
            [
                {"email": email, "pages": urls}
                for email in User.objects.filter(organisatie=organisatie)
                .order_by("pk")
                .values_list("email", flat=True)
            ]
        )
    biggest, small = groups[0], [c for group in groups[1:] for c in group]
    mixed = [c for pair in zip(biggest, small, strict=False) for c in pair]
    return mixed + biggest[len(small) :] + small[len(biggest) :]


def _production_env(work: Path) -> dict[str, str]:
    """gunicorn's environment: as a real installation (deploy/env.example),
    with DEBUG off, a secret key of its own, a file cache and the static files
    collected with their manifest, here into ``work``. Only what needs the TLS
    of the proxy in front is off: the redirect to HTTPS and cookies that go
    over HTTPS only, as locust talks HTTP to gunicorn directly."""
    (work / "load_settings.py").write_text(
        "from steungezinnen.settings import *  # noqa: F403\n\n"
        f"STATIC_ROOT = {str(work / 'static')!r}\n"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(work), os.environ.get("PYTHONPATH")])),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CACHE_URL": f"filecache://{work / 'cache'}",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise CommandError(f"gunicorn antwoordt niet op {url}") from None
            time.sleep(0.5)


def _aggregated(stats: Path) -> dict[str, str]:
    with stats.open(newline="") as f:
        return next(row for row in csv.DictReader(f) if row["Name"] == "Aggregated")


def _rows(report: Path) -> list[dict[str, str]]:
    """The rows of one of locust's CSV reports, none when it wrote none."""
    if not report.exists():
        return []
    with report.open(newline="") as f:
        return list(csv.DictReader(f))


def _postgres(url: str):
    """An autocommit connection to the admin database, or None when there is
    no PostgreSQL at ``url``."""
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        return None


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()
