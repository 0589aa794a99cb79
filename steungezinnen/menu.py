"""The main menu of each role, and which of its items is the current section.

A page belongs to the section its address starts with, the first crumb of its
breadcrumb: ``/steungezinnen/12/vog/3/`` is a page of Steungezinnen whichever
app serves it, ``/vraaggezinnen/7/suggesties/`` one of Vraaggezinnen. So a new
page needs no change here, only an address under its section.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    sectie: str


COORDINATOR = (
    Item("Dashboard", "home", ""),
    Item("Vraaggezinnen", "gezinnen:vraaggezin-list", "vraaggezinnen"),
    Item("Steungezinnen", "gezinnen:steungezin-list", "steungezinnen"),
    Item("Screening", "screening:overzicht", "screening"),
    Item("Trainingen", "screening:trainingen", "trainingen"),
    Item("Koppelingen", "matching:list", "koppelingen"),
    Item("Agenda", "matching:agenda", "agenda"),
    Item("Uren", "matching:uren", "uren"),
    Item("Rapportage", "reports:gemeente", "rapportage"),
)
VRIJWILLIG_COORDINATOR = (
    Item("Mijn gezinnen", "home", ""),
    Item("Mijn koppelingen", "matching:list", "koppelingen"),
    Item("Agenda", "matching:agenda", "agenda"),
)

# Sections without a menu item of their own: a signal belongs to its koppeling.
ONDER = {"signalen": "koppelingen"}


def sectie(path: str) -> str:
    """The section of a page address: its first segment."""
    eerste = path.strip("/").split("/", 1)[0]
    return ONDER.get(eerste, eerste)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    actief: bool
    # The link is the page itself (aria-current="page"), not only its section.
    pagina: bool


def menu(request: HttpRequest) -> dict:
    """Context processor: ``menu``, the links of the user's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    if user.is_coordinator:
        items = COORDINATOR
    elif user.is_vrijwillig_coordinator:
        items = VRIJWILLIG_COORDINATOR
    else:
        items = ()
    huidig = sectie(request.path_info)
    links = []
    for item in items:
        url = reverse(item.url_name)
        links.append(Link(item.label, url, item.sectie == huidig, url == request.path))
    return {"menu": links}
