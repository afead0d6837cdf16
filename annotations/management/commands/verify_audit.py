"""`verify_audit`: walk the audit hash chain and name the first event that does not fit."""
from django.core.management.base import BaseCommand, CommandError

from annotations.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Check that no audit event was changed, removed or inserted out of band: recompute every event's "
        "SHA-256 over its content and the previous event's hash, in order. Prints the head hash; with "
        "--expect HASH also checks it against a head you stored elsewhere. Exits non-zero on any break."
    )

    def add_arguments(self, parser):
        parser.add_argument("--expect", metavar="HASH", help="the head hash recorded earlier")

    def handle(self, *args, expect, **options):
        report = AuditEvent.objects.verify_chain()
        if report.broken_at is not None:
            raise CommandError(f"Audit chain broken at event {report.broken_at}: {report.problem}")
        if expect and report.head != expect and not AuditEvent.objects.filter(hash=expect).exists():
            raise CommandError(f"The expected head {expect} is not in the chain: events were removed or rewritten.")
        self.stdout.write(f"{report.count} events verified; head {report.head}")
        if expect and report.head != expect:
            later = AuditEvent.objects.filter(pk__gt=AuditEvent.objects.get(hash=expect).pk).count()
            self.stdout.write(f"The expected head is in the chain, {later} event(s) before the current head.")
