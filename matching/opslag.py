"""Where the documents of families and koppelingen are kept: the storage
alias ``documenten`` of ``settings.STORAGES``. By default a folder on the
file system outside the static and media paths (``DOCUMENTEN_ROOT``); with
django-storages an S3-compatible store, for more than one application server
(README, "Documenten"). Nothing in it has a public address: a file is read
only through the download view, which asks ``Document.objects.visible_to``.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty


class _Documenten(LazyObject):
    """``storages["documenten"]``, looked up when first used and again after
    STORAGES changes (the tests give each test a folder of its own)."""

    def _setup(self) -> None:
        self._wrapped = storages["documenten"]


opslag = _Documenten()


def documenten_opslag() -> Storage:
    """The FileField's storage, as a callable: the migration names this
    function rather than a folder of one machine."""
    return opslag


def opslagnaam(document, bestandsnaam: str) -> str:
    """A random name per file, by organisation: the name a family gave a
    file (which may hold a name) never reaches the store or its logs."""
    return f"{document.organisatie_id}/{uuid.uuid4().hex}"


def _reset(*, setting: str, **kwargs) -> None:
    if setting == "STORAGES":
        opslag._wrapped = empty


setting_changed.connect(_reset, dispatch_uid="documenten_opslag_reset")


@checks.register(checks.Tags.security)
def buiten_publieke_mappen(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A folder of documents inside the static files or the media folder
    would be served to anyone who guesses a name: refuse to start."""
    documenten = storages["documenten"]
    if not isinstance(documenten, FileSystemStorage):
        return []
    locatie = Path(documenten.location).resolve()
    publiek = [settings.STATIC_ROOT, settings.MEDIA_ROOT, *settings.STATICFILES_DIRS]
    return [
        checks.Error(
            f"De documenten (DOCUMENTEN_ROOT) staan in {pad}, een map die de webserver serveert.",
            hint="Kies voor DOCUMENTEN_ROOT een map buiten STATIC_ROOT, MEDIA_ROOT en "
            "STATICFILES_DIRS.",
            id="matching.E001",
        )
        for pad in publiek
        if pad and locatie.is_relative_to(Path(pad).resolve())
    ]
