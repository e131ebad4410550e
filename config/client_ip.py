"""The client address the login lockout (django-axes) keys on.

Behind the TLS-terminating proxy every connection comes from the proxy, so
keying on REMOTE_ADDR let anyone lock any user out for everyone (issue 10).
Each trusted proxy appends the address it was connected from to
X-Forwarded-For, so with N of them in front, the N-th entry from the right is
the client as the outermost proxy saw it; anything left of it was written by
the client and is ignored. With no proxy configured (the default) the header
is ignored entirely: REMOTE_ADDR is the client.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count < 1:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        # Not forwarded through all the configured proxies: trust only the peer.
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
