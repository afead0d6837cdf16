"""CSV export: columns, filters, formula safety, and a file Excel and LibreOffice read as UTF-8."""
import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from annotations.exports import (
    COLUMNS,
    claimreview_lines,
    csv_lines,
    csv_rows,
    csv_rows_by_copy,
    jsonl_lines,
    neutralise,
    select_claims,
)
from annotations.models import Article, Claim


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
    record = dict(zip(header, row, strict=True))
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


def queries_to_export(export, claims) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        "".join(export(claims))
    return len(captured.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("export", [csv_lines, jsonl_lines, claimreview_lines])
def test_export_queries_do_not_grow_with_the_number_of_claims(make_claim, reviewer, export):
    make_claim(start=0, end=5).set_verdict("verified", by=reviewer)
    few = queries_to_export(export, select_claims())
    for offset in range(6, 66, 6):
        make_claim(start=offset, end=offset + 5).set_verdict("verified", by=reviewer)
    assert queries_to_export(export, select_claims()) == few


@pytest.fixture
def labelled_quote(make_claim, reviewer):
    quote = make_claim(kind=Claim.Kind.QUOTE, start=70, end=103, speaker="Ann Lee")
    quote.add_evidence("https://example.org/minutes", "Council minutes", by=reviewer)
    quote.set_verdict("disputed", by=reviewer)
    return quote


@pytest.mark.django_db
def test_jsonl_has_one_claim_per_line_with_evidence_and_history(labelled_quote):
    (line,) = jsonl_lines(select_claims())
    record = json.loads(line)
    assert record["claim_id"] == labelled_quote.pk and record["speaker"] == "Ann Lee"
    assert record["evidence"][0]["url"] == "https://example.org/minutes"
    assert record["history"]["events"] == 2 and record["verdict"] == "disputed"


# The part of the schema.org vocabulary a ClaimReview uses: each type's properties and their value types.
# Each type's properties: a Python type for a value, or the schema.org type(s) of a nested node.
SCHEMA: dict[str, dict[str, type | str | tuple[str, ...]]] = {
    "ClaimReview": {"url": str, "claimReviewed": str, "datePublished": str, "author": "Organization",
                    "reviewRating": "Rating", "itemReviewed": "Claim"},
    "Rating": {"ratingValue": int, "bestRating": int, "worstRating": int, "alternateName": str},
    "Claim": {"author": ("Person", "Thing"), "datePublished": str, "appearance": "CreativeWork"},
    "CreativeWork": {"url": str, "headline": str},
    "Organization": {"name": str, "url": str},
    "Person": {"name": str},
    "Thing": {"name": str},
}
REQUIRED = {"ClaimReview": {"url", "claimReviewed", "reviewRating", "author", "datePublished", "itemReviewed"},
            "Rating": {"ratingValue", "bestRating", "worstRating", "alternateName"}}


def assert_schema_org(node: dict, expected_type: str | tuple) -> None:
    assert node["@type"] in (expected_type if isinstance(expected_type, tuple) else (expected_type,))
    properties = SCHEMA[node["@type"]]
    assert REQUIRED.get(node["@type"], set()) <= set(node)
    for key, value in node.items():
        if key.startswith("@"):
            continue
        assert key in properties, f"{node['@type']} has no property {key}"
        kind = properties[key]
        if isinstance(kind, type):
            assert isinstance(value, kind), (key, value)
        else:
            assert_schema_org(value, kind)


@pytest.mark.django_db
def test_claimreview_export_is_valid_schema_org_json_ld(labelled_quote, settings):
    settings.DESK_NAME = "Harbour Desk"
    reviews = json.loads("".join(claimreview_lines(select_claims())))
    (review,) = reviews
    assert review["@context"] == "https://schema.org"
    assert_schema_org(review, "ClaimReview")
    assert review["reviewRating"] == {"@type": "Rating", "ratingValue": 1, "bestRating": 3, "worstRating": 1,
                                      "alternateName": "Disputed"}
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Ann Lee"}
    assert review["author"]["name"] == "Harbour Desk"
    assert review["url"].endswith(f"#claim-{labelled_quote.pk}")


@pytest.mark.django_db
@pytest.mark.parametrize(("verdict", "value", "name"), [("verified", 3, "True"), ("unclear", 2, "Unproven"),
                                                         ("disputed", 1, "Disputed")])
def test_each_verdict_maps_to_its_claimreview_rating(claim, reviewer, verdict, value, name):
    claim.set_verdict(verdict, by=reviewer)
    (review,) = json.loads("".join(claimreview_lines(select_claims())))
    assert (review["reviewRating"]["ratingValue"], review["reviewRating"]["alternateName"]) == (value, name)


@pytest.mark.django_db
def test_an_empty_claimreview_export_is_an_empty_array():
    assert json.loads("".join(claimreview_lines(select_claims()))) == []


@pytest.mark.django_db
def test_with_second_opinions_on_only_final_verdicts_are_exported(make_claim, reviewer, editor, settings):
    settings.SECOND_OPINION = True
    agreed = make_claim()
    agreed.set_verdict("verified", by=reviewer)
    agreed.set_verdict("verified", by=editor)
    awaiting = make_claim(start=70, end=103)
    awaiting.set_verdict("disputed", by=reviewer)
    assert list(select_claims()) == [agreed]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's; CI runs the suite there too")
def test_postgresql_writes_the_same_csv_rows_as_python(editor, reviewer, make_claim):
    from django.contrib.auth.models import User

    odd_reviewer = User.objects.create_user("-dash", password="x")
    article, _ = Article.objects.import_article(title="=Rates, \"again\"", body="Rates rose 4 percent.\nThen fell.",
                                                by=editor, source_url="https://example.org/a?b=1,2")
    tricky = Claim.objects.create(article=article, kind="claim", start=0, end=21, text="Rates rose 4 percent.",
                                  score=None)
    tricky.add_evidence("https://example.org/2", by=reviewer)
    tricky.add_evidence("https://example.org/1", by=reviewer)
    tricky.set_note('+1 line one\nline "two", three', by=reviewer)
    tricky.set_verdict("disputed", by=odd_reviewer)
    plain = make_claim(score=0.5)
    plain.set_verdict("verified", by=reviewer)
    Claim.objects.filter(pk=plain.pk).update(reviewed_at=timezone.now().replace(microsecond=0))
    claims = select_claims()
    assert "".join(csv_rows_by_copy(claims)) == "".join(csv_rows(claims))
    rows = parse(csv_lines(claims))
    assert len(rows) == 3 and rows[2][COLUMNS.index("note")] == "'+1 line one\nline \"two\", three"
