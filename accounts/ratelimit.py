import hashlib

from django.core.cache import cache
from django.http import HttpRequest

from accounts.audit import client_ip


def within_limit(
    request: HttpRequest, scope: str, *, limit: int, seconds: int, by: str | None = None
) -> bool:
    """Counts one attempt for the client's IP address, or for ``by`` (such as
    an e-mail address) when given; False once there were more than ``limit``
    in the window. Needs a cache shared by all processes (CACHE_URL) when
    there is more than one."""
    # Hashed: the cache holds no e-mail addresses, and any text makes a valid key.
    counted = hashlib.sha256(str(client_ip(request) if by is None else by).encode()).hexdigest()
    key = f"ratelimit:{scope}:{counted}"
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    return count <= limit
