"""Screening work for the daily schedule (``manage.py dagelijks``)."""

from __future__ import annotations

import datetime

from django_tasks import task

from screening.stand import verouderde_bijwerken


@task()
def screeningstanden_bijwerken(dag: str) -> int:
    """Recompute the stored verdicts whose day of change has come (a VOG that
    expires, a child coming within the VOG window); safe to run more than once."""
    return verouderde_bijwerken(datetime.date.fromisoformat(dag))
