from __future__ import annotations

import contextlib
import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisatie, OrganisatieQuerySet, User
from gezinnen.integrity import Step, Steps, TransitionError, step
from gezinnen.validators import normalise_phone, pc4
from steungezinnen.datums import korte_datum

__all__ = ["TransitionError"]  # re-exported: callers catch it from here too


class Ondersteuning(models.TextChoices):
    """Kinds of support: what a vraaggezin wants and a steungezin offers."""

    SPEELMIDDAG = "speelmiddag", "wekelijkse speelmiddag"
    HALEN_BRENGEN = "halen_brengen", "kinderen naar school of activiteiten brengen"
    OPVANG = "opvang", "een middag of avond opvang bij het steungezin"
    WEEKENDDAG = "weekenddag", "een dag in het weekend"
    PRAKTISCH = "praktisch", "praktische hulp"
    ANDERS = "anders", "anders"


DAGEN = [
    ("ma", "maandag"),
    ("di", "dinsdag"),
    ("wo", "woensdag"),
    ("do", "donderdag"),
    ("vr", "vrijdag"),
    ("za", "zaterdag"),
    ("zo", "zondag"),
]
DAGDELEN = [("ochtend", "ochtend"), ("middag", "middag"), ("avond", "avond")]
# "ma_middag": monday afternoon. Availability and wishes are sets of these.
DAGDEEL_CHOICES = [
    (f"{dag}_{deel}", f"{dag_naam} {deel_naam}")
    for dag, dag_naam in DAGEN
    for deel, deel_naam in DAGDELEN
]
DAGDEEL_LABELS = dict(DAGDEEL_CHOICES)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def today() -> datetime.date:
    return timezone.localdate()


class WijkQuerySet(OrganisatieQuerySet):
    def gemeenten(self) -> list[str]:
        """The gemeenten of these wijken: those the reports and the hours know."""
        return sorted(set(self.values_list("gemeente", flat=True)))

    def for_postcode(self, postcode: str) -> Wijk | None:
        """The wijk whose PC4 areas include this postcode, if any."""
        area = pc4(postcode)
        if not area:
            return None
        return next((wijk for wijk in self if area in wijk.pc4_set), None)


class Wijk(models.Model):
    """A neighbourhood of one organisation; matching prefers the same or an
    adjacent wijk, reports group them by gemeente."""

    organisatie = models.ForeignKey(Organisatie, on_delete=models.PROTECT, related_name="wijken")
    naam = models.CharField("naam", max_length=100)
    gemeente = models.CharField("gemeente", max_length=100)
    postcodes = models.CharField(
        "postcodegebieden (PC4)",
        max_length=1000,
        blank=True,
        help_text="De vier cijfers van elke postcode in deze wijk, gescheiden door komma's: "
        "7551, 7552, 7553.",
    )
    aangrenzend = models.ManyToManyField(
        "self", verbose_name="aangrenzende wijken", blank=True, symmetrical=True
    )

    objects = WijkQuerySet.as_manager()

    class Meta:
        verbose_name = "wijk"
        verbose_name_plural = "wijken"
        ordering = ["gemeente", "naam"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisatie", "naam"],
                name="wijk_naam_uniek",
                violation_error_message="Er is al een wijk met deze naam.",
            ),
        ]

    def __str__(self) -> str:
        return self.naam

    @property
    def pc4_set(self) -> set[str]:
        return {part.strip() for part in self.postcodes.split(",") if part.strip()}

    def clean(self) -> None:
        areas = sorted(self.pc4_set)
        wrong = [area for area in areas if not re.fullmatch(r"[1-9][0-9]{3}", area)]
        if wrong:
            raise ValidationError(
                {"postcodes": f"Geen postcodegebied van vier cijfers: {', '.join(wrong)}."}
            )
        others = Wijk.objects.filter(organisatie_id=self.organisatie_id).exclude(pk=self.pk)
        clashes = [
            f"{area} ({other})" for other in others for area in areas if area in other.pc4_set
        ]
        if clashes:
            raise ValidationError(
                {"postcodes": f"Al ingedeeld bij een andere wijk: {', '.join(clashes)}."}
            )
        self.postcodes = ", ".join(areas)


