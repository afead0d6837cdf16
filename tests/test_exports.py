"""CSV export: columns, filters, formula safety, and a file Excel and LibreOffice read as UTF-8."""
import csv
import io
import json
import sys
import unicodedata
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from annotations.exports import (
    COLUMNS,
    FORMULA_CHARACTERS,
    INVISIBLES,
    claimreview_lines,
    csv_lines,
    csv_rows,
    csv_rows_by_copy,
    jsonl_lines,
    neutralise,
    select_claims,
)
from annotations.models import Article, Claim, Evidence


def parse(lines) -> list[list[str]]:
    text = "".join(lines)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("value", [
    "=SUM(A1)", "+1", "-2+3", "@cmd", "\tx", "\rx",
    # Spreadsheets skip what they show as nothing: spaces, NBSP, zero-width space, line separator, VT, FF, BOM.
    " =1", "\u00a0=1", "\u200b+1", "\u2028-1", "\x0b@x", "\x0c=1", "\ufeff=1", "\u3000 \t=1",
    # And read full-width, small and raised signs as the ASCII ones (NFKC).
    "＝1", "＋1", "－1", "＠x", "﹦1", "﹢1", "⁼1",
])
def test_cells_whose_first_visible_character_is_a_formula_character_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Plain text, with “quotes”", "x=1", " a - b", "−1 (a minus sign)", ""])
def test_ordinary_cells_are_unchanged(value):
    assert neutralise(value) == value


def escaped(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def bracketed(codes: list[int]) -> str:
    """Sorted code points as the inside of a bracket expression, in ranges of \\u/\\U escapes."""
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(escaped(first) if first == last else f"{escaped(first)}-{escaped(last)}" for first, last in ranges)


def test_the_formula_check_follows_pythons_unicode_tables():
    """When Python's Unicode tables change this fails; paste the values it shows into exports.py."""
    invisible, formula = [], []
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        if unicodedata.category(character) in ("Cc", "Cf", "Zs", "Zl", "Zp"):
            invisible.append(code)
        elif unicodedata.normalize("NFKC", character)[:1] in "=+-@":
            formula.append(code)
    assert (bracketed(invisible), bracketed(formula)) == (INVISIBLES, FORMULA_CHARACTERS)


def test_no_cell_starting_with_a_letter_or_the_ascii_after_it_is_neutralised():
    """PostgreSQL's COPY skips the pattern for cells that start with A to ~ (exports._neutralised_sql)."""
    assert all(neutralise(chr(code) + "=1") == chr(code) + "=1" for code in range(ord("A"), ord("~") + 1))


# Free text a spreadsheet must neither run nor split, and the cell a CSV reader gets back.
HOSTILE_CELLS = [
    ("ok\r=cmd|' /C calc'!A0", "ok\r=cmd|' /C calc'!A0"),  # quoted, so the CR cannot start a row
    (" =1+1", "' =1+1"), ("\u00a0=1+1", "'\u00a0=1+1"), ("\u200b+1", "'\u200b+1"), ("\u2028-1", "'\u2028-1"),
    ("\x0b@SUM(A1)", "'\x0b@SUM(A1)"), ("\x0c=1", "'\x0c=1"), ("\ufeff=1", "'\ufeff=1"),
    ("＝1+1", "'＝1+1"), ("﹦1+1", "'﹦1+1"), ("＋1", "'＋1"), ("－1", "'－1"), ("＠SUM(A1)", "'＠SUM(A1)"),
    ("\r\n=1", "'\r\n=1"), ("line one\r\nline two", "line one\r\nline two"),
    ('say "hi", then go', 'say "hi", then go'), ("plain", "plain"),
]


@pytest.fixture
def hostile_claims(editor, reviewer) -> list[Claim]:
    """One labelled claim per hostile cell (as note and speaker), on an article with a script link and a
    headline that closes a script element; the first claim has a data: link among its evidence."""
    article, _ = Article.objects.import_article(
        title="</script><script>alert(1)</script> & co", body="Rates rose. " * len(HOSTILE_CELLS), by=editor,
        source_url="javascript:alert(document.domain)")
    claims = []
    for number, (value, _expected) in enumerate(HOSTILE_CELLS):
        start = number * 12
        claim = Claim.objects.create(article=article, kind="claim", start=start, end=start + 11,
                                     text=article.body[start:start + 11], note=value, speaker=value)
        claim.set_verdict("verified", by=reviewer)
        claims.append(claim)
    # Stored before links were checked (add_evidence refuses it now).
    Evidence.objects.create(claim=claims[0], url="data:text/html,<script>alert(1)</script>", added_by=reviewer)
    Evidence.objects.create(claim=claims[0], url="https://example.org/ok", added_by=reviewer)
    return claims


@pytest.mark.django_db
def test_hostile_cells_come_back_whole_and_neutralised(hostile_claims):
    header, *rows = parse(csv_lines(select_claims()))
    assert len(rows) == len(HOSTILE_CELLS)
    for row, (_value, expected) in zip(rows, HOSTILE_CELLS, strict=True):
        record = dict(zip(header, row, strict=True))
        assert (record["note"], record["speaker"]) == (expected, expected)
        assert record["article_url"] == ""
    assert rows[0][COLUMNS.index("evidence_urls")] == "https://example.org/ok"


@pytest.mark.django_db
def test_a_lone_carriage_return_is_quoted(hostile_claims):
    assert ',"ok\r=cmd|\' /C calc\'!A0",' in "".join(csv_lines(select_claims()))


@pytest.mark.django_db
def test_links_that_are_not_http_are_left_out_of_json_lines_and_claimreview(hostile_claims):
    record = json.loads(next(jsonl_lines(select_claims())))
    assert record["article_url"] is None
    assert [e["url"] for e in record["evidence"]] == [None, "https://example.org/ok"]
    review = json.loads("".join(claimreview_lines(select_claims())))[0]
    assert "url" not in review["itemReviewed"]["appearance"]


@pytest.mark.django_db
def test_claimreview_escapes_markup_so_it_can_sit_in_a_script_element(hostile_claims):
    text = "".join(claimreview_lines(select_claims()))
    assert not {"<", ">", "&"} & set(text)
    headline = json.loads(text)[0]["itemReviewed"]["appearance"]["headline"]
    assert headline == "</script><script>alert(1)</script> & co"


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


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's; CI runs the suite there too")
def test_postgresql_writes_the_same_bytes_as_python_for_hostile_rows(hostile_claims):
    claims = select_claims()
    by_copy = "".join(csv_rows_by_copy(claims))
    assert by_copy.encode() == "".join(csv_rows(claims)).encode()
    assert by_copy.count("\n") - sum(value.count("\n") for value, _ in HOSTILE_CELLS) * 2 == len(HOSTILE_CELLS)
