"""Two people at the same moment: each pair of steps that touch the same rows
runs in two threads, each with its own database connection, released
together, for many rounds on fresh records. After every round nothing is lost
and the rules hold, whichever thread got the lock first.

Row locks need PostgreSQL; CI runs these tests there.
"""

import datetime
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection, connections

from accounts.models import AuditEntry
from gezinnen.integrity import TransitionError, new_token, once
from gezinnen.models import Inzending, Statuswijziging, Steungezin, today
from gezinnen.services import gezin_status_wijzigen, gezin_wijzigen, intake_vastleggen
from matching.correcties import corrigeren, intrekken
from matching.models import Contactmoment, CoordinatieUren, Correctie, Koppeling, maandag_van
from matching.services import (
    contactmoment_vastleggen,
    koppeling_afsluiten,
    koppeling_begeleiding,
    koppeling_starten,
    uren_vastleggen,
)
from screening.models import ScreeningGesprek, Training, TrainingDeelname
from screening.services import steungezin_goedkeuren
from tests.factories import (
    KoppelingFactory,
    UserFactory,
    VraaggezinFactory,
    WijkFactory,
    approved_steungezin,
)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="Row locks need PostgreSQL; CI runs these there."
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 15
DAY = today()


def race(*steps: Callable[[], object]) -> list[object]:
    """Run the steps at once, one thread each; per step what it returned or raised."""
    barrier = threading.Barrier(len(steps), timeout=10)
    outcomes: list[object] = [None] * len(steps)

    def run(index: int, step: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = step()
        except Exception as error:  # the round's assertions judge it
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=args) for args in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a step never finished"
    return outcomes


def later(seconds: float, step: Callable[[], object]) -> Callable[[], object]:
    """The step a moment after the other one, so that both orders occur."""

    def delayed() -> object:
        time.sleep(seconds)
        return step()

    return delayed


def kind(outcome: object) -> str:
    return type(outcome).__name__ if isinstance(outcome, Exception) else "ok"


def opened(obj):
    """The record as the person's form loaded it (each thread its own copy)."""
    return type(obj)._default_manager.get(pk=obj.pk)


def changes_audited(obj) -> int:
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=AuditEntry.Action.CHANGE
    ).count()


def timeline_agrees(gezin) -> bool:
    return gezin.statuswijzigingen.first().naar == gezin.status


def go_koppeling(organisatie, **kwargs) -> Koppeling:
    """A koppeling after a 'go' at the kennismaking: ready to start."""
    kwargs.setdefault("steungezin", approved_steungezin(organisatie))
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        status="kennismaking",
        kennismaking_uitkomst="go",
        start_op=None,
        vraaggezin__status="wachtend",
        **kwargs,
    )
    Statuswijziging.objects.create(gezin=koppeling.vraaggezin, naar="wachtend")
    return koppeling


def starting(door, koppeling: Koppeling) -> Callable[[], Koppeling]:
    return partial(
        koppeling_starten,
        door=door,
        koppeling=opened(koppeling),
        start_op=DAY,
        afspraken="Speelmiddag",
        frequentie="wekelijks",
        kinderen=list(koppeling.vraaggezin.leden.filter(soort="kind").values_list("pk", flat=True)),
        gepland_einde=None,
        proefperiode_tot=DAY + datetime.timedelta(weeks=8),
        versie=koppeling.versie,
    )


@pytest.fixture
def colleague(organisatie):
    return UserFactory(organisatie=organisatie, first_name="Karin")


