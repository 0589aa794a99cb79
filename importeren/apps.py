from django.apps import AppConfig


class ImporterenConfig(AppConfig):
    name = "importeren"
    verbose_name = "Import"

    def ready(self) -> None:
        from importeren.tasks import imports_vergeten
        from matching.tasks import DAGTAKEN

        if imports_vergeten not in DAGTAKEN:
            DAGTAKEN.append(imports_vergeten)
