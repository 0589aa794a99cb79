"""Error reports and logs without personal data: the families in this
application are vulnerable, so neither Sentry nor an error mail may carry a
name, a form field or a search term."""

from __future__ import annotations

from typing import Any

from django.views.debug import SafeExceptionReporterFilter

REDACTED = "[verwijderd]"


class NoPersonalDataFilter(SafeExceptionReporterFilter):
    """Error mails (ADMINS) without POST data and without local variables."""

    def is_active(self, request) -> bool:
        return True

    def get_post_parameters(self, request) -> dict:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, REDACTED)

    def get_traceback_frame_variables(self, request, tb_frame) -> list:
        return [(name, REDACTED) for name in tb_frame.f_locals]


def scrub_event(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Sentry's before_send: keep what locates the error, drop what names a person."""
    request = event.get("request") or {}
    for key in ("data", "cookies", "query_string", "env"):
        request.pop(key, None)
    if headers := request.get("headers"):
        request["headers"] = {k: v for k, v in headers.items() if k.lower() == "user-agent"}
    if user := event.get("user"):
        event["user"] = {"id": user.get("id")} if user.get("id") else {}
    for entry in (event.get("exception") or {}).get("values", []):
        for frame in (entry.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    for crumb in (event.get("breadcrumbs") or {}).get("values", []):
        crumb.pop("data", None)
        if crumb.get("category") == "query":
            crumb["message"] = REDACTED
    return event


def init_sentry(dsn: str, environment: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        traces_sample_rate=0,
    )
