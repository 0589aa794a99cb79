"""What is due: the coordinator's dashboard, the agenda and the daily digest
all read it from here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from accounts.models import User
from gezinnen.models import Steungezin, Vraaggezin, Wijk
from matching import bewaren
from matching.models import Evaluatie, Koppeling, Signaal, namen_ophalen
from screening import stand
from screening.overzicht import LIJSTEN as SCREENINGSLIJSTEN
from screening.stand import Deel, Lijst

# The dashboard names the families whose data go within this many days.
ANONIMISEREN_VOORUIT_DAGEN = 30


@dataclass(frozen=True)
class Bereik:
    """What a user's dashboard lists come from: the koppelingen (with "mijn",
    only the coordinator's own), vraaggezinnen and steungezinnen they see."""

    user: User
    koppelingen: QuerySet
    vraag: QuerySet
    steun: QuerySet

    @classmethod
    def van(cls, user: User, *, mine: bool = False) -> Bereik:
        koppelingen = Koppeling.objects.visible_to(user)
        if mine:
            koppelingen = koppelingen.filter(coordinator=user)
        return cls(
            user,
            koppelingen,
            Vraaggezin.objects.visible_to(user),
            Steungezin.objects.visible_to(user),
        )


def _actief(bereik: Bereik) -> QuerySet:
    return bereik.koppelingen.actief()


def _week_end(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=6 - day.weekday())


def _evaluatie_rijen(koppelingen: list, day: datetime.date) -> list:
    return [
        (k, Evaluatie.Soort(k.volgende_evaluatie_soort).label, k.volgende_evaluatie_op)
        for k in koppelingen
    ]


# The dashboard's own lists, from the stored dates of each koppeling and
# family; ``?lijst=<name>`` shows one in full.
LIJSTEN = {
    "signalen": Lijst(
        "Open signalen",
        lambda b, day: (
            Signaal.objects.open()
            .filter(koppeling__in=b.koppelingen)
            .select_related("koppeling")
            .order_by("gemeld_op", "pk")
        ),
        ophalen=namen_ophalen,
    ),
    "checkins_overdue": Lijst(
        "Contactmomenten over tijd",
        lambda b, day: (
            _actief(b).filter(volgende_contact_op__lt=day).order_by("volgende_contact_op", "pk")
        ),
        ophalen=namen_ophalen,
    ),
    "checkins_this_week": Lijst(
        "Contactmomenten deze week",
        lambda b, day: (
            _actief(b)
            .filter(volgende_contact_op__range=(day, _week_end(day)))
            .order_by("volgende_contact_op", "pk")
        ),
        ophalen=namen_ophalen,
    ),
    "evaluaties": Lijst(
        "Evaluaties",
        lambda b, day: (
            _actief(b)
            .filter(volgende_evaluatie_op__lte=_week_end(day))
            .order_by("volgende_evaluatie_op", "pk")
        ),
        _evaluatie_rijen,
        ophalen=namen_ophalen,
    ),
    "kennismakingen": Lijst(
        "Kennismakingen",
        lambda b, day: b.koppelingen.filter(
            status=Koppeling.Status.KENNISMAKING,
            kennismaking_op__gte=day - datetime.timedelta(days=7),
            kennismaking_uitkomst="",
        ).order_by("kennismaking_op", "pk"),
        ophalen=namen_ophalen,
    ),
    "nieuw_vraag": Lijst(
        "Nieuwe vraaggezinnen",
        lambda b, day: b.vraag.filter(status=Vraaggezin.Status.AANGEMELD).order_by(
            "aangemeld_op", "pk"
        ),
    ),
    "nieuw_steun": Lijst(
        "Nieuwe steungezinnen",
        lambda b, day: b.steun.filter(status=Steungezin.Status.AANGEMELD).order_by(
            "aangemeld_op", "pk"
        ),
    ),
    "lang_wachtend": Lijst(
        "Wachten te lang",
        lambda b, day: b.vraag.filter(
            status__in=Vraaggezin.WAITING,
            wacht_sinds__lt=day
            - datetime.timedelta(weeks=b.user.organisatie.wachttijd_limiet_weken),
        ).order_by("wacht_sinds", "pk"),
    ),
    "anonimiseren": Lijst(
        f"Binnen {ANONIMISEREN_VOORUIT_DAGEN} dagen geanonimiseerd",
        lambda b, day: bewaren.TeAnonimiseren(
            b.user.organisatie, day, binnen_dagen=ANONIMISEREN_VOORUIT_DAGEN
        ),
    ),
}
# The screening lists on the dashboard (screening.overzicht shows them in full).
SCREENING = {
    "screening_stil": "stil",
    "vog_aanvragen": "aan_te_vragen",
    "vog_verlopend": "verlopend",
    "wordt_18": "wordt_18",
}
# What a volunteer coordinator's digest names: their koppelingen' dates.
VRIJWILLIGER = ("checkins_overdue", "checkins_this_week", "kennismakingen")


