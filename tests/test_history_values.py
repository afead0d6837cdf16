"""The timeline's value filter: how a before or after value of a change reads."""
import pytest

from annotations.templatetags.history_values import history_value


@pytest.mark.parametrize(("value", "field", "html"), [
    (None, "verdict", '<span class="muted">—</span>'),
    (True, "is_dismissed", "yes"),
    (False, "is_dismissed", "no"),
    ("", "note", '<span class="muted">(empty)</span>'),
    ([], "evidence", '<span class="muted">none</span>'),
    ([{"url": "https://example.org/a?b=1&c=2", "description": "<minutes>"}, {"url": "https://example.org/d"}],
     "evidence", '<ul class="plain-list"><li>https://example.org/a?b=1&amp;c=2 (&lt;minutes&gt;)</li>'
                 "<li>https://example.org/d</li></ul>"),
    ("disputed", "verdict", "disputed"),
    (42, "start", 42),
])
def test_each_kind_of_value_reads_as_the_timeline_shows_it(value, field, html):
    assert history_value(value, field) == html
