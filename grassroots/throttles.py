"""The public look-up's rate limit: per client address, counted in Django's cache.

One bucket for /verify/ and /api/v1/registry/, so a client cannot double its
rate by alternating them. The address is config.client_ip's (the same the login
lockout uses): REMOTE_ADDR, or the trusted proxies' X-Forwarded-For entry —
never a header the client wrote itself.
"""

from rest_framework.throttling import SimpleRateThrottle

from config.client_ip import client_ip


class RegistryLookupThrottle(SimpleRateThrottle):
    scope = "registry"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


def lookup_allowed(request) -> tuple[bool, float | None]:
    """For a plain Django view: (allowed, seconds to wait when not)."""
    throttle = RegistryLookupThrottle()
    if throttle.allow_request(request, None):
        return True, None
    return False, throttle.wait()