def test_it_keeps_an_edit_and_an_intake_on_one_version_apart(organisatie, coordinator, colleague):
    for ronde in range(ROUNDS):
        gezin = VraaggezinFactory(organisatie=organisatie, status="aangemeld", hulpvraag="")
        Statuswijziging.objects.create(gezin=gezin, naar="aangemeld")
        kind_pk = gezin.leden.get(soort="kind").pk
        edit, intake = race(
            partial(
                gezin_wijzigen,
                door=coordinator,
                gezin=opened(gezin),
                versie=gezin.versie,
                gegevens={"plaats": "Borne", "hulpvraag": "oud"},
            ),
            partial(
                intake_vastleggen,
                door=colleague,
                vraaggezin=opened(gezin),
                versie=gezin.versie,
                intake_op=DAY,
                hulpvraag="nieuw",
                ondersteuning=["speelmiddag"],
                dagdelen=["wo_middag"],
                kinderen=[kind_pk],
            ),
        )
        assert sorted([kind(edit), kind(intake)]) == ["EditConflict", "ok"], (ronde, edit, intake)
        now = opened(gezin)
        if kind(intake) == "ok":
            assert (now.plaats, now.hulpvraag, now.status) == ("Hengelo", "nieuw", "wachtend")
            assert (now.intake_op, now.intake_door) == (DAY, colleague)
        else:
            assert (now.plaats, now.hulpvraag, now.status) == ("Borne", "oud", "aangemeld")
            assert now.intake_op is None
            assert not now.leden.get(pk=kind_pk).krijgt_steun
        assert now.versie == gezin.versie + 1, ronde
        assert changes_audited(now) == 1, ronde
        assert timeline_agrees(now), ronde


def test_it_keeps_the_timeline_and_the_status_together_under_an_edit(
    organisatie, coordinator, colleague
):
    for ronde in range(ROUNDS):
        gezin = VraaggezinFactory(organisatie=organisatie, status="aangemeld")
        Statuswijziging.objects.create(gezin=gezin, naar="aangemeld")
        edit, withdraw = race(
            partial(
                gezin_wijzigen,
                door=coordinator,
                gezin=opened(gezin),
                versie=gezin.versie,
                gegevens={"plaats": "Borne"},
            ),
            partial(
                gezin_status_wijzigen,
                door=colleague,
                gezin=opened(gezin),
                naar="ingetrokken",
                reden="Het gezin ziet ervan af.",
                versie=gezin.versie,
            ),
        )
        assert sorted([kind(edit), kind(withdraw)]) == ["EditConflict", "ok"], (
            ronde,
            edit,
            withdraw,
        )
        now = opened(gezin)
        assert timeline_agrees(now), ronde
        if kind(withdraw) == "ok":
            assert (now.status, now.plaats, now.wacht_sinds) == ("ingetrokken", "Hengelo", None)
            assert now.statuswijzigingen.count() == 2
        else:
            assert (now.status, now.plaats) == ("aangemeld", "Borne")
            assert now.statuswijzigingen.count() == 1
        assert changes_audited(now) == 1, ronde


def test_an_edit_never_puts_a_coupled_family_back_to_waiting(organisatie, coordinator, colleague):
    for ronde in range(ROUNDS):
        koppeling = go_koppeling(organisatie)
        gezin = koppeling.vraaggezin
        # The start takes its locks first, so the edit often starts later.
        edit, start = race(
            later(
                ronde % 5 * 0.02,
                partial(
                    gezin_wijzigen,
                    door=colleague,
                    gezin=opened(gezin),
                    versie=gezin.versie,
                    gegevens={"plaats": "Borne", "hulpvraag": "oud"},
                ),
            ),
            starting(coordinator, koppeling),
        )
        assert kind(start) == "ok", (ronde, start)
        assert kind(edit) in {"ok", "EditConflict"}, (ronde, edit)
        koppeling.refresh_from_db()
        now = opened(gezin)
        assert (koppeling.status, now.status, now.wacht_sinds) == ("actief", "gekoppeld", None)
        assert timeline_agrees(now), ronde
        # The edit counts only when it came first; then the start kept it.
        expected = ("Borne", "oud") if kind(edit) == "ok" else ("Hengelo", gezin.hulpvraag)
        assert (now.plaats, now.hulpvraag) == expected, ronde