# "12", "nr. 12", "#12": a record by its number, as the app names records.
# Nine digits at most, so that the number fits the database's integer.
NUMMER_RE = re.compile(r"^(?:nr\.?\s*|#)?(\d{1,9})$", re.IGNORECASE)


def nummer_in(text: str) -> int | None:
    """The record number a search term names, if it is one."""
    match = NUMMER_RE.match(text.strip())
    return int(match.group(1)) if match else None


class GezinQuerySet(OrganisatieQuerySet):
    def visible_to(self, user) -> GezinQuerySet:
        # Volunteer coordinators see only the families of the koppelingen
        # assigned to them, and so far nothing is assigned to anyone.
        if getattr(user, "is_vrijwillig_coordinator", False):
            return self.none()
        return super().visible_to(user)

    def search(self, text: str) -> GezinQuerySet:
        """By family or member name, postcode (with or without its space),
        phone number (part of it as stored, or the whole number written any
        way), e-mail address or number. The list filters and the search box
        of the navigation both search this way; on PostgreSQL trigram
        indexes serve the text columns (migration 0005_zoeken_trigram)."""
        text = " ".join(text.split())
        if not text:
            return self
        postcode = re.sub(r"^(\d{4})\s*([A-Za-z]{1,2})$", r"\1 \2", text).upper()
        condition = (
            Q(naam__icontains=text)
            | Q(postcode__startswith=postcode)
            | Q(telefoon__icontains=text)
            | Q(email__icontains=text)
        )
        with contextlib.suppress(ValidationError):
            condition |= Q(telefoon=normalise_phone(text))
        if (nummer := nummer_in(text)) is not None:
            condition |= Q(pk=nummer)
        # The families and the members each in a query of their own, in a
        # UNION: PostgreSQL then takes each column's index (an OR with a
        # subquery in it scans every family instead), and a family with two
        # matching members comes once. Which of them the user sees, ``self``
        # says.
        gevonden = (
            Gezin.objects.filter(condition)
            .order_by()
            .values("pk")
            .union(Gezinslid.objects.search(text).order_by().values("gezin_id"))
        )
        return self.filter(pk__in=gevonden)

    def resembling(
        self, *, postcode: str = "", huisnummer: str = "", email: str = "", telefoon: str = ""
    ) -> GezinQuerySet:
        """Families that may be the same one: same address, e-mail or phone."""
        condition = Q(pk__in=[])
        if postcode and huisnummer:
            condition |= Q(postcode=postcode, huisnummer__iexact=huisnummer)
        if email:
            condition |= Q(email__iexact=email)
        if telefoon:
            condition |= Q(telefoon=telefoon)
        return self.filter(condition)


