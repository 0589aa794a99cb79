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
