"""The AVG inzage is exactly the family's own file: every field of every record
about the family and its members, who looked at it, and nothing that
identifies the other family of a koppeling."""

import datetime

import pytest
from django.urls import reverse

from accounts import audit
from gezinnen.models import Gezin, Gezinslid, Statuswijziging, Steungezin, Vraaggezin
from matching.correcties import corrigeren, intrekken
from matching.models import Contactmoment, Evaluatie, Koppeling, MeldcodeStap, Notitie, Signaal
from reports import inzage as inzage_module
from reports.inzage import inzage
from screening.models import (
    VOG,
    Criterium,
    CriteriumBeoordeling,
    Referentie,
    ScreeningGesprek,
    Training,
    TrainingDeelname,
)
from tests.factories import GezinslidFactory, KoppelingFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def dossier(organisatie, coordinator):
    """A koppeling between two families with everything recorded, each text
    marked with the family it belongs to."""
    koppeling = KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        vraaggezin__naam="Zwanenburg",
        vraaggezin__leden=[],
        vraaggezin__hulpvraag="VRAAG-hulpvraag",
        vraaggezin__opmerkingen="VRAAG-opmerking",
        vraaggezin__telefoon="0611111111",
        steungezin__naam="Oosterbroek",
        steungezin__leden=[],
        steungezin__motivatie="STEUN-motivatie",
        steungezin__opmerkingen="STEUN-opmerking",
        steungezin__toestemming_op=DAY,
        steungezin__toestemming_vastgelegd_door=coordinator,
        kennismaking_op=DAY,
        kennismaking_notities="Kennismaking met Xandra en Willemijn verliep goed",
        afspraken="Xandra komt elke woensdag",
    )
    vraag, steun = koppeling.vraaggezin, koppeling.steungezin
    xandra = GezinslidFactory(gezin=vraag, voornaam="Xandra", achternaam="Zwanenburg", soort="kind")
    willemijn = GezinslidFactory(gezin=steun, voornaam="Willemijn", achternaam="Oosterbroek")
    koppeling.kinderen.set([xandra])
    # A reason as steps wrote them before they named koppelingen by number.
    Statuswijziging.objects.create(
        gezin=vraag, van="wachtend", naar="gekoppeld", reden="koppeling met Gezin Oosterbroek"
    )
    VOG.objects.create(
        gezinslid=willemijn,
        status="afgegeven",
        aangevraagd_op=DAY,
        ontvangen_op=DAY,
        afgegeven_op=DAY,
        notitie="STEUN-vog-notitie",
        bijgewerkt_door=coordinator,
    )
    ScreeningGesprek.objects.create(
        steungezin=steun,
        soort="kennismaking",
        datum=DAY,
        door=coordinator,
        notities="STEUN-gesprek",
    )
    Referentie.objects.create(
        steungezin=steun,
        naam="Ria Referent",
        relatie="buurvrouw",
        benaderd_op=DAY,
        uitkomst="positief",
        notitie="STEUN-referentie",
        door=coordinator,
    )
    criterium = Criterium.objects.create(organisatie=organisatie, tekst="Stabiele thuissituatie")
    CriteriumBeoordeling.objects.create(
        steungezin=steun,
        criterium=criterium,
        voldoet=True,
        notitie="STEUN-criterium",
        door=coordinator,
    )
    training = Training.objects.create(
        organisatie=organisatie,
        datum=DAY,
        titel="Basistraining",
        trainer="Tineke",
        plaats="Hengelo",
    )
    TrainingDeelname.objects.create(training=training, gezinslid=willemijn)
    for met, notitie in (
        ("vraaggezin", "VRAAG-contact"),
        ("steungezin", "STEUN-contact"),
        ("beide", "BEIDE-contact: Xandra lacht weer"),
    ):
        Contactmoment.objects.create(
            koppeling=koppeling,
            datum=DAY,
            met=met,
            hoe="telefoon",
            verloop="goed",
            door=coordinator,
            notities=notitie,
        )
    signaal = Signaal.objects.create(
        koppeling=koppeling, omschrijving="VRAAG-signaal over Xandra", gemeld_door=coordinator
    )
    MeldcodeStap.objects.create(
        signaal=signaal, stap=1, datum=DAY, door=coordinator, notitie="VRAAG-meldcode"
    )
    Evaluatie.objects.create(
        koppeling=koppeling,
        soort="jaarlijks",
        datum=DAY,
        door=coordinator,
        vraag_scores={"contact": 2},
        vraag_goed="VRAAG-goed",
        vraag_beter="VRAAG-beter",
        vraag_doorgaan=True,
        steun_scores={"contact": 5},
        steun_goed="STEUN-goed",
        steun_beter="STEUN-beter",
        steun_doorgaan=False,
        conclusie="Doorgaan zoals nu",
    )
    for gezin, tekst in ((vraag, "VRAAG-notitie"), (steun, "STEUN-notitie")):
        Notitie.objects.create(organisatie=organisatie, gezin=gezin, tekst=tekst, door=coordinator)
    Notitie.objects.create(
        organisatie=organisatie,
        koppeling=koppeling,
        tekst="BEIDE-notitie: Xandra en Willemijn bakten koekjes",
        door=coordinator,
    )
    # For professionals only: it may hold a concern about the children, as a
    # signal does, so it stays in the vraaggezin's file.
    Notitie.objects.create(
        organisatie=organisatie,
        koppeling=koppeling,
        tekst="PROF-notitie: zorgen over de oudste",
        alleen_professionals=True,
        door=coordinator,
    )
    return koppeling


