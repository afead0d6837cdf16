"""No lost updates: many reviewers changing the same claims at once, on a real PostgreSQL server."""
import threading

import pytest
from django.db import connection, connections

from annotations.models import AuditEvent, Claim, StaleClaimError

# SQLite's test database lives in memory, where threads share one connection's locks and fail
# with "table is locked" instead of queueing; the question is how a real server behaves, and
# CI runs the whole suite a second time on PostgreSQL, where this test runs.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a server database; runs in CI's PostgreSQL pass"),
]

THREADS = 16
ROUNDS = 5


def test_concurrent_labels_are_each_accepted_once_or_refused_as_stale(make_claim, reviewer):
    claims = [make_claim(start=offset, end=offset + 5) for offset in (0, 10, 20)]
    accepted, refused, errors = [], [], []
    start_together = threading.Barrier(THREADS)

    def reviewer_at_work(number: int) -> None:
        try:
            start_together.wait()
            for round_number in range(ROUNDS):
                claim = Claim.objects.get(pk=claims[(number + round_number) % len(claims)].pk)
                verdict = ["verified", "disputed", "unclear"][(number + round_number) % 3]
                try:
                    claim.set_verdict(verdict, by=reviewer, expected_version=claim.version)
                    accepted.append(claim.pk)
                except StaleClaimError:
                    refused.append(claim.pk)
        except Exception as error:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=reviewer_at_work, args=(n,)) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    print(f"{len(accepted)} accepted, {len(refused)} refused as stale")
    assert errors == []
    assert len(accepted) + len(refused) == THREADS * ROUNDS
    assert accepted, "at least one change must win"
    for claim in claims:
        claim.refresh_from_db()
        events = list(AuditEvent.objects.filter(claim=claim).order_by("pk"))
        assert len(events) == accepted.count(claim.pk)  # one event per accepted change, none missing
        assert [e.after["version"] for e in events] == list(range(2, claim.version + 1))  # gapless
    assert AuditEvent.objects.verify_chain().broken_at is None
