from django.apps import AppConfig


class GezinnenConfig(AppConfig):
    name = "gezinnen"
    verbose_name = "Gezinnen en wijken"