def text_of(gezin) -> str:
    result = inzage(type(gezin).objects.get(pk=gezin.pk))
    parts = [
        f"{label}: {value}"
        for o in result.onderdelen
        for g in o.gegevens
        for label, value in g.velden
    ]
    parts += [g.titel for o in result.onderdelen for g in o.gegevens]
    parts += [wat for _, _, wat in result.log]
    return "\n".join(parts)


def test_the_steungezin_sees_its_own_file_and_nothing_of_the_vraaggezin(dossier, coordinator):
    text = text_of(dossier.steungezin)
    for own in (
        "Oosterbroek",
        "Willemijn",
        "STEUN-motivatie",
        "STEUN-opmerking",
        "STEUN-vog-notitie",
        "STEUN-gesprek",
        "Ria Referent",
        "STEUN-referentie",
        "STEUN-criterium",
        "Basistraining",
        "STEUN-contact",
        "BEIDE-contact",
        "STEUN-goed",
        "STEUN-beter",
        "Doorgaan zoals nu",
        "Het contact tussen de twee gezinnen: 5",
        "Kennismaking met",  # the kennismaking notes
        f"Toestemming vastgelegd door: {coordinator.get_full_name()}",
        "Datum van afgifte: 2 nov. 2026",  # the VOG's dates
        "met het vraaggezin",
        "STEUN-notitie",
        "BEIDE-notitie: [naam van het andere gezin] en Willemijn bakten koekjes",
    ):
        assert own in text, own
    for other in (
        "PROF-notitie",
        "Zwanenburg",
        "Xandra",
        "VRAAG-",
        "0611111111",
        "Het contact tussen de twee gezinnen: 2",
    ):
        assert other not in text, other


def test_the_vraaggezin_sees_its_signals_and_its_own_answers_only(dossier):
    text = text_of(dossier.vraaggezin)
    for own in (
        "Zwanenburg",
        "Xandra",
        "VRAAG-hulpvraag",
        "VRAAG-contact",
        "BEIDE-contact",
        "VRAAG-signaal",
        "VRAAG-meldcode",
        "VRAAG-goed",
        "Het contact tussen de twee gezinnen: 2",
        "met het steungezin",
        "VRAAG-notitie",
        "BEIDE-notitie: Xandra en [naam van het andere gezin] bakten koekjes",
        "PROF-notitie: zorgen over de oudste",
        "Alleen voor professionals: ja",
    ):
        assert own in text, own
    for other in ("Oosterbroek", "Willemijn", "STEUN-", "Het contact tussen de twee gezinnen: 5"):
        assert other not in text, other


def test_it_shows_who_looked_at_the_file(dossier, coordinator):
    audit.dossier_bekeken(door=coordinator, obj=dossier.steungezin)
    audit.lijst_bekeken(door=coordinator, wat="lijst steungezinnen", records=[dossier.steungezin])
    result = inzage(Steungezin.objects.get(pk=dossier.steungezin.pk))
    assert [(who, what) for _, who, what in result.log] == [
        (coordinator.get_full_name(), "bekeken (steungezin)"),
        (coordinator.get_full_name(), "bekeken: lijst steungezinnen"),
    ]


# Every field is in it, or left out for a reason


FAMILY_RECORDS = [
    Gezin,
    Vraaggezin,
    Steungezin,
    Gezinslid,
    Statuswijziging,
    VOG,
    ScreeningGesprek,
    Referentie,
    CriteriumBeoordeling,
    Training,
    Koppeling,
    Contactmoment,
    Signaal,
    MeldcodeStap,
    Evaluatie,
    Notitie,
]
# Left out on purpose, with the reason: keys and the organisation carry no
# information about the family; the record a section is under is its title.
LEFT_OUT = {
    *inzage_module.TECHNICAL,
    "vraaggezin",  # the other side: "het vraaggezin"
    "steungezin",  # the other side: "het steungezin"
    "contactmoment",  # a signal's contact is listed under the koppeling
    "deelnemers",  # the other participants of a training
    "criterium",  # in the title
}


def test_every_field_of_every_family_record_is_in_the_inzage_or_left_out_on_purpose():
    """A field added to a family record later shows up in the inzage by
    itself; one that should not must be added to LEFT_OUT here, with a reason."""
    for model in FAMILY_RECORDS:
        shown = inzage_module.shown_fields(model)
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            if not f.name.endswith("_ptr") and f.name not in LEFT_OUT:
                assert f in shown, f"{model.__name__}.{f.name}"


