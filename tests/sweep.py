"""Every URL pattern of the project, to walk in tests."""

import re

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

SAMPLES = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "1",
    "uuid": "00000000-0000-0000-0000-0000000000aa",
}


def _route_template(pattern) -> str:
    """The pattern as a template: '<int:pk>' becomes '{int:pk}'."""
    text = str(pattern.pattern)
    if isinstance(pattern.pattern, RegexPattern):
        text = text.lstrip("^").rstrip("$").replace(r"\Z", "")
        # A named group becomes its first alternative, or a sample value.
        return re.sub(
            r"\(\?P<(\w+)>([^)]*)\)",
            lambda m: (
                m.group(2).split("|")[0]
                if re.fullmatch(r"[\w|-]+", m.group(2))
                else f"{{path:{m.group(1)}}}"
            ),
            text,
        )
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: f"{{{m.group(1) or 'str'}:{m.group(2)}}}", text)


def patterns(url_patterns=None, prefix="", namespace=""):
    """(name, template, view) for every pattern; unnamed ones are named by template."""
    if url_patterns is None:
        url_patterns = get_resolver().url_patterns
    for pattern in url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from patterns(pattern.url_patterns, prefix + _route_template(pattern), ns)
        elif isinstance(pattern, URLPattern):
            template = "/" + prefix + _route_template(pattern)
            yield (
                (f"{namespace}{pattern.name}" if pattern.name else template),
                template,
                pattern.callback,
            )


def fill(template: str, values: dict[str, object] | None = None) -> str:
    """The URL, with the given values by parameter name, else samples by type."""
    values = values or {}
    return re.sub(
        r"\{(\w+):(\w+)\}",
        lambda m: str(values.get(m.group(2), SAMPLES[m.group(1)])),
        template,
    )


ALL = list(patterns())