class Gezin(models.Model):
    """A household: a vraaggezin or a steungezin (the two subclasses)."""

    class Anonimisering(models.TextChoices):
        """Why the personal data were erased (matching.bewaren)."""

        BEWAARTERMIJN = "bewaartermijn", "de bewaartermijn is verstreken"
        VERZOEK_GEZIN = "verzoek_gezin", "verzoek van het gezin (AVG art. 17)"
        VERZOEK_VERTEGENWOORDIGER = (
            "verzoek_vertegenwoordiger",
            "verzoek van de wettelijk vertegenwoordiger (AVG art. 17)",
        )

    organisatie = models.ForeignKey(Organisatie, on_delete=models.PROTECT, related_name="gezinnen")
    naam = models.CharField(
        "gezinsnaam", max_length=150, help_text="Zoals u het gezin noemt, bijvoorbeeld Jansen."
    )
    straat = models.CharField("straat", max_length=150)
    huisnummer = models.CharField("huisnummer", max_length=10)
    postcode = models.CharField("postcode", max_length=7)
    plaats = models.CharField("plaats", max_length=100)
    telefoon = models.CharField("telefoonnummer", max_length=30, blank=True)
    email = models.EmailField("e-mailadres", blank=True)
    wijk = models.ForeignKey(
        Wijk,
        verbose_name="wijk",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gezinnen",
    )
    talen = models.CharField(
        "gesproken talen",
        max_length=200,
        blank=True,
        help_text="Bijvoorbeeld: Nederlands, Arabisch",
    )
    aangemeld_op = models.DateField("aangemeld op", default=today)
    toestemming_op = models.DateField("toestemming gegeven op", null=True, blank=True)
    toestemming_omvat = models.TextField(
        "toestemming omvat",
        blank=True,
        help_text="Waarvoor het gezin toestemming gaf (vastleggen en delen van gegevens).",
    )
    toestemming_vastgelegd_door = models.ForeignKey(
        User,
        verbose_name="toestemming vastgelegd door",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opmerkingen = models.TextField("opmerkingen", blank=True)
    # Set once the personal data are erased (matching.bewaren): nothing is
    # written to the family after that.
    geanonimiseerd_op = models.DateTimeField(
        "geanonimiseerd op", null=True, blank=True, editable=False
    )
    geanonimiseerd_wegens = models.CharField(
        "geanonimiseerd wegens",
        max_length=30,
        choices=Anonimisering.choices,
        blank=True,
        editable=False,
    )
    # Optimistic locking: a save counts only when nobody saved in between.
    versie = models.PositiveIntegerField(default=1, editable=False)
    aangemaakt_op = models.DateTimeField(auto_now_add=True)
    gewijzigd_op = models.DateTimeField(auto_now=True)

    objects = GezinQuerySet.as_manager()

    class Meta:
        verbose_name = "gezin"
        verbose_name_plural = "gezinnen"
        ordering = ["naam"]
        indexes = [
            models.Index(fields=["organisatie", "postcode", "huisnummer"]),
            models.Index(fields=["organisatie", "email"]),
            models.Index(fields=["organisatie", "telefoon"]),
        ]

    def __str__(self) -> str:
        if self.geanonimiseerd_op:
            return f"Geanonimiseerd gezin nr. {self.pk}"
        return f"Gezin {self.naam}"

    def niet_geanonimiseerd(self) -> str | None:
        """Why nothing can be written to this family any more, or None."""
        if self.geanonimiseerd_op:
            return f"{self} is geanonimiseerd: er kan niets meer aan worden gewijzigd."
        return None

    @property
    def adres(self) -> str:
        return f"{self.straat} {self.huisnummer}, {self.postcode} {self.plaats}"

    def snapshot_extra(self) -> dict[str, str]:
        """The household, for telling what someone else changed (integrity.claim)."""
        return {
            "gezinsleden": "; ".join(
                f"{m.voornaam} {m.achternaam} {m.soort} {m.geboortedatum} {m.krijgt_steun}"
                for m in self.leden.order_by("pk")
            )
        }

    @property
    def initialen(self) -> str:
        """For places where a name says too much (calendar, e-mail)."""
        if self.geanonimiseerd_op:
            return f"nr. {self.pk}"
        return "".join(part[0].upper() + "." for part in self.naam.split() if part[0].isalpha())


class GezinslidQuerySet(models.QuerySet):
    def visible_to(self, user) -> GezinslidQuerySet:
        """The members of the families the user sees."""
        return self.filter(gezin__in=Gezin.objects.visible_to(user))

    def search(self, text: str) -> GezinslidQuerySet:
        """By first name, last name or both: "Sanne de Vries"."""
        text = " ".join(text.split())
        if not text:
            return self
        condition = Q(voornaam__icontains=text) | Q(achternaam__icontains=text)
        voornaam, _, achternaam = text.partition(" ")
        if achternaam:
            condition |= Q(voornaam__icontains=voornaam, achternaam__icontains=achternaam)
        return self.filter(condition)


class Gezinslid(models.Model):
    class Soort(models.TextChoices):
        VOLWASSENE = "volwassene", "volwassene"
        KIND = "kind", "kind"

    gezin = models.ForeignKey(Gezin, on_delete=models.CASCADE, related_name="leden")
    voornaam = models.CharField("voornaam", max_length=100)
    achternaam = models.CharField("achternaam", max_length=150)
    soort = models.CharField("volwassene of kind", max_length=12, choices=Soort.choices)
    geboortedatum = models.DateField("geboortedatum")
    krijgt_steun = models.BooleanField(
        "hulpvraag betreft dit kind",
        default=False,
        help_text="Alleen bij een vraaggezin: voor welke kinderen de steun bedoeld is.",
    )

    objects = GezinslidQuerySet.as_manager()

    class Meta:
        verbose_name = "gezinslid"
        verbose_name_plural = "gezinsleden"
        ordering = ["soort", "geboortedatum"]
        constraints = [
            models.CheckConstraint(
                condition=Q(krijgt_steun=False) | Q(soort="kind"),
                name="alleen_kinderen_krijgen_steun",
                violation_error_message="Alleen kinderen kunnen de steun krijgen.",
            )
        ]

    def __str__(self) -> str:
        # Without a name once the family is anonymised.
        return f"{self.voornaam} {self.achternaam}".strip() or f"{self.soort} nr. {self.pk}"

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.geboortedatum, day)

    @property
    def leeftijd(self) -> int:
        return self.age_on(today())

    def clean(self) -> None:
        if self.geboortedatum and self.geboortedatum > today():
            raise ValidationError(
                {"geboortedatum": "Een geboortedatum kan niet in de toekomst liggen."}
            )
        if self.geboortedatum and self.geboortedatum < datetime.date(1900, 1, 1):
            raise ValidationError({"geboortedatum": "Controleer het geboortejaar."})
        if self.krijgt_steun and self.soort != self.Soort.KIND:
            raise ValidationError({"krijgt_steun": "Alleen kinderen kunnen de steun krijgen."})


