"""Corrections on the screening page (issue 16).

A recorded screening item (a conversation, a reference, a VOG, a training
attended) is corrected or withdrawn through matching's one mechanism for
every kind of item (matching.correcties: its Correctie and its pages). This
app may not name matching's models or URLs (DESIGN §6), so matching hands it,
in its ``AppConfig.ready``, the function that marks a page's items:

- ``item.geschiedenis``: its corrections, oldest first, and
  ``item.gecorrigeerd``: the latest (None when there is none);
- ``item.corrigeren_url`` and ``item.intrekken_url``: for whoever may
  correct it, else absent;

and returns the family's withdrawn items, each with ``titel``,
``geschiedenis``, ``intrekking`` and ``soort`` (the model's name: "vog").
Without a marker the page shows its items unmarked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models

from accounts.models import User
from gezinnen.models import Steungezin

Markeerder = Callable[[Steungezin, User, list[models.Model]], list[Any]]

_MARKEERDERS: list[Markeerder] = []


def markeerder(maker: Markeerder) -> Markeerder:
    """Register the marker (called once, from an AppConfig.ready)."""
    if maker not in _MARKEERDERS:
        _MARKEERDERS.append(maker)
    return maker


def markeren(steungezin: Steungezin, user: User, items: Iterable[models.Model]) -> list[Any]:
    """Mark the items of one steungezin's page; its withdrawn items."""
    items = list(items)
    return [weg for maker in _MARKEERDERS for weg in maker(steungezin, user, items)]