def test_a_closed_koppeling_is_never_reopened_by_a_change_of_guidance(
    organisatie, coordinator, colleague
):
    for ronde in range(ROUNDS):
        koppeling = KoppelingFactory(
            organisatie=organisatie,
            steungezin=approved_steungezin(organisatie),
            coordinator=coordinator,
        )
        close, guide = race(
            partial(
                koppeling_afsluiten,
                door=coordinator,
                koppeling=opened(koppeling),
                einde_op=DAY,
                reden="verhuisd",
                uitkomst="Verhuisd",
                vraaggezin_naar="wachtend",
                steungezin_naar="beschikbaar",
                doel_bereikt="deels",
                versie=koppeling.versie,
            ),
            partial(
                koppeling_begeleiding,
                door=colleague,
                koppeling=opened(koppeling),
                coordinator=colleague,
                vrijwilliger=None,
                professional_nodig=True,
                versie=koppeling.versie,
            ),
        )
        assert [kind(close), kind(guide)].count("ok") == 1, (ronde, close, guide)
        assert {kind(close), kind(guide)} - {"ok"} <= {"EditConflict", "TransitionError"}, (
            ronde,
            close,
            guide,
        )
        now = opened(koppeling)
        vraag = opened(koppeling.vraaggezin)
        if kind(close) == "ok":
            assert (now.status, now.einde_reden, now.einde_op) == ("afgesloten", "verhuisd", DAY)
            assert (now.coordinator, now.professional_nodig) == (coordinator, False)
            assert vraag.status == "wachtend"
        else:
            assert (now.status, now.einde_op) == ("actief", None)
            assert (now.coordinator, now.professional_nodig) == (colleague, True)
            assert vraag.status == "gekoppeld"
        assert changes_audited(now) == 1, ronde


def test_two_starts_never_exceed_a_capacity_of_one(organisatie, coordinator, colleague):
    for ronde in range(ROUNDS):
        steungezin = approved_steungezin(organisatie, capaciteit=1)
        first, second = (go_koppeling(organisatie, steungezin=steungezin) for _ in range(2))
        outcomes = race(starting(coordinator, first), starting(colleague, second))
        assert sorted(map(kind, outcomes)) == ["TransitionError", "ok"], (ronde, outcomes)
        refused = next(o for o in outcomes if isinstance(o, TransitionError))
        assert "geen plek" in str(refused), ronde
        assert Koppeling.objects.filter(steungezin=steungezin, status="actief").count() == 1
        for koppeling, outcome in zip((first, second), outcomes, strict=True):
            koppeling.refresh_from_db()
            vraag = opened(koppeling.vraaggezin)
            started = kind(outcome) == "ok"
            assert koppeling.status == ("actief" if started else "kennismaking"), ronde
            assert vraag.status == ("gekoppeld" if started else "wachtend"), ronde
            assert timeline_agrees(vraag), ronde


def test_two_approvals_at_once_approve_once(organisatie, coordinator, colleague):
    training = Training.objects.create(
        organisatie=organisatie, datum=DAY, titel="Basis", trainer="T", plaats="P"
    )
    for ronde in range(ROUNDS):
        steungezin = approved_steungezin(organisatie, status="in_screening")
        for soort in ("kennismaking", "huisbezoek"):
            ScreeningGesprek.objects.create(
                steungezin=steungezin, soort=soort, datum=DAY, door=coordinator
            )
        TrainingDeelname.objects.create(training=training, gezinslid=steungezin.leden.get())
        # From the page (the version the form was opened on) or from a command.
        versie = steungezin.versie if ronde % 2 else None
        outcomes = race(
            *(
                partial(
                    steungezin_goedkeuren, door=user, steungezin=opened(steungezin), versie=versie
                )
                for user in (coordinator, colleague)
            )
        )
        loser = "EditConflict" if versie else "TransitionError"
        assert sorted(map(kind, outcomes)) == [loser, "ok"], (ronde, outcomes)
        now = Steungezin.objects.get(pk=steungezin.pk)
        assert now.status == "beschikbaar"
        assert now.statuswijzigingen.filter(naar="beschikbaar").count() == 1, ronde
        assert (
            AuditEntry.objects.filter(
                object_type="gezinnen.steungezin",
                object_id=str(now.pk),
                detail__startswith="goedgekeurd",
            ).count()
            == 1
        ), ronde