class WijkPeriode(models.Model):
    """Where a family lived from a day on: the municipality report counts a
    family in the gemeente of its wijk on the dates that matter, so a move
    never changes a past period's figures. A family without a wijk (outside
    the organisation's wijken) has a period with none."""

    gezin = models.ForeignKey(Gezin, on_delete=models.CASCADE, related_name="wijkperiodes")
    wijk = models.ForeignKey(
        Wijk, verbose_name="wijk", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vanaf = models.DateField("vanaf")

    class Meta:
        verbose_name = "wijk vanaf een datum"
        verbose_name_plural = "wijken door de tijd"
        ordering = ["gezin", "vanaf"]
        constraints = [
            models.UniqueConstraint(fields=["gezin", "vanaf"], name="een_wijk_per_dag"),
        ]

    def __str__(self) -> str:
        return (
            f"gezin nr. {self.gezin_id}: {self.wijk or 'geen wijk'} vanaf {korte_datum(self.vanaf)}"
        )


class Statuswijziging(models.Model):
    """One step in a family's lifecycle: the timeline on its page."""

    gezin = models.ForeignKey(Gezin, on_delete=models.CASCADE, related_name="statuswijzigingen")
    van = models.CharField("van", max_length=20, blank=True)
    naar = models.CharField("naar", max_length=20)
    reden = models.TextField("reden", blank=True)
    door = models.ForeignKey(
        User, verbose_name="door", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    op = models.DateTimeField("op", default=timezone.now)

    class Meta:
        verbose_name = "statuswijziging"
        verbose_name_plural = "statuswijzigingen"
        ordering = ["-op", "-id"]

    def __str__(self) -> str:
        return f"{self.van or 'nieuw'} → {self.naar}"


class Lifecycle(Steps, models.Model):
    """Status with an explicit lifecycle, shared by both kinds of family.

    Subclasses define ``Status`` and ``STEPS``, their transition table (see
    gezinnen.integrity). Every step is taken on a row that the service locked
    with ``integrity.claim`` and is written to the family's timeline.
    """

    STATUS_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def refusal(self, naam: str) -> str | None:
        # An anonymised family takes no step at all, whatever its status.
        return self.niet_geanonimiseerd() or super().refusal(naam)

    def manual_steps(self) -> dict[str, Step]:
        """The steps of the status page that can be taken now."""
        return {
            naam: stap
            for naam, stap in self.STEPS.items()
            if stap.met_de_hand and self.refusal(naam) is None
        }

    def manual_transitions(self) -> list:
        return [self.Status(stap.naar) for stap in self.manual_steps().values()]

    def apply_step(
        self, naam: str, *, door: User | None, reden: str = ""
    ) -> Statuswijziging | None:
        """Take a step of the table on a locked row: set the status and what
        follows from it, and log it in the timeline (None when the status
        stays what it was)."""
        stap = self.check_step(naam, reden=reden)
        van = self.status
        if stap.naar is None or stap.naar == van:
            return None
        self.status = stap.naar
        self.on_status_change(van, stap.naar)
        self.save(update_fields=["status", *self.STATUS_FIELDS])
        return Statuswijziging.objects.create(
            gezin=self, van=van, naar=stap.naar, reden=reden.strip(), door=door
        )

    def on_status_change(self, van: str, naar: str) -> None:
        """Hook for fields that follow the status (e.g. waiting since)."""

    def zonder_lopende_koppeling(self) -> str | None:
        # Reads prefetched koppelingen where the page has them.
        if any(koppeling.is_lopend for koppeling in self.koppelingen.all()):
            return (
                f"{self} heeft nog een lopende koppeling. Sluit die eerst af; dan kan dit gezin "
                "mee de koppeling verlaten."
            )
        return None


class Inzending(models.Model):
    """A submitted form, by its one-time token: a second submission of the
    same form (a double click, a retry) finds the first one's record."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, related_name="+")
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    op = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "verzonden formulier"
        verbose_name_plural = "verzonden formulieren"

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}"


class Vraaggezin(Lifecycle, Gezin):
    class Status(models.TextChoices):
        AANGEMELD = "aangemeld", "aangemeld"
        INTAKE = "intake", "intake"
        WACHTEND = "wachtend", "wachtend"
        GEKOPPELD = "gekoppeld", "gekoppeld"
        AFGESLOTEN = "afgesloten", "afgesloten"
        INGETROKKEN = "ingetrokken", "ingetrokken"

    class Verwijzer(models.TextChoices):
        CONSULTATIEBUREAU = "consultatiebureau", "consultatiebureau"
        HUISARTS = "huisarts", "huisarts of POH"
        WIJKTEAM = "wijkteam", "wijkteam"
        SCHOOL = "school", "school"
        ZELFMELDING = "zelfmelding", "zelfmelding"
        ANDERS = "anders", "anders"

    STEPS = {
        "intake_beginnen": step("de intake", {Status.AANGEMELD}, Status.INTAKE, met_de_hand=True),
        "intake_vastleggen": step(
            "de intake", {Status.AANGEMELD, Status.INTAKE, Status.WACHTEND}, Status.WACHTEND
        ),
        "koppelen": step("koppelen", {Status.WACHTEND}, Status.GEKOPPELD),
        # Its ended koppeling reopened: back in it, also when it had left.
        "koppeling_hervatten": step(
            "de koppeling hervatten", {Status.WACHTEND, Status.AFGESLOTEN}, Status.GEKOPPELD
        ),
        "weer_wachten": step("weer wachten", {Status.GEKOPPELD}, Status.WACHTEND),
        "koppeling_verlaten": step(
            "het programma verlaten", {Status.GEKOPPELD}, Status.AFGESLOTEN, reden_nodig=True
        ),
        "intrekken": step(
            "intrekken",
            {Status.AANGEMELD, Status.INTAKE, Status.WACHTEND},
            Status.INGETROKKEN,
            reden_nodig=True,
            met_de_hand=True,
            voorwaarde="zonder_lopende_koppeling",
        ),
        "afsluiten": step(
            "afsluiten",
            {Status.WACHTEND},
            Status.AFGESLOTEN,
            reden_nodig=True,
            met_de_hand=True,
            voorwaarde="zonder_lopende_koppeling",
        ),
        # A family that comes back starts again from the registration: the
        # intake, pre-filled with what was recorded, says whether it waits.
        "heropenen": step(
            "heropenen",
            {Status.AFGESLOTEN, Status.INGETROKKEN},
            Status.AANGEMELD,
            reden_nodig=True,
            met_de_hand=True,
            knop="heropenen (weer aangemeld)",
        ),
    }
    WAITING = {Status.AANGEMELD, Status.INTAKE, Status.WACHTEND}
    ENDED = {Status.AFGESLOTEN, Status.INGETROKKEN}
    STATUS_FIELDS = ("wacht_sinds",)

    status = models.CharField(
        "status", max_length=20, choices=Status.choices, default=Status.AANGEMELD, db_index=True
    )
    wacht_sinds = models.DateField(
        "wacht sinds",
        null=True,
        blank=True,
        help_text="Sinds de aanmelding, of sinds het einde van de vorige koppeling.",
    )
    hulpvraag = models.TextField("hulpvraag", blank=True)
    ondersteuning = models.JSONField("gewenste steun", default=list, blank=True)
    dagdelen = models.JSONField("voorkeur dagen en dagdelen", default=list, blank=True)
    verwijzer_soort = models.CharField(
        "verwezen door", max_length=20, choices=Verwijzer.choices, default=Verwijzer.ZELFMELDING
    )
    verwijzer_organisatie = models.CharField("organisatie verwijzer", max_length=150, blank=True)
    verwijzer_contactpersoon = models.CharField("contactpersoon", max_length=150, blank=True)
    verwijzer_telefoon = models.CharField("telefoon verwijzer", max_length=30, blank=True)
    verwijzer_email = models.EmailField("e-mail verwijzer", blank=True)
    # Consent (AVG) that the referrer hears when support starts and ends:
    # asked at the referral, changeable by a coordinator, never assumed.
    verwijzer_informeren = models.BooleanField(
        "verwijzer informeren bij start en einde",
        default=False,
        help_text="Het gezin geeft toestemming dat de verwijzer een kort bericht krijgt "
        "als de steun begint en als die stopt, zonder verdere gegevens.",
    )
    verwijzer_informeren_op = models.DateField(
        "toestemming verwijzer informeren vastgelegd op", null=True, blank=True, editable=False
    )
    verwijzer_informeren_door = models.ForeignKey(
        User,
        verbose_name="toestemming verwijzer informeren vastgelegd door",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    intake_op = models.DateField("intake op", null=True, blank=True)
    intake_door = models.ForeignKey(
        User,
        verbose_name="intake door",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "vraaggezin"
        verbose_name_plural = "vraaggezinnen"
        ordering = ["naam"]

    def on_status_change(self, van: str, naar: str) -> None:
        if naar in self.WAITING:
            self.wacht_sinds = self.wacht_sinds or today()
        else:
            self.wacht_sinds = None

    @property
    def zelfmelding(self) -> bool:
        return self.verwijzer_soort == self.Verwijzer.ZELFMELDING

    def verwijzer_niet_informeren(self) -> str | None:
        """Why the referrer gets no notice of a start or an end, or None
        when it does: the one rule, read by the services and the pages."""
        if self.zelfmelding:
            return "het gezin meldde zich zelf aan"
        if not self.verwijzer_informeren:
            return "het gezin gaf geen toestemming om de verwijzer te informeren"
        if not self.verwijzer_email:
            return "er is geen e-mailadres van de verwijzer"
        if self.geanonimiseerd_op:
            return "de gegevens van het gezin zijn verwijderd"
        return None

    @property
    def wachttijd_dagen(self) -> int | None:
        return (today() - self.wacht_sinds).days if self.wacht_sinds else None

    def ondersteuning_labels(self) -> list[str]:
        return [Ondersteuning(v).label for v in self.ondersteuning if v in Ondersteuning.values]

    def dagdeel_labels(self) -> list[str]:
        return [DAGDEEL_LABELS[v] for v in self.dagdelen if v in DAGDEEL_LABELS]


class Steungezin(Lifecycle, Gezin):
    class Status(models.TextChoices):
        AANGEMELD = "aangemeld", "aangemeld"
        IN_SCREENING = "in_screening", "in screening"
        BESCHIKBAAR = "beschikbaar", "beschikbaar"
        GESTOPT = "gestopt", "gestopt"
        AFGEWEZEN = "afgewezen", "afgewezen"

    STEPS = {
        "screening_beginnen": step(
            "de screening", {Status.AANGEMELD}, Status.IN_SCREENING, met_de_hand=True
        ),
        "goedkeuren": step("goedkeuren", {Status.IN_SCREENING}, Status.BESCHIKBAAR),
        "opnieuw_screenen": step(
            "opnieuw screenen", {Status.BESCHIKBAAR}, Status.IN_SCREENING, met_de_hand=True
        ),
        "afwijzen": step(
            "afwijzen",
            {Status.AANGEMELD, Status.IN_SCREENING},
            Status.AFGEWEZEN,
            reden_nodig=True,
            met_de_hand=True,
            voorwaarde="zonder_lopende_koppeling",
        ),
        "stoppen": step(
            "stoppen",
            {Status.AANGEMELD, Status.IN_SCREENING, Status.BESCHIKBAAR},
            Status.GESTOPT,
            reden_nodig=True,
            met_de_hand=True,
            voorwaarde="zonder_lopende_koppeling",
        ),
        # Back from a stop or a rejection: screened again from the start.
        "heropenen": step(
            "heropenen",
            {Status.GESTOPT, Status.AFGEWEZEN},
            Status.AANGEMELD,
            reden_nodig=True,
            met_de_hand=True,
            knop="heropenen (weer aangemeld)",
        ),
    }
    ENDED = {Status.GESTOPT, Status.AFGEWEZEN}

    status = models.CharField(
        "status", max_length=20, choices=Status.choices, default=Status.AANGEMELD, db_index=True
    )
    motivatie = models.TextField("motivatie", blank=True)
    aanbod = models.JSONField("wat zij bieden", default=list, blank=True)
    beschikbaarheid = models.JSONField("beschikbare dagen en dagdelen", default=list, blank=True)
    capaciteit = models.PositiveSmallIntegerField(
        "aantal vraaggezinnen tegelijk",
        default=1,
        validators=[
            MinValueValidator(1, "Minstens één gezin."),
            MaxValueValidator(5, "Hoogstens vijf gezinnen."),
        ],
    )
    leeftijd_van = models.PositiveSmallIntegerField(
        "leeftijd kinderen vanaf", default=0, validators=[MaxValueValidator(17)]
    )
    leeftijd_tot = models.PositiveSmallIntegerField(
        "leeftijd kinderen tot en met", default=12, validators=[MaxValueValidator(17)]
    )
    max_kinderen = models.PositiveSmallIntegerField(
        "hoeveel kinderen tegelijk",
        default=2,
        validators=[MinValueValidator(1, "Minstens één kind."), MaxValueValidator(10)],
    )

    class Meta:
        verbose_name = "steungezin"
        verbose_name_plural = "steungezinnen"
        ordering = ["naam"]
        constraints = [
            models.CheckConstraint(
                condition=Q(leeftijd_van__lte=models.F("leeftijd_tot")),
                name="leeftijd_van_voor_tot",
                violation_error_message="De leeftijd 'vanaf' moet lager zijn dan 'tot en met'.",
            ),
            models.CheckConstraint(condition=Q(capaciteit__gte=1), name="capaciteit_minstens_een"),
        ]

    @property
    def is_beschikbaar(self) -> bool:
        return self.status == self.Status.BESCHIKBAAR

    def aanbod_labels(self) -> list[str]:
        return [Ondersteuning(v).label for v in self.aanbod if v in Ondersteuning.values]

    def dagdeel_labels(self) -> list[str]:
        return [DAGDEEL_LABELS[v] for v in self.beschikbaarheid if v in DAGDEEL_LABELS]
