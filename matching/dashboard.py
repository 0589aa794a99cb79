"""What is due: the coordinator's dashboard, the agenda and the daily digest
all read it from here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from accounts.models import User
from gezinnen.models import Steungezin, Vraaggezin, Wijk
from matching.models import Evaluatie, Koppeling, Signaal
from screening.rules import vog_werk, with_screening

STIL_DAGEN = 21  # a screening without progress for three weeks


@dataclass
class Due:
    """Everything that waits for the coordinator(s), each a list of records."""

    checkins_overdue: list = field(default_factory=list)
    checkins_this_week: list = field(default_factory=list)
    evaluaties: list = field(default_factory=list)  # (koppeling, soort, date)
    kennismakingen: list = field(default_factory=list)
    nieuw_vraag: list = field(default_factory=list)
    nieuw_steun: list = field(default_factory=list)
    screening_stil: list = field(default_factory=list)  # (steungezin, last activity)
    vog_aanvragen: list = field(default_factory=list)  # (steungezin, lid)
    vog_verlopend: list = field(default_factory=list)  # (steungezin, lid, until)
    wordt_18: list = field(default_factory=list)  # (steungezin, lid)
    signalen: list = field(default_factory=list)
    lang_wachtend: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


def koppelingen_due(koppelingen, day: datetime.date, due: Due) -> None:
    """Check-ins, evaluations and kennismakingen of these koppelingen."""
    week_end = day + datetime.timedelta(days=6 - day.weekday())
    actief = list(
        koppelingen.actief()
        .select_related("vraaggezin", "steungezin", "organisatie")
        .prefetch_related(
            Prefetch("evaluaties", queryset=Evaluatie.objects.only("soort", "koppeling"))
        )
        .order_by("volgende_contact_op")
    )
    for koppeling in actief:
        if koppeling.volgende_contact_op and koppeling.volgende_contact_op < day:
            due.checkins_overdue.append(koppeling)
        elif koppeling.volgende_contact_op and koppeling.volgende_contact_op <= week_end:
            due.checkins_this_week.append(koppeling)
        evaluatie = koppeling.evaluatie_due(list(koppeling.evaluaties.all()))
        if evaluatie and evaluatie[1] <= week_end:
            due.evaluaties.append((koppeling, Evaluatie.Soort(evaluatie[0]).label, evaluatie[1]))
    due.kennismakingen = list(
        koppelingen.filter(
            status=Koppeling.Status.KENNISMAKING,
            kennismaking_op__gte=day - datetime.timedelta(days=7),
            kennismaking_uitkomst="",
        )
        .select_related("vraaggezin", "steungezin")
        .order_by("kennismaking_op")
    )
    due.signalen = list(
        Signaal.objects.open()
        .filter(koppeling__in=koppelingen)
        .select_related("koppeling__vraaggezin", "koppeling__steungezin")
        .order_by("gemeld_op")
    )


def organisatie_due(user: User, day: datetime.date, due: Due) -> None:
    """New sign-ups, screening and waiting families: nobody's own yet."""
    vraag = Vraaggezin.objects.visible_to(user)
    due.nieuw_vraag = list(
        vraag.filter(status=Vraaggezin.Status.AANGEMELD).order_by("aangemeld_op")
    )
    due.nieuw_steun = list(
        Steungezin.objects.visible_to(user)
        .filter(status=Steungezin.Status.AANGEMELD)
        .order_by("aangemeld_op")
    )
    limit = day - datetime.timedelta(weeks=user.organisatie.wachttijd_limiet_weken)
    due.lang_wachtend = list(
        vraag.filter(status__in=Vraaggezin.WAITING, wacht_sinds__lt=limit).order_by("wacht_sinds")
    )
    steungezinnen = list(
        with_screening(
            Steungezin.objects.visible_to(user).filter(
                status__in=[Steungezin.Status.IN_SCREENING, Steungezin.Status.BESCHIKBAAR]
            )
        ).prefetch_related("statuswijzigingen", "referenties")
    )
    for gezin in steungezinnen:
        if gezin.status == Steungezin.Status.IN_SCREENING:
            last = _last_activity(gezin)
            if (day - last).days >= STIL_DAGEN:
                due.screening_stil.append((gezin, last))
    werk = vog_werk(steungezinnen, day)
    due.vog_aanvragen = werk.aan_te_vragen
    due.vog_verlopend = [(gezin, lid, until) for gezin, lid, _, until in werk.verlopend]
    due.wordt_18 = werk.wordt_18


def _last_activity(gezin: Steungezin) -> datetime.date:
    dates = [s.op.date() for s in gezin.statuswijzigingen.all()]
    dates += [g.datum for g in gezin.screeningsgesprekken.all()]
    dates += [r.benaderd_op for r in gezin.referenties.all()]
    dates += [v.bijgewerkt_op.date() for lid in gezin.leden.all() for v in lid.vogs.all()]
    dates += [d.training.datum for lid in gezin.leden.all() for d in lid.deelnames.all()]
    return max(dates, default=gezin.aangemeld_op)


def coordinator_due(user: User, day: datetime.date, *, mine: bool) -> Due:
    due = Due()
    koppelingen = Koppeling.objects.visible_to(user)
    if mine:
        koppelingen = koppelingen.filter(coordinator=user)
    koppelingen_due(koppelingen, day, due)
    organisatie_due(user, day, due)
    return due


def volunteer_due(user: User, day: datetime.date) -> Due:
    due = Due()
    koppelingen_due(Koppeling.objects.visible_to(user), day, due)
    due.evaluaties = []  # evaluations are the professional's
    due.signalen = []  # and so is handling signals
    return due


def figures(user: User) -> dict:
    vraag = Vraaggezin.objects.visible_to(user)
    return {
        "actief": Koppeling.objects.visible_to(user).actief().count(),
        "wachtend": vraag.filter(status__in=Vraaggezin.WAITING).count(),
        "beschikbaar": Steungezin.objects.visible_to(user)
        .filter(status=Steungezin.Status.BESCHIKBAAR)
        .count(),
    }


def vraag_en_aanbod(user: User) -> list[Wijk]:
    """Per wijk: waiting vraaggezinnen against steungezinnen with room."""
    wijken = Wijk.objects.visible_to(user).annotate(
        vraag=Count(
            "gezinnen",
            filter=Q(gezinnen__vraaggezin__status__in=Vraaggezin.WAITING),
            distinct=True,
        ),
        aanbod=Count(
            "gezinnen",
            filter=Q(gezinnen__steungezin__status=Steungezin.Status.BESCHIKBAAR),
            distinct=True,
        ),
    )
    return [w for w in wijken if w.vraag or w.aanbod]


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
