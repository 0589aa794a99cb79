"""Documents in a family's file (issue 16, point 2): kept by their content,
only PDF, JPEG, PNG and DOCX of a limited size, all or nothing per upload,
outside every public path, downloaded only by the organisation's
professional coordinators and always logged, and gone with the family."""

import io
import zipfile

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import AuditEntry, AuditGezin
from gezinnen.integrity import TransitionError
from gezinnen.models import Vraaggezin, today
from gezinnen.services import gezin_wijzigen
from matching import documenten
from matching.bewaren import gezin_anonimiseren
from matching.documenten import document_toevoegen, document_verwijderen, inhoud_soort
from matching.models import Document, Koppeling
from reports.inzage import inzage
from tests.factories import KoppelingFactory, VraaggezinFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
HTML = b"<!doctype html><script>alert('x')</script>"


def zip_met(*namen: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archief:
        for naam in namen:
            archief.writestr(naam, "<xml/>")
    return buffer.getvalue()


DOCX = zip_met("[Content_Types].xml", "_rels/.rels", "word/document.xml")


def bestand(naam: str, inhoud: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(naam, inhoud, content_type=content_type)


def opgeslagen(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.fixture
def koppeling(organisatie, coordinator, vrijwilliger):
    return KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        vrijwilliger=vrijwilliger,
        vraaggezin__naam="Zwanenburg",
    )


@pytest.fixture
def gezin(koppeling):
    return Vraaggezin.objects.get(pk=koppeling.vraaggezin_id)


@pytest.fixture
def overeenkomst(coordinator, koppeling):
    (document,) = document_toevoegen(
        door=coordinator,
        koppeling=koppeling,
        soort="overeenkomst",
        titel="Overeenkomst",
        bestanden=[bestand("Overeenkomst Zwanenburg.pdf", PDF, "text/html")],
    )
    return document


# What may be kept: decided by the content ------------------------------------


@pytest.mark.parametrize(
    ("inhoud", "soort"),
    [
        (PDF, documenten.PDF),
        (PNG, documenten.PNG),
        (JPEG, documenten.JPEG),
        (DOCX, documenten.DOCX),
        (HTML, None),
        (zip_met("a.txt"), None),
        (b"PK\x03\x04 not really a zip", None),
        (b"", None),
    ],
)
def test_the_content_decides_the_kind(inhoud, soort):
    assert inhoud_soort(bestand("x", inhoud)) == soort


def test_a_pdf_named_png_is_kept_as_the_pdf_it_is(coordinator, gezin, documenten_map):
    (document,) = document_toevoegen(
        door=coordinator,
        gezin=gezin,
        soort="toestemming",
        bestanden=[bestand("../scan Zwanenburg.png", PDF, "image/png")],
    )
    document.refresh_from_db()
    assert (document.content_type, document.bestandsnaam) == (
        "application/pdf",
        "scan Zwanenburg.pdf",
    )
    assert document.grootte == len(PDF)
    (pad,) = opgeslagen(documenten_map)
    assert pad.read_bytes() == PDF
    # Stored under a random name, never the family's.
    assert "Zwanenburg" not in document.bestand.name
    assert pad.name == document.bestand.name.rsplit("/", 1)[-1]


def test_it_makes_an_uploaded_name_safe():
    assert documenten.veilige_naam('a\\b/c:"d"\x00e.PDF', documenten.PDF) == "c__d_ e.pdf"
    assert documenten.veilige_naam("...", documenten.PNG) == "document.png"


@pytest.mark.parametrize(
    ("naam", "inhoud", "melding"),
    [
        ("brief.pdf", HTML, "brief.pdf: dit is geen PDF, JPEG, PNG of Word (DOCX)"),
        ("verslag.docx", zip_met("a.txt"), "verslag.docx: dit is geen PDF"),
        ("leeg.pdf", b"", "leeg.pdf: het bestand is leeg."),
    ],
)
def test_it_refuses_what_is_not_an_allowed_kind(
    coordinator, gezin, documenten_map, naam, inhoud, melding
):
    with pytest.raises(ValidationError) as refused:
        document_toevoegen(
            door=coordinator, gezin=gezin, soort="overig", bestanden=[bestand(naam, inhoud)]
        )
    assert melding in " ".join(refused.value.message_dict["bestanden"])
    assert not Document.objects.exists()
    assert opgeslagen(documenten_map) == []


def test_it_refuses_a_file_that_is_too_big(coordinator, gezin, settings, documenten_map):
    settings.DOCUMENT_MAX_MB = 1
    groot = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError, match=r"groot\.pdf: het bestand is 1,0 MB; hoogstens 1 MB"):
        document_toevoegen(
            door=coordinator, gezin=gezin, soort="overig", bestanden=[bestand("groot.pdf", groot)]
        )
    assert opgeslagen(documenten_map) == []


def test_one_refused_file_keeps_the_whole_upload_out(coordinator, gezin, documenten_map):
    with pytest.raises(ValidationError) as refused:
        document_toevoegen(
            door=coordinator,
            gezin=gezin,
            soort="overig",
            bestanden=[bestand("goed.pdf", PDF), bestand("fout.pdf", HTML), bestand("ok.png", PNG)],
        )
    messages = refused.value.message_dict["bestanden"]
    assert messages[0].startswith("fout.pdf:")
    assert messages[-1] == "Er is niets bewaard."
    assert not Document.objects.exists()
    assert opgeslagen(documenten_map) == []


def test_a_failure_while_writing_takes_the_files_written_so_far_away(
    coordinator, gezin, documenten_map, monkeypatch
):
    real = Document.save
    calls = []

    def fail_second(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise IntegrityError("weg")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Document, "save", fail_second)
    with pytest.raises(IntegrityError):
        document_toevoegen(
            door=coordinator,
            gezin=gezin,
            soort="overig",
            bestanden=[bestand("a.pdf", PDF), bestand("b.pdf", PDF)],
        )
    assert opgeslagen(documenten_map) == []


def test_several_files_at_once_through_the_family_page(client, coordinator, gezin, documenten_map):
    client.force_login(coordinator)
    lid = gezin.leden.first()
    response = client.post(
        reverse("matching:documenten-gezin", args=[gezin.pk]),
        {
            "document-bestanden": [bestand("a.pdf", PDF), bestand("b.png", PNG)],
            "document-soort": "toestemming",
            "document-bij": str(lid.pk),
            "document-titel": "Toestemming 2027",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("gezinnen:vraaggezin-detail", args=[gezin.pk]) + "#documenten"
    assert sorted(Document.objects.values_list("bestandsnaam", "gezinslid", "titel")) == [
        ("a.pdf", lid.pk, "Toestemming 2027"),
        ("b.png", lid.pk, "Toestemming 2027"),
    ]
    assert len(opgeslagen(documenten_map)) == 2
    page = client.get(response.url).text
    # The member's documents on the family's page, with the member named.
    assert "Toestemming 2027" in page
    assert str(lid) in page


def test_a_refused_upload_shows_why_and_keeps_what_was_typed(client, coordinator, gezin):
    client.force_login(coordinator)
    response = client.post(
        reverse("matching:documenten-gezin", args=[gezin.pk]),
        {
            "document-bestanden": [bestand("a.pdf", PDF), bestand("virus.pdf", HTML)],
            "document-soort": "toestemming",
            "document-titel": "Mijn titel",
        },
    )
    assert response.status_code == 200
    assert "virus.pdf: dit is geen PDF" in response.text
    assert "Er is niets bewaard" in response.text
    assert 'value="Mijn titel"' in response.text
    assert not Document.objects.exists()


def test_a_submit_without_files_asks_for_them(client, coordinator, koppeling):
    client.force_login(coordinator)
    response = client.post(
        reverse("matching:documenten-koppeling", args=[koppeling.pk]),
        {"document-soort": "overeenkomst"},
    )
    assert response.status_code == 200
    assert "Kies een of meer bestanden." in response.text


# A VOG letter only where the organisation keeps them ---------------------------


def test_a_vog_letter_only_with_the_setting_and_with_a_member(coordinator, organisatie, gezin):
    lid = gezin.leden.first()
    with pytest.raises(ValidationError, match="bewaart geen VOG-brieven"):
        document_toevoegen(
            door=coordinator, gezinslid=lid, soort="vog_brief", bestanden=[bestand("v.pdf", PDF)]
        )
    organisatie.vog_brieven_bewaren = True
    organisatie.save()
    with pytest.raises(ValidationError, match="hoort bij een gezinslid"):
        document_toevoegen(
            door=coordinator, gezin=gezin, soort="vog_brief", bestanden=[bestand("v.pdf", PDF)]
        )
    (document,) = document_toevoegen(
        door=coordinator, gezinslid=lid, soort="vog_brief", bestanden=[bestand("v.pdf", PDF)]
    )
    assert document.gezinslid == lid


def test_the_form_offers_a_vog_letter_only_with_the_setting(
    client, coordinator, organisatie, gezin
):
    client.force_login(coordinator)
    url = reverse("gezinnen:vraaggezin-detail", args=[gezin.pk])
    assert 'value="vog_brief"' not in client.get(url).text
    organisatie.vog_brieven_bewaren = True
    organisatie.save()
    assert 'value="vog_brief"' in client.get(url).text
    # Never on a koppeling: a VOG is about one person.
    koppeling_url = reverse("matching:detail", args=[gezin.koppelingen.get().pk])
    assert 'value="vog_brief"' not in client.get(koppeling_url).text


def test_the_beheerder_sets_it_with_the_other_settings(client, beheerder, organisatie):
    client.force_login(beheerder)
    url = reverse("admin:accounts_organisatie_change", args=[organisatie.pk])
    assert 'name="vog_brieven_bewaren"' in client.get(url).text


# Nothing is added to a closed koppeling or an erased family -------------------


def test_nothing_is_added_to_a_closed_koppeling(client, coordinator, koppeling):
    Koppeling.objects.filter(pk=koppeling.pk).update(
        status="afgesloten", einde_op=today(), einde_reden="doel_bereikt"
    )
    with pytest.raises(TransitionError, match="Een document kan nu niet: de status is afgesloten"):
        document_toevoegen(
            door=coordinator,
            koppeling=koppeling,
            soort="overeenkomst",
            bestanden=[bestand("o.pdf", PDF)],
        )
    client.force_login(coordinator)
    url = reverse("matching:documenten-koppeling", args=[koppeling.pk])
    assert client.get(url).status_code == 302
    response = client.post(
        url, {"document-bestanden": [bestand("o.pdf", PDF)], "document-soort": "overeenkomst"}
    )
    assert "de status is afgesloten" in response.text
    assert not Document.objects.exists()
    detail = client.get(reverse("matching:detail", args=[koppeling.pk])).text
    assert "Documenten" in detail
    assert "document-bestanden" not in detail


def test_only_a_professional_coordinator_adds_documents(vrijwilliger, koppeling):
    with pytest.raises(TransitionError, match="Alleen een professionele coördinator"):
        document_toevoegen(
            door=vrijwilliger,
            koppeling=koppeling,
            soort="overeenkomst",
            bestanden=[bestand("o.pdf", PDF)],
        )


def test_a_document_belongs_to_exactly_one_file(coordinator, organisatie, koppeling, gezin):
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            organisatie=organisatie,
            gezin=gezin,
            koppeling=koppeling,
            soort="overig",
            bestand="x",
            bestandsnaam="x.pdf",
            content_type="application/pdf",
            grootte=1,
            sha256="0" * 64,
            door=coordinator,
        )


# The download -------------------------------------------------------------------


def test_the_coordinator_downloads_the_file_as_it_was_and_it_is_logged(
    client, coordinator, overeenkomst, koppeling
):
    client.force_login(coordinator)
    response = client.get(reverse("matching:document", args=[overeenkomst.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    # The type its content showed, not the one the browser sent.
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Overeenkomst Zwanenburg.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).get()
    assert (entry.user, entry.object_type, entry.object_id) == (
        coordinator,
        "matching.document",
        str(overeenkomst.pk),
    )
    assert entry.detail == "document gedownload: ondertekende overeenkomst"
    assert set(AuditGezin.objects.filter(entry=entry).values_list("gezin_id", flat=True)) == {
        koppeling.vraaggezin_id,
        koppeling.steungezin_id,
    }
    # No entry of the log names the file: its name may hold the family's.
    assert not AuditEntry.objects.filter(detail__contains="Zwanenburg").exists()


@pytest.mark.parametrize("person", ["vrijwilliger", "beheerder", "outsider"])
def test_nobody_else_gets_the_file(client, all_roles, overeenkomst, person):
    """The volunteer coordinator of this very koppeling neither: documents
    are for professionals."""
    client.force_login(all_roles[person])
    for name in ("matching:document", "matching:document-verwijderen"):
        assert client.get(reverse(name, args=[overeenkomst.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_the_gate_lets_only_the_own_professional_coordinators_through(all_roles, overeenkomst):
    seen = {person: list(Document.objects.visible_to(user)) for person, user in all_roles.items()}
    assert seen == {
        "coordinator": [overeenkomst],
        "vrijwilliger": [],
        "beheerder": [],
        "outsider": [],
    }


def test_the_volunteer_coordinator_sees_no_documents_on_her_koppeling(
    client, vrijwilliger, overeenkomst, koppeling
):
    client.force_login(vrijwilliger)
    page = client.get(reverse("matching:detail", args=[koppeling.pk])).text
    assert "Documenten" not in page
    assert "Overeenkomst" not in page


def test_the_family_timeline_shows_the_documents_of_its_file(
    client, coordinator, gezin, koppeling, overeenkomst, documenten_map
):
    lid = gezin.leden.create(
        voornaam="Sam", achternaam="Zwanenburg", soort="volwassene", geboortedatum="1990-01-01"
    )
    document_toevoegen(
        door=coordinator,
        gezinslid=lid,
        soort="toestemming",
        bestanden=[bestand("toestemming.png", PNG)],
    )
    # Another family's document is not on this timeline.
    andere = KoppelingFactory(organisatie=koppeling.organisatie)
    document_toevoegen(
        door=coordinator, koppeling=andere, soort="overig", bestanden=[bestand("x.pdf", PDF)]
    )
    client.force_login(coordinator)
    regels = [
        regel
        for regel in client.get(reverse("gezinnen:vraaggezin-detail", args=[gezin.pk])).context[
            "tijdlijn"
        ]
        if regel.soort == "Document"
    ]
    assert [(regel.titel, regel.tekst) for regel in regels] == [
        ("toestemmingsformulier (bij Sam Zwanenburg)", "toestemming.png"),
        (
            f"ondertekende overeenkomst: Overeenkomst (bij koppeling nr. {koppeling.pk})",
            "Overeenkomst Zwanenburg.pdf",
        ),
    ]
    assert regels[1].url == reverse("matching:document", args=[overeenkomst.pk])


def test_a_file_has_no_public_address(client, coordinator, overeenkomst):
    name = overeenkomst.bestand.name
    for prefix in (django_settings.STATIC_URL, django_settings.MEDIA_URL or "/media/", "/"):
        assert client.get(f"/{prefix.strip('/')}/{name}".replace("//", "/")).status_code == 404


def test_the_default_folder_is_outside_the_public_paths():
    root = django_settings.DOCUMENTEN_ROOT.resolve()
    public = [*django_settings.STATICFILES_DIRS, django_settings.BASE_DIR / "staticfiles"]
    if django_settings.MEDIA_ROOT:
        public.append(django_settings.MEDIA_ROOT)
    for path in public:
        assert not root.is_relative_to(path), path
    gitignore = (django_settings.BASE_DIR / ".gitignore").read_text().split()
    assert "documenten/" in gitignore


# Removal ------------------------------------------------------------------------


def test_a_coordinator_removes_a_wrong_document(
    client, coordinator, overeenkomst, koppeling, documenten_map, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    url = reverse("matching:document-verwijderen", args=[overeenkomst.pk])
    assert client.get(url).status_code == 200
    assert "Kies waarom" in client.post(url, {}).text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reden": "verkeerd_dossier"})
    assert response.url == reverse("matching:detail", args=[koppeling.pk]) + "#documenten"
    assert not Document.objects.exists()
    assert opgeslagen(documenten_map) == []
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETE)
    assert entry.detail == (
        f"ondertekende overeenkomst bij koppeling nr. {koppeling.pk}; reden: bij het verkeerde "
        "gezin of de verkeerde koppeling"
    )


def test_the_file_stays_until_the_removal_is_committed(coordinator, overeenkomst, documenten_map):
    def remove_then_fail():
        with transaction.atomic():
            document_verwijderen(door=coordinator, document=overeenkomst, reden="dubbel")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        remove_then_fail()
    assert Document.objects.filter(pk=overeenkomst.pk).exists()
    assert len(opgeslagen(documenten_map)) == 1


def test_a_member_with_documents_stays_in_the_household(coordinator, gezin):
    lid = gezin.leden.first()
    document_toevoegen(
        door=coordinator, gezinslid=lid, soort="toestemming", bestanden=[bestand("t.pdf", PDF)]
    )
    row = {
        "pk": lid.pk,
        "voornaam": lid.voornaam,
        "achternaam": lid.achternaam,
        "soort": lid.soort,
        "geboortedatum": lid.geboortedatum,
        "verwijderen": True,
    }
    with pytest.raises(ValidationError, match="er horen nog documenten bij"):
        gezin_wijzigen(door=coordinator, gezin=gezin, versie=gezin.versie, gegevens={}, leden=[row])
    assert gezin.leden.filter(pk=lid.pk).exists()


# Erasure and the inzage -----------------------------------------------------------


def test_erasing_the_family_deletes_its_documents_and_their_files(
    coordinator, koppeling, gezin, overeenkomst, documenten_map, django_capture_on_commit_callbacks
):
    document_toevoegen(
        door=coordinator, gezin=gezin, soort="toestemming", bestanden=[bestand("t.pdf", PDF)]
    )
    document_toevoegen(
        door=coordinator,
        gezinslid=gezin.leden.first(),
        soort="overig",
        bestanden=[bestand("l.png", PNG)],
    )
    elders = VraaggezinFactory(organisatie=gezin.organisatie)
    document_toevoegen(
        door=coordinator, gezin=elders, soort="overig", bestanden=[bestand("e.pdf", PDF)]
    )
    assert len(opgeslagen(documenten_map)) == 4
    Koppeling.objects.filter(pk=koppeling.pk).update(
        status="afgesloten", einde_op=today(), einde_reden="doel_bereikt"
    )
    Vraaggezin.objects.filter(pk=gezin.pk).update(status="afgesloten")
    with django_capture_on_commit_callbacks(execute=True):
        gezin_anonimiseren(door=coordinator, gezin=gezin, wijze="verzoek", reden="verzoek_gezin")
    assert list(Document.objects.values_list("gezin", flat=True)) == [elders.pk]
    (rest,) = opgeslagen(documenten_map)
    assert rest.name == Document.objects.get().bestand.name.rsplit("/", 1)[-1]


def test_the_inzage_lists_the_documents_but_not_their_content(coordinator, gezin, overeenkomst):
    document_toevoegen(
        door=coordinator,
        gezin=gezin,
        soort="toestemming",
        titel="Toestemming",
        bestanden=[bestand("t.pdf", PDF)],
    )
    result = inzage(Vraaggezin.objects.get(pk=gezin.pk))
    onderdelen = {o.titel: o for o in result.onderdelen}
    (eigen,) = onderdelen["Documenten"].gegevens
    velden = dict(eigen.velden)
    assert velden["Soort"] == "toestemmingsformulier"
    assert (velden["Titel"], velden["Bestandsnaam"]) == ("Toestemming", "t.pdf")
    assert velden["Door"] == coordinator.get_full_name()
    assert "Bestand" not in velden
    assert "SHA-256" not in velden
    koppeling_titels = [
        g.titel for g in onderdelen[f"Koppeling nr. {overeenkomst.koppeling_id}"].gegevens
    ]
    assert any(titel.startswith("Document ") for titel in koppeling_titels)


def test_documents_are_not_in_the_back_office():
    """Like the families themselves: a beheerder without a role sees no family data."""
    assert Document not in admin.site._registry


def test_the_app_refuses_to_start_with_documents_in_a_public_folder(settings, tmp_path):
    from matching.opslag import buiten_publieke_mappen

    assert buiten_publieke_mappen() == []
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "documenten": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documenten")},
        },
    }
    assert [error.id for error in buiten_publieke_mappen()] == ["matching.E001"]
