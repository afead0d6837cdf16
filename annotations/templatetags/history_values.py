"""`history_value`: a before or after value of a change, as the history timeline shows it."""
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


def _muted(text: str) -> SafeString:
    return format_html('<span class="muted">{}</span>', text)


@register.filter
def history_value(value: Any, field: str) -> Any:
    """None as a dash, booleans as yes or no, an empty text as "(empty)", a list of evidence as a list;
    anything else as it is (and escaped as usual)."""
    if value is None:
        return _muted("—")
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if value == "":
        return _muted(gettext("(empty)"))
    if field == "evidence":
        if not value:
            return _muted(gettext("none"))
        return format_html('<ul class="plain-list">{}</ul>', format_html_join("", "<li>{}{}</li>", (
            (item.get("url", ""), f" ({item['description']})" if item.get("description") else "") for item in value)))
    return value