def test_a_double_submission_writes_one_contactmoment(organisatie, coordinator):
    for ronde in range(ROUNDS):
        koppeling = KoppelingFactory(organisatie=organisatie, coordinator=coordinator)
        token = new_token()
        submissions = [
            partial(
                once,
                token,
                coordinator,
                partial(
                    contactmoment_vastleggen,
                    door=coordinator,
                    koppeling=opened(koppeling),
                    datum=DAY,
                    met="beide",
                    hoe="telefoon",
                    verloop="goed",
                ),
                Contactmoment,
            )
            for _ in range(2)
        ]
        outcomes = race(*submissions)
        assert list(map(kind, outcomes)) == ["ok", "ok"], (ronde, outcomes)
        (first, first_created), (second, second_created) = outcomes
        assert sorted([first_created, second_created]) == [False, True], ronde
        assert first.pk == second.pk, ronde
        assert Contactmoment.objects.filter(koppeling=koppeling).count() == 1, ronde
        assert Inzending.objects.filter(token=token, object_id=str(first.pk)).count() == 1
        assert changes_audited(koppeling) == 1, ronde


def test_two_submissions_for_one_week_never_add_up_past_80(organisatie, coordinator):
    for naam, gemeente in (("Noord", "Hengelo"), ("Centrum", "Borne")):
        WijkFactory(organisatie=organisatie, naam=naam, gemeente=gemeente)
    for ronde in range(ROUNDS):
        week = DAY - datetime.timedelta(weeks=ronde + 1)
        outcomes = race(
            *(
                partial(
                    uren_vastleggen,
                    door=opened(coordinator),
                    week=week,
                    uren={gemeente: Decimal(50)},
                    reden="opnieuw ingevuld",
                )
                for gemeente in ("Hengelo", "Borne")
            )
        )
        assert list(map(kind, outcomes)) == ["ok", "ok"], (ronde, outcomes)
        # The one that came second replaced the first: one gemeente, 50 hours.
        rows = CoordinatieUren.objects.filter(coordinator=coordinator, week=maandag_van(week))
        assert list(rows.values_list("uren", flat=True)) == [50], ronde


def test_two_corrections_of_one_contactmoment_never_overwrite_each_other(
    organisatie, coordinator, colleague
):
    """Both opened the check-in on the same version: one correction lands,
    the other gets the conflict; or one is withdrawn and the other finds it gone."""
    for ronde in range(ROUNDS):
        koppeling = KoppelingFactory(organisatie=organisatie, coordinator=coordinator)
        contact = contactmoment_vastleggen(
            door=coordinator,
            koppeling=koppeling,
            datum=DAY,
            met="beide",
            hoe="telefoon",
            verloop="goed",
        )
        first = partial(
            corrigeren, door=coordinator, item=opened(contact), reden="a", versie=1, hoe="bezoek"
        )
        second = partial(
            corrigeren, door=colleague, item=opened(contact), reden="b", versie=1, verloop="zorgen"
        )
        if ronde % 2:
            second = partial(intrekken, door=colleague, item=opened(contact), reden="b", versie=1)
        outcomes = race(first, later(0.001 * (ronde % 3), second))
        now = Contactmoment.objects.filter(pk=contact.pk).first()
        # Withdrawn first, the correction finds nothing to correct.
        late = "EditConflict" if now is not None else "TransitionError"
        assert sorted(map(kind, outcomes)) == [late, "ok"], (ronde, outcomes)
        assert Correctie.objects.filter(item_id=contact.pk).count() == 1, ronde
        if now is not None:
            assert now.versie == 2, ronde
            # Only one of the two changes is there.
            assert (now.hoe, now.verloop) in {("bezoek", "goed"), ("telefoon", "zorgen")}, ronde