def test_the_other_family_is_named_nowhere_in_the_pdf(client, dossier, coordinator, monkeypatch):
    from reports import views

    seen = {}
    real = views.render_to_pdf

    def keep(template, context):
        seen["last"] = real(template, context)
        return seen["last"]

    monkeypatch.setattr(views, "render_to_pdf", keep)
    client.force_login(coordinator)
    response = client.get(reverse("reports:inzage", args=[dossier.steungezin.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    html = seen["last"].html
    assert "Willemijn" in html
    assert "STEUN-vog-notitie" in html
    for other in ("Zwanenburg", "Xandra", "VRAAG-"):
        assert other not in html


def test_an_inzage_field_lists_many_to_many_values(dossier):
    koppeling = Koppeling.objects.get(pk=dossier.pk)
    shown = dict(inzage_module.velden(koppeling, skip={"vraaggezin", "steungezin"}))
    assert "Xandra" in shown["Voor welke kinderen"]


def test_the_log_names_a_koppeling_by_its_own_number(dossier, coordinator):
    """Even when the koppeling's number starts with the family's."""
    audit.dossier_bekeken(door=coordinator, obj=dossier)
    result = inzage(Steungezin.objects.get(pk=dossier.steungezin.pk))
    assert [what for _, _, what in result.log] == [f"bekeken (koppeling nr. {dossier.pk})"]


# Corrections of an evaluation: each family sees those of its own answers


def corrected_evaluation(dossier) -> Evaluatie:
    # Started before the evaluation, so that its corrections pass the checks.
    Koppeling.objects.filter(pk=dossier.pk).update(start_op=DAY - datetime.timedelta(days=30))
    return Evaluatie.objects.get(koppeling=dossier)


def test_it_lists_evaluation_corrections_with_each_familys_own_answers_only(dossier, coordinator):
    evaluatie = corrected_evaluation(dossier)
    corrigeren(
        door=coordinator,
        item=evaluatie,
        reden="Antwoord van het vraaggezin nagebeld",
        vraag_beter="VRAAG-beter-nagebeld",
    )
    corrigeren(
        door=coordinator,
        item=evaluatie,
        reden="Antwoord van het steungezin nagebeld",
        steun_goed="STEUN-goed-nagebeld",
        steun_scores={"contact": 4},
    )
    # One correction of both sides and of what both see.
    corrigeren(
        door=coordinator,
        item=evaluatie,
        reden="Verslag uitgewerkt",
        vraag_doorgaan=False,
        steun_beter="STEUN-beter-uitgewerkt",
        conclusie="Doorgaan, om de week",
    )
    vraag, steun = text_of(dossier.vraaggezin), text_of(dossier.steungezin)
    for own in (
        "Jaarlijkse evaluatie 2 nov. 2026: gecorrigeerd",
        "Reden: Antwoord van het vraaggezin nagebeld",
        "Wat kan beter (vraaggezin): VRAAG-beter → VRAAG-beter-nagebeld",
        "Reden: Verslag uitgewerkt",
        "Vraaggezin wil doorgaan: ja → nee",
        "Conclusie van de coördinator: Doorgaan zoals nu → Doorgaan, om de week",
    ):
        assert own in vraag, own
    for other in (
        "Antwoord van het steungezin nagebeld",
        "STEUN-",
        "Het contact tussen de twee gezinnen: 4",
        "Steungezin wil doorgaan",
    ):
        assert other not in vraag, other
    for own in (
        "Reden: Antwoord van het steungezin nagebeld",
        "Wat ging goed (steungezin): STEUN-goed → STEUN-goed-nagebeld",
        "Het contact tussen de twee gezinnen: 4",
        "Reden: Verslag uitgewerkt",
        "Wat kan beter (steungezin): STEUN-beter → STEUN-beter-uitgewerkt",
        "Conclusie van de coördinator: Doorgaan zoals nu → Doorgaan, om de week",
    ):
        assert own in steun, own
    for other in ("Antwoord van het vraaggezin nagebeld", "VRAAG-", "Vraaggezin wil doorgaan"):
        assert other not in steun, other


def test_a_withdrawn_evaluation_shows_each_family_its_own_answers(dossier, coordinator):
    evaluatie = corrected_evaluation(dossier)
    corrigeren(door=coordinator, item=evaluatie, reden="Typefout", steun_beter="STEUN-beter-2")
    intrekken(door=coordinator, item=evaluatie, reden="Dubbel vastgelegd")
    vraag, steun = text_of(dossier.vraaggezin), text_of(dossier.steungezin)
    assert not Evaluatie.objects.filter(koppeling=dossier).exists()
    for text, own, other in ((vraag, "VRAAG", "STEUN"), (steun, "STEUN", "VRAAG")):
        assert "Jaarlijkse evaluatie 2 nov. 2026: ingetrokken" in text
        assert "Reden: Dubbel vastgelegd" in text
        assert "Conclusie van de coördinator: Doorgaan zoals nu" in text
        assert f"{own}-goed" in text
        assert f"{other}-" not in text
    # The correction before it touched the steungezin's answers only.
    assert "Typefout" in steun
    assert "Typefout" not in vraag
    assert "STEUN-beter → STEUN-beter-2" in steun
