from io import StringIO

from django.core.management import call_command

from gezinnen.models import Gezin, WijkPeriode
from matching.models import CoordinatieUren


def test_it_times_every_page_for_both_organisations(db):
    out = StringIO()

    call_command(
        "bench", "--intern", "--schaal", "0.01", "--runs", "1", "--warmup", "0", stdout=out
    )

    for page in ("dashboard", "suggesties", "rapportage (pdf)", "auditlog (superuser)"):
        assert f"{page:<26}grootste" in out.getvalue()
        assert f"{page:<26}klein" in out.getvalue()
    assert WijkPeriode.objects.count() == Gezin.objects.count()
    assert CoordinatieUren.objects.filter(gemeente="").exists()
    assert CoordinatieUren.objects.exclude(gemeente="").exists()


def test_the_load_test_mixes_the_biggest_organisation_with_small_ones(db):
    from accounts.models import Organisatie
    from reports.management.commands.bench import Sizes, _generate, _plan

    biggest, small = _generate(Sizes.at(0.01))

    plan = _plan(list(Organisatie.objects.order_by("pk")))

    organisations = [c["email"].split("@")[1] for c in plan]
    assert organisations == [
        f"{biggest.slug}.example",
        f"{small.slug}.example",
        *[f"{biggest.slug}.example"] * 3,
    ]
    assert len({c["email"] for c in plan}) == len(plan)
    assert all(all(c["pages"][name] for name in c["pages"]) for c in plan)


def test_the_load_test_runs_gunicorn_as_a_real_installation(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    from reports.management.commands.bench import _production_env

    env = _production_env(tmp_path)

    seen = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; "
            "print(s.DEBUG, s.STATIC_ROOT, s.STORAGES['staticfiles']['BACKEND'], "
            "s.ALLOWED_HOSTS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, len(s.SECRET_KEY))",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert seen == [
        "False",
        str(tmp_path / "static"),
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "['127.0.0.1']",
        "False",
        "False",
        str(len(env["SECRET_KEY"])),
    ]
    assert len(env["SECRET_KEY"]) >= 50
    assert _production_env(tmp_path)["SECRET_KEY"] != env["SECRET_KEY"]
