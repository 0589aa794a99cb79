from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Koppelingen"

    def ready(self) -> None:
        # The family's timeline lives in gezinnen, which may not import this
        # app: matching hands it its lines and the form for a note.
        from gezinnen import tijdlijn
        from matching import tijdlijn as lijnen

        for bron in (
            lijnen.notities,
            lijnen.contactmomenten,
            lijnen.signalen,
            lijnen.documenten,
            lijnen.berichten,
        ):
            tijdlijn.bron(bron)
        tijdlijn.invoer(lijnen.notitie_invoer)
        tijdlijn.invoer(lijnen.bericht_invoer)
        # The same for the family's documents, a card of their own.
        from gezinnen import secties
        from matching import documenten_views

        secties.sectie(documenten_views.gezin_sectie)
        # And the corrections of screening items, on the screening page.
        from matching.correcties import screening_markeren
        from screening import markering

        markering.markeerder(screening_markeren)
