from django.core.management.base import BaseCommand

from gezinnen.models import today
from matching.tasks import (
    DAGTAKEN,
    bewaartermijnen_verwerken,
    formuliertokens_opruimen,
    herinneringen_versturen,
)
from screening.tasks import screeningstanden_bijwerken


class Command(BaseCommand):
    help = (
        "Zet het dagelijkse werk in de wachtrij: de screeningsstanden van de dag (een VOG die "
        "verloopt, een kind dat bijna 18 wordt), de herinneringen (hoogstens één per persoon "
        "per dag), het opruimen van oude formulierkenmerken en het anonimiseren van gezinnen "
        "waarvan de bewaartermijn verstreken is. Twee keer op een dag draaien doet niets "
        "dubbel. Draai het dagelijks (cron of systemd-timer); de worker (manage.py db_worker) "
        "voert het uit."
    )

    def handle(self, *args, **options) -> None:
        dag = today().isoformat()
        for taak, args in (
            (screeningstanden_bijwerken, [dag]),
            (herinneringen_versturen, [dag]),
            (formuliertokens_opruimen, []),
            (bewaartermijnen_verwerken, [dag]),
            *((taak, []) for taak in DAGTAKEN),
        ):
            result = taak.enqueue(*args)
            self.stdout.write(f"{taak.name}: in de wachtrij ({result.id}).")