def test_a_page_refreshing_a_verdict_never_overwrites_the_one_a_write_makes(organisatie):
    """A page recomputes a stale verdict while a coordinator records the VOG
    that makes the family available. The page waits for the write's lock and
    reads what it wrote; without the lock it would store the old verdict
    after the write had stored the new one."""
    from django.db import transaction

    from screening.models import Screeningstand
    from screening.stand import verouderde_bijwerken
    from tests.factories import SteungezinFactory, vog_ontvangen

    coordinator = UserFactory(organisatie=organisatie)
    gezin = SteungezinFactory(
        organisatie=organisatie, status="beschikbaar", leden=[("volwassene", 40)]
    )
    verouderde_bijwerken(DAY)
    Screeningstand.objects.filter(steungezin=gezin).update(herzien_op=DAY)  # came due
    written, refreshing = threading.Event(), threading.Event()
    issued = DAY - datetime.timedelta(days=5)

    def write() -> None:
        try:
            with transaction.atomic():
                vog_ontvangen(door=coordinator, lid=gezin.leden.get(), issued=issued)
                written.set()
                refreshing.wait(timeout=10)
                time.sleep(0.5)  # the page is at the lock (or past it) by now
        finally:
            connections.close_all()

    def refresh() -> None:
        try:
            written.wait(timeout=10)
            refreshing.set()
            verouderde_bijwerken(DAY)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write), threading.Thread(target=refresh)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stand = Screeningstand.objects.get(steungezin=gezin)
    assert (stand.kan_koppelen, stand.reden) == (True, "")


def test_an_approval_and_the_withdrawal_of_the_only_vog_never_leave_a_wrong_verdict(
    organisatie, coordinator, colleague
):
    """The withdrawal locks the steungezin as every screening write does: the
    approval either comes first (and the family is then to be screened again)
    or finds the VOG missing; the stored verdict is the rules' either way."""
    from screening import stand
    from screening.models import VOG, Screeningstand
    from screening.rules import with_screening

    training = Training.objects.create(
        organisatie=organisatie, datum=DAY, titel="Basis", trainer="T", plaats="P"
    )
    for ronde in range(ROUNDS):
        steungezin = approved_steungezin(organisatie, status="in_screening")
        for soort in ("kennismaking", "huisbezoek"):
            ScreeningGesprek.objects.create(
                steungezin=steungezin, soort=soort, datum=DAY, door=coordinator
            )
        TrainingDeelname.objects.create(training=training, gezinslid=steungezin.leden.get())
        vog = VOG.objects.get(gezinslid__gezin=steungezin)
        outcomes = race(
            partial(steungezin_goedkeuren, door=coordinator, steungezin=opened(steungezin)),
            later(
                0.001 * (ronde % 3),
                partial(intrekken, door=colleague, item=opened(vog), reden="fout", versie=1),
            ),
        )
        assert kind(outcomes[1]) == "ok", (ronde, outcomes)
        now = Steungezin.objects.get(pk=steungezin.pk)
        assert now.status == ("beschikbaar" if kind(outcomes[0]) == "ok" else "in_screening")
        opgeslagen = Screeningstand.objects.get(steungezin=steungezin)
        verse = stand.bereken(with_screening(Steungezin.objects.filter(pk=now.pk)).get(), DAY)
        assert (opgeslagen.kan_koppelen, opgeslagen.reden) == (verse.kan_koppelen, verse.reden)
        assert not opgeslagen.kan_koppelen, ronde
