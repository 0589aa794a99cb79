"""`python manage.py cijfers --van … --tot …`: the figures that show a restored
database holds what the original held. The same data gives the same JSON, so
the output of both can be compared with `diff`. The municipality report is
given for every whole month in the period, with the figures as it shows them."""

import argparse
import datetime
import json
from collections import Counter
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import AuditEntry, Organisatie
from gezinnen.models import Gezinslid, Steungezin, Vraaggezin
from matching.models import Contactmoment, Evaluatie, Koppeling, Signaal
from reports.figures import ALLE_GEMEENTEN, Periode, gemeenten, gemeenterapportage


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"geen datum (JJJJ-MM-DD): {value!r}") from None


def aantallen() -> dict:
    per_status = Counter(Koppeling.objects.order_by().values_list("status", flat=True))
    return {
        "vraaggezinnen": Vraaggezin.objects.count(),
        "steungezinnen": Steungezin.objects.count(),
        "gezinsleden": Gezinslid.objects.count(),
        "koppelingen": {status: per_status[status] for status in Koppeling.Status.values},
        "contactmomenten": Contactmoment.objects.count(),
        "signalen": Signaal.objects.count(),
        "evaluaties": Evaluatie.objects.count(),
        "auditregels": AuditEntry.objects.count(),
    }


def maanden(van: datetime.date, tot: datetime.date) -> list[Periode]:
    """The whole calendar months from van to tot: the report knows no other periods."""
    months = []
    day = van if van.day == 1 else (van.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    while (maand := Periode.maand(day.year, day.month)).end <= tot:
        months.append(maand)
        day = maand.end + datetime.timedelta(days=1)
    return months


def rapportages(periodes: list[Periode]) -> list[dict]:
    """The municipality report of every organisation, gemeente and month, as shown."""
    return [
        {
            "organisatie": organisatie.slug,
            "gemeente": gemeente,
            "periode": periode.label,
            "regels": [
                asdict(regel) for regel in gemeenterapportage(organisatie, gemeente, periode).regels
            ],
        }
        for organisatie in Organisatie.objects.order_by("slug")
        for gemeente in [*gemeenten(organisatie), ALLE_GEMEENTEN]
        for periode in periodes
    ]


class Command(BaseCommand):
    help = (
        "Print de aantallen en de gemeenterapportage per organisatie en gemeente als JSON, "
        "om een herstelde database met het origineel te vergelijken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--van", type=_date, required=True, help="eerste dag van de periode (JJJJ-MM-DD)"
        )
        parser.add_argument(
            "--tot", type=_date, required=True, help="laatste dag van de periode, tot en met"
        )

    def handle(self, *args, van: datetime.date, tot: datetime.date, **options) -> None:
        if tot < van:
            raise CommandError("De einddatum ligt vóór de begindatum.")
        # The report stores an organisation's standard reasons for ending a
        # koppeling the first time it needs them: rolled back, so that counting
        # never changes what is counted.
        with transaction.atomic():
            cijfers = {
                "periode": {"van": van.isoformat(), "tot": tot.isoformat()},
                "aantallen": aantallen(),
                "rapportages": rapportages(maanden(van, tot)),
            }
            transaction.set_rollback(True)
        self.stdout.write(
            json.dumps(cijfers, sort_keys=True, indent=2, ensure_ascii=False, default=str)
        )
