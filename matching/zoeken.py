"""The search box of the navigation: families, their members and koppelingen
by name, postcode, phone number, e-mail address or number, grouped by kind;
each group its first few, with the count of all and the full list where
there is one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse

from accounts import audit
from accounts.models import User
from gezinnen.models import Gezinslid, Vraaggezin
from gezinnen.views import ALLE, STEUN, VRAAG, Soort
from matching.models import Koppeling

# Results per group; the rest is counted.
TONEN = 5


@dataclass(frozen=True)
class Treffer:
    label: str
    url: str
    over: str  # beside the link: number, status, place


@dataclass(frozen=True)
class Groep:
    titel: str
    aantal: int
    treffers: list[Treffer]
    # The full list, filtered by the same term, where there is one.
    lijst_url: str = ""

    @property
    def meer(self) -> int:
        return self.aantal - len(self.treffers)


@dataclass(frozen=True)
class Zoekresultaat:
    tekst: str
    groepen: list[Groep]

    @property
    def aantal(self) -> int:
        return sum(groep.aantal for groep in self.groepen)


def doorzoeken(*, door: User, tekst: str) -> Zoekresultaat:
    """What the term finds among what ``door`` may see: for a coordinator
    the organisation's vraag- and steungezinnen, members and koppelingen; for
    a volunteer coordinator, who has no family pages, her own koppelingen,
    found by their families' data too. A constant number of queries, two per
    group. Logged as a list view that names each record shown, not the
    term: a search term is personal data (a name, a phone number)."""
    tekst = " ".join(tekst.split())
    groepen, getoond = [], []

    def groep(titel: str, queryset: models.QuerySet, treffer: Callable, lijst_url: str = ""):
        rijen = list(queryset[:TONEN])
        getoond.extend(rijen)
        groepen.append(Groep(titel, queryset.count(), [treffer(r) for r in rijen], lijst_url))

    if door.is_coordinator:
        for soort in (VRAAG, STEUN):
            groep(
                soort.label_plural.capitalize(),
                soort.model.objects.visible_to(door).search(tekst).order_by("naam", "pk"),
                _gezin_treffer(soort),
                f"{soort.list_url}?{urlencode({'q': tekst, 'status': ALLE})}",
            )
        groep(
            "Gezinsleden",
            Gezinslid.objects.visible_to(door)
            .search(tekst)
            .select_related("gezin")
            .annotate(in_vraaggezin=Exists(Vraaggezin.objects.filter(pk=OuterRef("gezin_id"))))
            .order_by("achternaam", "voornaam", "pk"),
            _lid_treffer,
        )
    groep(
        "Koppelingen",
        Koppeling.objects.visible_to(door)
        .search(tekst)
        .select_related("vraaggezin", "steungezin")
        .order_by("-voorgesteld_op", "-pk"),
        _koppeling_treffer,
    )
    audit.lijst_bekeken(door=door, wat="zoeken", records=getoond)
    return Zoekresultaat(tekst, groepen)


def _gezin_treffer(soort: Soort) -> Callable:
    def treffer(gezin) -> Treffer:
        waar = f"{gezin.postcode} {gezin.plaats}".strip()
        over = [f"nr. {gezin.pk}", gezin.get_status_display(), waar]
        return Treffer(
            str(gezin),
            reverse(soort.detail_url_name, args=[gezin.pk]),
            " · ".join(filter(None, over)),
        )

    return treffer


def _lid_treffer(lid: Gezinslid) -> Treffer:
    soort = VRAAG if lid.in_vraaggezin else STEUN
    return Treffer(
        str(lid),
        reverse(soort.detail_url_name, args=[lid.gezin_id]) + "#huishouden",
        f"{lid.get_soort_display()} · {lid.gezin} ({soort.label})",
    )


def _koppeling_treffer(koppeling: Koppeling) -> Treffer:
    return Treffer(
        str(koppeling),
        reverse("matching:detail", args=[koppeling.pk]),
        f"nr. {koppeling.pk} · {koppeling.get_status_display()}",
    )
