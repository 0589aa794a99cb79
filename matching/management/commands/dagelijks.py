from django.core.management.base import BaseCommand

from gezinnen.models import today
from matching.tasks import formuliertokens_opruimen, herinneringen_versturen


class Command(BaseCommand):
    help = (
        "Zet het dagelijkse werk in de wachtrij: de herinneringen (hoogstens één per persoon "
        "per dag) en het opruimen van oude formulierkenmerken. Twee keer op een dag draaien "
        "verstuurt niets dubbel. Draai het dagelijks (cron of systemd-timer); de worker "
        "(manage.py db_worker) voert het uit."
    )

    def handle(self, *args, **options) -> None:
        dag = today().isoformat()
        for taak, args in ((herinneringen_versturen, [dag]), (formuliertokens_opruimen, [])):
            result = taak.enqueue(*args)
            self.stdout.write(f"{taak.name}: in de wachtrij ({result.id}).")
