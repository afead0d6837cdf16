"""The audit history cannot be quietly rewritten: triggers refuse changes, the hash chain catches them."""
import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from annotations.models import Article, AuditEvent

from .conftest import audit_triggers

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(claim, reviewer):
    claim.set_verdict("verified", by=reviewer)
    claim.set_note("Checked against the minutes.", by=reviewer)
    claim.set_verdict("disputed", by=reviewer)
    return list(AuditEvent.objects.order_by("pk"))


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify(*args) -> str:
    out = io.StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def test_the_database_refuses_to_update_an_event(history):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("UPDATE annotations_auditevent SET note = 'edited'")


def test_the_database_refuses_to_delete_an_event(history):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("DELETE FROM annotations_auditevent")


def test_an_intact_chain_verifies_and_prints_its_head(history):
    assert f"{len(history)} events verified; head {history[-1].hash}" in verify()


def test_a_row_edited_with_raw_sql_after_dropping_the_trigger_is_caught(history):
    audit_triggers(connection, install=False)
    raw("UPDATE annotations_auditevent SET note = 'rewritten' WHERE id = %s", [history[2].pk])
    audit_triggers(connection, install=True)
    with pytest.raises(CommandError, match=f"broken at event {history[2].pk}: its content"):
        verify()


def test_a_removed_row_is_caught_at_the_event_after_it(history):
    audit_triggers(connection, install=False)
    raw("DELETE FROM annotations_auditevent WHERE id = %s", [history[1].pk])
    audit_triggers(connection, install=True)
    with pytest.raises(CommandError, match=f"broken at event {history[2].pk}: it does not follow"):
        verify()


def test_a_removed_tail_is_caught_by_the_expected_head(history):
    audit_triggers(connection, install=False)
    raw("DELETE FROM annotations_auditevent WHERE id = %s", [history[-1].pk])
    audit_triggers(connection, install=True)
    verify()  # the shorter chain is still a chain ...
    with pytest.raises(CommandError, match="not in the chain"):
        verify("--expect", history[-1].hash)  # ... but not the one whose head the admin kept


def test_an_older_expected_head_is_accepted_and_the_newer_events_counted(history):
    assert "2 event(s) before the current head" in verify("--expect", history[-3].hash)


def test_the_exported_audit_log_reverifies_with_the_documented_algorithm(history, tmp_path):
    target = tmp_path / "audit.jsonl"
    call_command("export_audit", "--output", str(target), stdout=io.StringIO())
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    previous = "0" * 64
    for record in records:
        hashed = {k: v for k, v in record.items() if k not in {"id", "previous_hash", "hash"}}
        canonical = json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert record["previous_hash"] == previous
        assert hashlib.sha256((previous + canonical).encode("utf-8")).hexdigest() == record["hash"]
        previous = record["hash"]
    assert [r["id"] for r in records] == [e.pk for e in history]


def test_an_articles_audit_export_holds_only_its_events(history, article, tmp_path):
    Article.objects.import_article(title="Other", body="Another body.", by=None)
    target = tmp_path / "audit.jsonl"
    call_command("export_audit", "--article", str(article.pk), "--output", str(target),
                 stdout=io.StringIO())
    assert {json.loads(line)["article_id"] for line in target.read_text().splitlines()} == {article.pk}


def audit_download(client, article_id: str):
    return client.get(reverse("annotations:audit_download"), {"article": article_id})


@pytest.mark.parametrize("article_id", ["²", "abc", "1.0", "-1", "99999999999999999999999"])
def test_an_audit_download_for_an_article_id_that_is_not_one_is_not_found(editor_client, history, article_id):
    assert audit_download(editor_client, article_id).status_code == 404


@pytest.mark.parametrize("zero", ["０", "٠"])  # full-width and Arabic-Indic digits: int() takes them
def test_an_article_id_in_other_digits_is_not_found(editor_client, history, article, zero):
    assert audit_download(editor_client, "".join(chr(ord(zero) + int(d)) for d in str(article.pk))).status_code == 404


def test_an_articles_audit_download_is_named_after_its_id_and_holds_its_events(editor_client, history, article):
    response = audit_download(editor_client, str(article.pk))
    assert f'filename="factcheck-audit-article-{article.pk}-' in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).splitlines()
    assert [json.loads(line)["id"] for line in lines] == [event.pk for event in history]
