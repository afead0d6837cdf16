"""The client's address as seen through the desk's own proxies, for login throttling (django-axes).

Each trusted proxy appends the address it was connected from to X-Forwarded-For, so with
PROXY_COUNT proxies the client is that many entries from the right; entries further left are the
client's own claims and never count.
"""
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address the outermost of our PROXY_COUNT proxies saw, or the connecting address without proxies."""
    connecting = request.META.get("REMOTE_ADDR", "")
    if not settings.PROXY_COUNT:
        return connecting
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < settings.PROXY_COUNT:
        # Our proxies always add their entries; fewer means the request did not come through them.
        return connecting
    candidate = forwarded[-settings.PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return connecting
