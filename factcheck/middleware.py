"""Project middleware: what a browser or a proxy may keep of the pages a signed-in user sees."""
from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control


def private_pages(get_response: Callable[[HttpRequest], HttpResponseBase]) -> Callable[[HttpRequest], HttpResponseBase]:
    """Every response to a signed-in user says `Cache-Control: private, no-store`: claims, verdicts,
    exports and the audit log must not stay in a shared proxy, or on a shared computer after logout.
    Static files never get here (WhiteNoise answers them first, with their own long-lived caching)."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware
