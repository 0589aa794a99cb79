"""`make bench`: a large organisation, then the main pages and the yearly
municipality report timed. Prints figures; asserts nothing."""

import datetime
import random
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisatie, User
from gezinnen.models import Gezin, Gezinslid, Steungezin, Vraaggezin, Wijk, today
from matching.models import Contactmoment, CoordinatieUren, Evaluatie, Koppeling

SIZES = {"wijken": 30, "vraaggezinnen": 2000, "steungezinnen": 1000, "koppelingen": 1500}


class Command(BaseCommand):
    help = "Maakt een grote organisatie aan en meet de belangrijkste pagina's en de jaarrapportage."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=3)

    def handle(self, *args, runs: int, **options) -> None:
        if Gezin.objects.exists():
            raise CommandError(
                "De database bevat al gezinnen. Draai de benchmark op een lege database "
                "(make bench gebruikt bench.sqlite3)."
            )
        started = time.perf_counter()
        coordinator, year = self._generate()
        self.stdout.write(
            f"Gegevens gemaakt in {time.perf_counter() - started:.0f} s: "
            + ", ".join(f"{n} {what}" for what, n in SIZES.items())
        )
        koppeling = Koppeling.objects.filter(status="actief").first()
        gezin = Vraaggezin.objects.first()
        pages = [
            ("dashboard", reverse("home")),
            ("vraaggezinnen", reverse("gezinnen:vraaggezin-list") + "?status=alle"),
            ("steungezinnen", reverse("gezinnen:steungezin-list") + "?status=alle"),
            ("vraaggezin", reverse("gezinnen:vraaggezin-detail", args=[gezin.pk])),
            ("koppelingen", reverse("matching:list") + "?status=alle"),
            ("koppeling", reverse("matching:detail", args=[koppeling.pk])),
            ("screening", reverse("screening:overzicht")),
            ("suggesties", reverse("matching:suggesties", args=[gezin.pk])),
            (
                "jaarrapportage (html)",
                reverse("reports:gemeente") + f"?gemeente=Benchstad&soort=jaar&jaar={year}",
            ),
            (
                "jaarrapportage (pdf)",
                reverse("reports:gemeente")
                + f"?gemeente=Benchstad&soort=jaar&jaar={year}&formaat=pdf",
            ),
        ]
        with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
            client = Client()
            client.force_login(coordinator)
            self.stdout.write(f"\n{'pagina':<24}{'mediaan':>10}{'slechtst':>10}{'queries':>9}")
            for name, url in pages:
                times = []
                for _ in range(runs):
                    with CaptureQueriesContext(connection) as queries:
                        begin = time.perf_counter()
                        response = client.get(url)
                        times.append(time.perf_counter() - begin)
                    if response.status_code != 200:
                        raise CommandError(f"{name}: status {response.status_code}")
                self.stdout.write(
                    f"{name:<24}{statistics.median(times) * 1000:>8.0f}ms"
                    f"{max(times) * 1000:>8.0f}ms{len(queries):>9}"
                )
        self.stdout.write(
            f"\nDatabase: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
        )

    @transaction.atomic
    def _generate(self):
        rnd = random.Random(7)
        day = today()
        org = Organisatie.objects.create(naam="Benchmark", slug="benchmark")
        coordinator = User.objects.create_user(
            "bench@example.nl",
            "bench-wachtwoord",
            first_name="Bea",
            last_name="Bench",
            organisatie=org,
            rol=User.Rol.COORDINATOR,
        )
        wijken = [
            Wijk.objects.create(
                organisatie=org, naam=f"Wijk {i}", gemeente="Benchstad", postcodes=str(7000 + i)
            )
            for i in range(SIZES["wijken"])
        ]

        def family(model, index, **extra):
            start = day - datetime.timedelta(days=rnd.randint(10, 700))
            return model.objects.create(
                organisatie=org,
                naam=f"Gezin{index}",
                straat="Benchlaan",
                huisnummer=str(index),
                postcode="7001 AB",
                plaats="Benchstad",
                telefoon=f"06 {10000000 + index}",
                wijk=rnd.choice(wijken),
                aangemeld_op=start,
                talen="Nederlands",
                **extra,
            )

        vraag = [
            family(
                Vraaggezin,
                i,
                status=rnd.choice(["wachtend", "gekoppeld", "afgesloten"]),
                wacht_sinds=day - datetime.timedelta(days=rnd.randint(1, 300)),
                dagdelen=["wo_middag"],
            )
            for i in range(SIZES["vraaggezinnen"])
        ]
        steun = [
            family(
                Steungezin,
                100000 + i,
                status="beschikbaar",
                capaciteit=2,
                beschikbaarheid=["wo_middag"],
            )
            for i in range(SIZES["steungezinnen"])
        ]
        Gezinslid.objects.bulk_create(
            Gezinslid(
                gezin=g,
                voornaam="Lid",
                achternaam=g.naam,
                soort=soort,
                geboortedatum=day - datetime.timedelta(days=365 * age),
            )
            for g in vraag + steun
            for soort, age in (("volwassene", 38), ("kind", 6), ("kind", 9))
        )
        koppelingen = []
        for index in range(SIZES["koppelingen"]):
            start = day - datetime.timedelta(days=rnd.randint(30, 700))
            ended = index % 3 == 0
            koppelingen.append(
                Koppeling(
                    organisatie=org,
                    vraaggezin=vraag[index],
                    steungezin=steun[index % len(steun)],
                    coordinator=coordinator,
                    status="afgesloten" if ended else "actief",
                    start_op=start,
                    einde_op=start + datetime.timedelta(days=200) if ended else None,
                    einde_reden="doel_bereikt" if ended else "",
                    volgende_contact_op=day + datetime.timedelta(days=rnd.randint(-20, 60)),
                    voorgesteld_op=start - datetime.timedelta(days=20),
                )
            )
        Koppeling.objects.bulk_create(koppelingen)
        koppelingen = list(Koppeling.objects.filter(organisatie=org))
        Contactmoment.objects.bulk_create(
            Contactmoment(
                koppeling=k,
                datum=k.start_op + datetime.timedelta(days=30 * n),
                met="beide",
                hoe="telefoon",
                verloop="goed",
                door=coordinator,
            )
            for k in koppelingen
            for n in range(8)
        )
        Evaluatie.objects.bulk_create(
            Evaluatie(
                koppeling=k,
                soort="proefperiode",
                datum=k.start_op + datetime.timedelta(days=60),
                door=coordinator,
                conclusie="x",
                vraag_scores={"contact": 4},
                steun_scores={"contact": 5},
            )
            for k in koppelingen
        )
        CoordinatieUren.objects.bulk_create(
            CoordinatieUren(
                organisatie=org,
                coordinator=coordinator,
                week=day - datetime.timedelta(days=day.weekday() + 7 * w),
                gemeente="Benchstad",
                uren=6,
            )
            for w in range(1, 60)
        )
        # The report covers only periods that have ended: last year.
        return coordinator, day.year - 1
