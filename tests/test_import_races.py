"""Two coordinators and an import at the same moment (the pattern of
tests/test_races.py: two threads, each its own connection, released together):
the file is imported once, and an undo never takes something recorded
meanwhile with it."""

from functools import partial

import pytest
from django.db import connection

from gezinnen.models import Gezin, Vraaggezin, today
from importeren import lezen, services
from importeren.models import Import
from matching.models import Contactmoment, Koppeling
from matching.services import contactmoment_vastleggen
from tests.factories import OrganisatieFactory, UserFactory, WijkFactory
from tests.importbestand import maak
from tests.test_races import DAY, kind, later, opened, race

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="Row locks need PostgreSQL; CI runs these there."
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 8


def twee_coordinatoren() -> tuple:
    """Carla and Cees of a fresh organisation each round: the same file again
    would be a duplicate of the round before."""
    organisatie = OrganisatieFactory()
    for naam, postcodes in (("Centrum", "7551"), ("Noord", "7552")):
        WijkFactory(organisatie=organisatie, naam=naam, postcodes=postcodes)
    return UserFactory(organisatie=organisatie), UserFactory(organisatie=organisatie)


def gecontroleerd(door, **kwargs) -> Import:
    inhoud = maak(today(), fouten=False, **kwargs).inhoud
    rijen = lezen.bestanden_lezen([("programma.xlsx", inhoud)])
    return services.import_controleren(
        import_=services.import_aanmaken(door=door, bestanden=["programma.xlsx"], rijen=rijen)
    )


def test_two_coordinators_clicking_invoeren_at_once_import_once():
    for _ in range(ROUNDS // 2):
        coordinator, colleague = twee_coordinatoren()
        import_ = gecontroleerd(coordinator, vraag=2, steun=1, koppelingen=1)
        voor = Gezin.objects.count()
        keuzes = race(
            *(
                partial(
                    services.import_goedkeuren,
                    door=door,
                    import_=opened(import_),
                    alleen_geldige=False,
                )
                for door in (coordinator, colleague)
            )
        )
        assert sorted(map(kind, keuzes)) == ["TransitionError", "ok"]
        # And the task, enqueued once, run twice by two workers.
        runs = race(*(partial(services.import_invoeren, import_=opened(import_)) for _ in "ab"))
        assert sorted(map(kind, runs)) == ["TransitionError", "ok"]
        assert Gezin.objects.count() == voor + 3
        assert Import.objects.get(pk=import_.pk).status == Import.Status.INGEVOERD


def test_an_undo_never_takes_a_contactmoment_recorded_meanwhile():
    for ronde in range(ROUNDS):
        coordinator, colleague = twee_coordinatoren()
        import_ = services.import_invoeren(
            import_=services.import_goedkeuren(
                door=coordinator,
                import_=gecontroleerd(coordinator, vraag=1, steun=1, koppelingen=1),
                alleen_geldige=False,
            )
        )
        koppeling = Koppeling.objects.get(pk__in=import_.gemaakt["koppelingen"])
        ongedaan, contact = race(
            partial(services.import_ongedaan_maken, door=coordinator, import_=opened(import_)),
            later(
                0.01 * (ronde % 4),
                partial(
                    contactmoment_vastleggen,
                    door=colleague,
                    koppeling=opened(koppeling),
                    datum=DAY,
                    met="beide",
                    hoe="telefoon",
                    verloop="goed",
                ),
            ),
        )
        # Either the undo came first (and the check-in finds no koppeling), or
        # the check-in did (and the undo is refused): never both, nothing lost.
        if kind(contact) == "ok":
            assert Contactmoment.objects.filter(pk=contact.pk).exists(), ronde
            assert kind(ongedaan) == "TransitionError", ronde
            assert Vraaggezin.objects.filter(pk=koppeling.vraaggezin_id).exists()
        else:
            assert kind(ongedaan) == "ok", (ronde, contact)
            assert not Koppeling.objects.filter(pk=koppeling.pk).exists()
