import os
import subprocess
import sys
from pathlib import Path

from steungezinnen import settings as real_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def run_settings(**env) -> subprocess.CompletedProcess:
    ours = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "CONN_MAX_AGE"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "-c", "import steungezinnen.settings as s; print(s.DEBUG, s.DATABASES)"],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_refuses_to_start_without_secret_key():
    result = run_settings()
    assert result.returncode != 0
    assert "SECRET_KEY ontbreekt" in result.stderr


def test_it_starts_without_secret_key_in_debug():
    result = run_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True")


def test_it_defaults_to_sqlite_and_debug_off():
    result = run_settings(SECRET_KEY="x" * 60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False")
    assert "sqlite3" in result.stdout


def test_it_reads_postgres_from_database_url():
    result = run_settings(SECRET_KEY="x" * 60, DATABASE_URL="postgres://u:p@db:5432/steun")
    assert "django.db.backends.postgresql" in result.stdout
    assert "'NAME': 'steun'" in result.stdout


def test_it_keeps_database_connections_open_and_checks_them():
    result = run_settings(SECRET_KEY="x" * 60, DATABASE_URL="postgres://u:p@db:5432/steun")
    assert result.returncode == 0, result.stderr
    assert "'CONN_MAX_AGE': 60" in result.stdout
    assert "'CONN_HEALTH_CHECKS': True" in result.stdout


def test_it_closes_database_connections_after_each_request_when_told():
    result = run_settings(SECRET_KEY="x" * 60, CONN_MAX_AGE="0")
    assert result.returncode == 0, result.stderr
    assert "'CONN_MAX_AGE': 0" in result.stdout


def test_it_is_dutch_in_amsterdam_with_argon2():
    assert real_settings.LANGUAGE_CODE == "nl"
    assert real_settings.TIME_ZONE == "Europe/Amsterdam"
    assert real_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
