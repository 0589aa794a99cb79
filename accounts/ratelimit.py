from django.core.cache import cache
from django.http import HttpRequest

from accounts.audit import client_ip


def within_limit(request: HttpRequest, scope: str, *, limit: int, seconds: int) -> bool:
    """Counts one attempt for the client's IP address; False once there were
    more than ``limit`` in the window. Needs a cache shared by all processes
    (CACHE_URL) when there is more than one."""
    key = f"ratelimit:{scope}:{client_ip(request)}"
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    return count <= limit