@dataclass
class Due:
    """Everything that waits for the coordinator(s): each a bounded list
    (``Deel``) of its first rows and how many there are."""

    checkins_overdue: Deel = field(default_factory=Deel.leeg)
    checkins_this_week: Deel = field(default_factory=Deel.leeg)
    evaluaties: Deel = field(default_factory=Deel.leeg)  # rows (koppeling, soort, date)
    kennismakingen: Deel = field(default_factory=Deel.leeg)
    nieuw_vraag: Deel = field(default_factory=Deel.leeg)
    nieuw_steun: Deel = field(default_factory=Deel.leeg)
    screening_stil: Deel = field(default_factory=Deel.leeg)  # rows (steungezin, last activity)
    vog_aanvragen: Deel = field(default_factory=Deel.leeg)  # rows (steungezin, lid)
    vog_verlopend: Deel = field(default_factory=Deel.leeg)  # rows (steungezin, lid, vog, until)
    wordt_18: Deel = field(default_factory=Deel.leeg)  # rows (steungezin, lid)
    signalen: Deel = field(default_factory=Deel.leeg)
    lang_wachtend: Deel = field(default_factory=Deel.leeg)
    anonimiseren: Deel = field(default_factory=Deel.leeg)  # rows bewaren.Termijn

    @property
    def delen(self) -> list[Deel]:
        return [getattr(self, name) for name in self.__dataclass_fields__]

    @property
    def empty(self) -> bool:
        return not any(deel.aantal for deel in self.delen)


def coordinator_due(user: User, day: datetime.date, *, mine: bool) -> Due:
    bereik = Bereik.van(user, mine=mine)
    stand.verouderde_bijwerken(day, organisatie_id=user.organisatie_id)
    lijsten = [(naam, lijst, bereik) for naam, lijst in LIJSTEN.items()]
    lijsten += [
        (naam, SCREENINGSLIJSTEN[screeningslijst], bereik.steun)
        for naam, screeningslijst in SCREENING.items()
    ]
    return _due(lijsten, day)


def volunteer_due(user: User, day: datetime.date) -> Due:
    """Evaluations and signals are the professional's: only the dates."""
    bereik = Bereik.van(user)
    return _due([(naam, LIJSTEN[naam], bereik) for naam in VRIJWILLIGER], day)


def _due(lijsten: list[tuple[str, Lijst, object]], day: datetime.date) -> Due:
    delen = stand.delen([(lijst, scope) for _, lijst, scope in lijsten], day)
    return Due(**{naam: deel for (naam, _, _), deel in zip(lijsten, delen, strict=True)})


def lijst(user: User, naam: str, day: datetime.date, *, mine: bool, pagina) -> dict | None:
    """One of the dashboard's lists in full, a page at a time (None for a name
    that is none of them)."""
    if naam not in LIJSTEN:
        return None
    page, rijen, aantal = LIJSTEN[naam].pagina(Bereik.van(user, mine=mine), day, pagina)
    return {"naam": naam, "lijst": LIJSTEN[naam], "page": page, "rijen": rijen, "aantal": aantal}


def vraag_en_aanbod(user: User) -> tuple[dict, list[Wijk]]:
    """The dashboard's figures (running koppelingen, waiting vraaggezinnen,
    available steungezinnen) and, per wijk, waiting vraaggezinnen against
    available steungezinnen: counted per wijk from the organisation's
    families (by its index), the totals summed from those counts."""

    def per_wijk(gezinnen: QuerySet) -> dict[int | None, int]:
        return dict(gezinnen.values_list("wijk_id").annotate(n=Count("pk")).order_by())

    vraag = per_wijk(Vraaggezin.objects.visible_to(user).filter(status__in=Vraaggezin.WAITING))
    aanbod = per_wijk(
        Steungezin.objects.visible_to(user).filter(status=Steungezin.Status.BESCHIKBAAR)
    )
    figures = {
        "actief": Koppeling.objects.visible_to(user).actief().count(),
        "wachtend": sum(vraag.values()),
        "beschikbaar": sum(aanbod.values()),
    }
    wijken = list(Wijk.objects.visible_to(user).filter(pk__in=vraag.keys() | aanbod.keys()))
    for wijk in wijken:
        wijk.vraag, wijk.aanbod = vraag.get(wijk.pk, 0), aanbod.get(wijk.pk, 0)
    return figures, wijken


def mijn_koppelingen(user: User) -> list[Koppeling]:
    """A volunteer coordinator's running matches, with the last check-in."""
    koppelingen = list(
        Koppeling.objects.visible_to(user)
        .lopend()
        .select_related("vraaggezin", "steungezin")
        .prefetch_related("contactmomenten")
        .order_by("volgende_contact_op", "pk")
    )
    for koppeling in koppelingen:
        koppeling.laatste_contact = max(
            koppeling.contactmomenten.all(), key=lambda c: (c.datum, c.pk), default=None
        )
    return koppelingen
