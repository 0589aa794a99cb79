from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _standen_aanvullen(*, using: str, apps=None, **kwargs) -> None:
    """After every migrate: a verdict for each steungezin that has none (an
    existing installation the first time) or whose day of change has come.
    Not when the database was migrated back to before the verdicts."""
    try:
        if apps is not None:  # not given after a flush: the models as they are
            apps.get_model("screening", "Screeningstand")
    except LookupError:
        return
    if using != "default":
        return
    from gezinnen.models import today
    from screening.stand import verouderde_bijwerken

    verouderde_bijwerken(today())


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Screening"

    def ready(self) -> None:
        post_migrate.connect(_standen_aanvullen, sender=self)
