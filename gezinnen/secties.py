"""Cards that the apps below gezinnen add to a family's page (DESIGN §6: an
app imports only from those above it), such as the documents of matching.
Each app registers a maker in its ``AppConfig.ready``; the page shows what
the makers return for the family and the user, in the order registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from accounts.models import User
from gezinnen.models import Gezin


class Sectie(Protocol):
    """A card: the template that shows it gets the object as ``sectie``."""

    template: str


Maker = Callable[[Gezin, User], Sectie | None]

_MAKERS: list[Maker] = []


def sectie(maker: Maker) -> Maker:
    """Add a card to the family's page (called once, from an AppConfig.ready)."""
    if maker not in _MAKERS:
        _MAKERS.append(maker)
    return maker


def secties_voor(gezin: Gezin, user: User) -> list[Sectie]:
    return [found for maker in _MAKERS if (found := maker(gezin, user)) is not None]
