"""CSV export: columns, filters, formula safety, and a file Excel and LibreOffice read as UTF-8."""
import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from annotations.exports import COLUMNS, csv_lines, neutralise, select_claims
from annotations.models import Claim


def parse(lines) -> list[list[str]]:
    text = "".join(lines)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1", "-2+3", "@cmd", "\tx"])
def test_cells_starting_with_a_formula_character_are_neutralised(value):
    assert neutralise(value) == "'" + value


def test_ordinary_cells_are_unchanged():
    assert neutralise("Plain text, with “quotes”") == "Plain text, with “quotes”"


@pytest.mark.django_db
def test_only_labelled_live_claims_are_exported(make_claim, reviewer):
    labelled = make_claim()
    labelled.set_verdict("verified", by=reviewer)
    make_claim(start=69, end=110)  # unreviewed
    dismissed = make_claim(start=0, end=10)
    dismissed.set_verdict("disputed", by=reviewer)
    dismissed.dismiss(by=reviewer)
    assert list(select_claims()) == [labelled]


@pytest.mark.django_db
def test_rows_carry_every_column_and_round_trip(make_claim, reviewer):
    claim = make_claim(kind=Claim.Kind.QUOTE, start=70, end=103, speaker="Ann Lee")
    claim.add_evidence("https://example.org/budget", "minutes", by=reviewer)
    claim.set_note("=HYPERLINK(\"http://evil\")", by=reviewer)
    claim.set_verdict("unclear", by=reviewer)
    header, row = parse(csv_lines(select_claims()))
    assert header == COLUMNS
    record = dict(zip(header, row))
    assert record["text"] == claim.article.body[70:103]
    assert record["speaker"] == "Ann Lee"
    assert record["verdict"] == "unclear"
    assert record["evidence_urls"] == "https://example.org/budget"
    assert record["labelled_by"] == reviewer.username
    assert record["note"] == "'=HYPERLINK(\"http://evil\")"
    assert record["origin"] == "machine" and record["score"] == "0.800"


@pytest.mark.django_db
def test_filters_narrow_by_verdict_kind_reviewer_and_date(make_claim, reviewer, editor):
    verified = make_claim()
    verified.set_verdict("verified", by=reviewer)
    quote = make_claim(kind=Claim.Kind.QUOTE, start=70, end=103)
    quote.set_verdict("disputed", by=editor)
    today = timezone.now().date()
    assert list(select_claims(verdict="verified")) == [verified]
    assert list(select_claims(kind="quote")) == [quote]
    assert list(select_claims(reviewer=editor)) == [quote]
    assert list(select_claims(date_from=today + timedelta(days=1))) == []
    assert len(select_claims(date_from=today, date_to=today)) == 2


@pytest.mark.django_db
def test_export_queries_do_not_grow_with_the_number_of_claims(make_claim, reviewer, django_assert_max_num_queries):
    for offset in range(0, 60, 6):
        make_claim(start=offset, end=offset + 5).set_verdict("verified", by=reviewer)
    with django_assert_max_num_queries(3):
        assert len(parse(csv_lines(select_claims()))) == 11
