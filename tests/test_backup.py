"""deploy/backup.sh and deploy/restore.sh against the real PostgreSQL: a
restored database gives the same `manage.py cijfers` as the original, and
the documents come back with it."""

import datetime
import io
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from accounts import audit
from accounts.models import AuditEntry, User
from gezinnen.models import Vraaggezin
from matching.documenten import document_toevoegen
from tests.test_documenten import PDF, bestand

DEPLOY = Path(settings.BASE_DIR) / "deploy"
TOOLS = ("pg_dump", "pg_restore", "psql")
# A year up to yesterday: the demo's koppelingen, contactmomenten and
# evaluaties fall in it, and "beschikbaar op de einddatum" does not depend on
# the time of day.
TOT = datetime.date.today() - datetime.timedelta(days=1)
VAN = TOT - datetime.timedelta(days=365)
PERIODE = ["--van", VAN.isoformat(), "--tot", TOT.isoformat()]


@pytest.fixture
def postgres() -> dict:
    """The test database's connection settings; PostgreSQL and its client tools
    are required in CI, elsewhere their absence skips the test."""
    if connection.vendor != "postgresql":
        pytest.skip("alleen op PostgreSQL (zet DATABASE_URL=postgres://…)")
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"ontbreekt: {', '.join(missing)} (sudo apt-get install -y postgresql-client)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return connection.settings_dict


def database_url(db: dict, name: str) -> str:
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{quote(db['HOST'] or '', safe='')}{port}/{name}"


def run(args: list, db: dict, name: str, **env) -> subprocess.CompletedProcess:
    """A script as the services run it, with the test's folder of documents
    (tests/conftest.py: documenten_map) unless ``env`` names another."""
    documenten = settings.STORAGES["documenten"]["OPTIONS"]["location"]
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": database_url(db, name),
            "DJANGO_SETTINGS_MODULE": "steungezinnen.settings_test",
            "PYTHON": sys.executable,
            "DOCUMENTEN_ROOT": documenten,
            **env,
        },
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.fixture
def empty_database(postgres):
    """A new, empty database next to the test database, dropped afterwards."""
    name = f"{postgres['NAME']}_herstel_{uuid.uuid4().hex[:8]}"
    params = {
        "dbname": "postgres",
        "user": postgres["USER"],
        "password": postgres["PASSWORD"],
        "host": postgres["HOST"] or None,
        "port": postgres["PORT"] or None,
        "autocommit": True,
    }
    with psycopg.connect(**params) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(**params) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.mark.django_db(transaction=True)
def test_it_restores_a_backup_with_the_same_figures(postgres, empty_database, tmp_path):
    call_command("demo", force=True, stdout=io.StringIO())
    gezin = Vraaggezin.objects.select_related("organisatie").first()
    coordinator = gezin.organisatie.users.filter(rol=User.Rol.COORDINATOR).first()
    audit.record(AuditEntry.Action.VIEW, gezin, user=coordinator)
    (document,) = document_toevoegen(
        door=coordinator, gezin=gezin, soort="toestemming", bestanden=[bestand("t.pdf", PDF)]
    )
    out = io.StringIO()
    call_command("cijfers", *PERIODE, stdout=out)
    original = json.loads(out.getvalue())

    backups = tmp_path / "backups"
    backups.mkdir()
    backup = run(["bash", DEPLOY / "backup.sh", backups], postgres, postgres["NAME"])
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert dump.parent == backups
    tar = dump.with_name(dump.name.removesuffix(".dump") + ".documenten.tar")
    for path in (dump, tar):  # personal data: readable by the owner only
        assert path.stat().st_mode & 0o077 == 0

    teruggezet = tmp_path / "teruggezet"
    restore = run(
        ["bash", DEPLOY / "restore.sh", dump],
        postgres,
        empty_database,
        DOCUMENTEN_ROOT=str(teruggezet),
    )
    assert restore.returncode == 0, restore.stderr
    # The restored row finds its file, as it was.
    naam = run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from matching.models import Document; "
            f"print(Document.objects.get(pk={document.pk}).bestand.name)",
        ],
        postgres,
        empty_database,
    )
    assert naam.returncode == 0, naam.stderr
    assert (teruggezet / naam.stdout.strip()).read_bytes() == PDF
    cijfers = run([sys.executable, "manage.py", "cijfers", *PERIODE], postgres, empty_database)
    assert cijfers.returncode == 0, cijfers.stderr
    restored = json.loads(cijfers.stdout)

    assert restored == original
    aantallen = original["aantallen"]
    assert aantallen["vraaggezinnen"] > 0
    assert aantallen["steungezinnen"] > 0
    assert aantallen["auditregels"] > 0
    assert sum(aantallen["koppelingen"].values()) > 0
    assert {(r["organisatie"], r["gemeente"]) for r in original["rapportages"]} >= {
        ("humanitas-hengelo", "Hengelo"),
    }
    assert any(
        regel["aantal"] for rapport in original["rapportages"] for regel in rapport["regels"]
    )


@pytest.mark.django_db
def test_it_refuses_to_restore_into_a_database_with_tables(postgres, tmp_path):
    dump = tmp_path / "steungezinnen-20260101T000000Z.dump"
    dump.write_bytes(b"")
    restore = run(["bash", DEPLOY / "restore.sh", dump], postgres, postgres["NAME"])
    assert restore.returncode != 0
    assert "de database is niet leeg" in restore.stderr


@pytest.mark.django_db
def test_it_keeps_the_newest_backups(postgres, tmp_path):
    old = [tmp_path / f"steungezinnen-2020010{day}T023000Z.dump" for day in (1, 2, 3)]
    for path in old:
        path.write_bytes(b"")
        path.with_suffix(".documenten.tar").write_bytes(b"")
    # No folder of documents yet (nothing uploaded): only the dump.
    backup = run(
        ["bash", DEPLOY / "backup.sh", tmp_path], postgres, postgres["NAME"], BACKUP_KEEP="2"
    )
    assert backup.returncode == 0, backup.stderr
    assert sorted(tmp_path.iterdir()) == sorted(
        [old[2], old[2].with_suffix(".documenten.tar"), Path(backup.stdout.strip())]
    )


@pytest.mark.django_db
def test_it_restores_documents_only_into_an_empty_folder(postgres, empty_database, tmp_path):
    dump = tmp_path / "steungezinnen-20260101T000000Z.dump"
    dump.write_bytes(b"")
    dump.with_suffix(".documenten.tar").write_bytes(b"")
    bezet = tmp_path / "bezet"
    bezet.mkdir()
    (bezet / "ander-document").write_bytes(PDF)
    restore = run(
        ["bash", DEPLOY / "restore.sh", dump], postgres, empty_database, DOCUMENTEN_ROOT=str(bezet)
    )
    assert restore.returncode != 0
    assert f"de documentenmap {bezet} is niet leeg" in restore.stderr


@pytest.mark.django_db
def test_it_fails_without_leaving_a_dump_behind(postgres, tmp_path):
    kept = tmp_path / "steungezinnen-20200101T023000Z.dump"
    kept.write_bytes(b"")
    backup = run(
        ["bash", DEPLOY / "backup.sh", tmp_path], postgres, "bestaat_niet", BACKUP_KEEP="1"
    )
    assert backup.returncode != 0
    assert "bestaat_niet" in backup.stderr
    assert list(tmp_path.iterdir()) == [kept]
