"""How long `verify_audit` takes over N audit events, beside the time to merely read them.

Usage: python bench/verify_audit_speed.py [--events 1000000] [--database-url URL]
Builds a throw-away database (SQLite in a temp folder, or a PostgreSQL one whose name contains "bench",
made afresh and dropped afterwards), writes N chained events in bulk, then times
AuditEvent.objects.verify_chain() and a plain read.
"""
import argparse
import time

from bootstrap import add_database_option, setup_django, throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    add_database_option(parser)
    options = parser.parse_args()
    with throwaway_database(options.database_url) as database_url:
        setup_django(database_url)
        measure(options.events, database_url)


def measure(events: int, database_url: str) -> None:
    # Imported here, once Django is set up on the throw-away database.
    from django.core.management import call_command
    from django.utils import timezone

    from annotations.models import AuditEvent, event_hash

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    previous, batch = AuditEvent.objects.verify_chain().head, []
    for number in range(events):
        event = AuditEvent(created_at=timezone.now(), actor_label="bench", action=AuditEvent.Action.NOTE_SET,
                           before={"note": f"note {number}"}, after={"note": f"note {number + 1}"},
                           previous_hash=previous)
        event.hash = previous = event_hash(previous, event.hashed_content())
        batch.append(event)
        if len(batch) == 10_000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    print(f"wrote {events:,} chained events in {time.perf_counter() - started:.1f} s "
          f"({database_url.split(':')[0]})")

    started = time.perf_counter()
    read = sum(1 for _ in AuditEvent.objects.order_by("pk").iterator(chunk_size=5000))
    read_seconds = time.perf_counter() - started

    started = time.perf_counter()
    report = AuditEvent.objects.verify_chain()
    verify_seconds = time.perf_counter() - started
    assert report.broken_at is None and report.count == read, report

    print(f"read only (baseline): {read:,} events in {read_seconds:.1f} s ({read / read_seconds:,.0f} events/s)")
    print(f"verify_chain:         {report.count:,} events in {verify_seconds:.1f} s "
          f"({report.count / verify_seconds:,.0f} events/s), {verify_seconds / read_seconds:.2f}× the read time")


if __name__ == "__main__":
    main()
