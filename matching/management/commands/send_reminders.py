from django.core.management.base import BaseCommand

from gezinnen.models import today
from matching.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Stuurt iedere coördinator en vrijwillig coördinator één e-mail met wat er klaarstaat; "
        "hoogstens één keer per dag. Bedoeld om dagelijks te draaien (cron of systemd-timer)."
    )

    def handle(self, *args, **options) -> None:
        sent = send_reminders(today())
        self.stdout.write(f"{sent} herinnering(en) verstuurd.")
