"""The load balancer's health endpoint: database, cache, migrations applied
and the task backend reachable. Unauthenticated; it shows the name and state
of each check and nothing else."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django_tasks import task_backends
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration of the code is applied to the database.

    Loading the migration graph is slow, so once a process has seen them all
    applied it does not ask again: code and migrations only change with a
    restart."""

    applied: ClassVar[bool] = False

    def run(self) -> None:
        if Migrations.applied:
            return
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise ServiceUnavailable("Niet alle migraties zijn uitgevoerd.")
        Migrations.applied = True


@dataclasses.dataclass
class Tasks(HealthCheck):
    """The task backend takes work: its own check, and for the database
    backend a query on its table."""

    def run(self) -> None:
        backend = task_backends["default"]
        if list(backend.check()):
            raise ServiceUnavailable("De takenwachtrij is niet goed ingesteld.")
        if backend.__class__.__module__.startswith("django_tasks_db"):
            from django_tasks_db.models import DBTaskResult

            try:
                DBTaskResult.objects.exists()
            except Exception as error:
                raise ServiceUnavailable("De takenwachtrij is niet bereikbaar.") from error


health = HealthCheckView.as_view(checks=[Database, Cache, Migrations, Tasks])
