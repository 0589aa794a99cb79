import importlib
import importlib.util
from collections.abc import Callable, Iterator

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from faker import Faker

from accounts.models import Organisatie, User

DEMO_PASSWORD = "steungezin-demo"

# (name, slug, e-mail domain, is the coordinator also beheerder?) In a small
# organisation such as Salut's 4-hour programme the coordinator is also the
# administrator; Humanitas has a separate one.
ORGANISATIES = [
    ("Humanitas Twente – Hengelo", "humanitas-hengelo", "humanitas.demo", False),
    ("Salut – Hof van Twente", "salut-hof-van-twente", "salut.demo", True),
]

# (e-mail local part, role, beheerder right)
ACCOUNTS = [
    ("coordinator", User.Rol.COORDINATOR, False),
    ("vrijwilliger", User.Rol.VRIJWILLIG_COORDINATOR, False),
    ("beheerder", "", True),
]


def _app_populators() -> Iterator[Callable]:
    """Each app's ``demo.populate(organisatie, seed=...)``, in INSTALLED_APPS
    order, so that this command needs to know no app below accounts."""
    for config in apps.get_app_configs():
        if importlib.util.find_spec(f"{config.name}.demo") is not None:
            yield importlib.import_module(f"{config.name}.demo").populate


class Command(BaseCommand):
    help = "Vult de database met demogegevens (twee organisaties en hun gebruikers)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Ook uitvoeren zonder DEBUG (maakt accounts met een bekend wachtwoord).",
        )

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demogegevens maken accounts met een bekend wachtwoord. "
                "Alleen met DEBUG=1, of bewust met --force."
            )
        # A fixed seed: running the command again finds the same people.
        fake = Faker("nl_NL")
        fake.seed_instance(2026)
        logins = []
        for naam, slug, domain, coordinator_beheert in ORGANISATIES:
            # Contact details for the public pages and mails (fictitious numbers).
            organisatie, _ = Organisatie.objects.update_or_create(
                slug=slug,
                defaults={"naam": naam, "telefoon": "074 000 00 00", "email": f"info@{domain}"},
            )
            for local_part, rol, is_beheerder in ACCOUNTS:
                email = f"{local_part}@{domain}"
                names = {"first_name": fake.first_name(), "last_name": fake.last_name()}
                rights = {
                    "organisatie": organisatie,
                    "rol": rol,
                    "is_beheerder": is_beheerder
                    or (coordinator_beheert and rol == User.Rol.COORDINATOR),
                    "is_active": True,
                }
                # Names and password are set once; the rights follow this file.
                user, created = User.objects.update_or_create(
                    email=email, defaults=rights, create_defaults={**rights, **names}
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save()
                logins.append((organisatie.naam, user))
            for populate in _app_populators():
                populate(organisatie, seed=f"{slug}-{populate.__module__}")

        self.stdout.write(self.style.SUCCESS("Demogegevens staan klaar. Inloggen kan met:"))
        for organisatie_naam, user in logins:
            rol = user.get_rol_display() or "alleen beheerder"
            if user.rol and user.is_beheerder:
                rol += " en beheerder"
            self.stdout.write(f"  {user.email:<28} {rol:<24} {organisatie_naam}")
        self.stdout.write(f"Wachtwoord voor alle demo-accounts: {DEMO_PASSWORD}")
