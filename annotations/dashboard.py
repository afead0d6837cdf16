"""The dashboard's chart: each day's labels as a stacked bar, with the translated name of each part.

The counting is AuditEvent.objects.labels_per_day(); this module only shapes it for the page.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from annotations.models import AuditEvent

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class DayOfLabels:
    """One day of the dashboard's chart: label counts by verdict, dismissals, marks added by hand."""

    SEGMENTS = [("verified", _("verified")), ("disputed", _("disputed")), ("unclear", _("unclear")),
                ("dismissed", _("dismissed"))]

    day: date
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        """Labels and dismissals: the length of the day's bar."""
        return sum(self.counts.get(key, 0) for key, _label in self.SEGMENTS)

    @property
    def marked(self) -> int:
        return self.counts.get("marked", 0)

    def segments(self) -> list[tuple[str, StrOrPromise, int, int]]:
        """(key, label, count, count before it) for each part of the stacked bar that is not empty."""
        parts: list[tuple[str, StrOrPromise, int, int]] = []
        offset = 0
        for key, label in self.SEGMENTS:
            if count := self.counts.get(key, 0):
                parts.append((key, label, count, offset))
                offset += count
        return parts


def label_chart(*, days: int = 30, today: date | None = None) -> list[DayOfLabels]:
    """The last `days` days, oldest first, each a bar of the chart (days without labels too)."""
    return [DayOfLabels(day, counts)
            for day, counts in AuditEvent.objects.labels_per_day(days=days, today=today).items()]
