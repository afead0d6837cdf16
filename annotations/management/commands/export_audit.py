"""`export_audit`: write the audit log (all of it, or one article's) as JSON Lines with the hashes."""
from django.core.management.base import BaseCommand, CommandError

from annotations.exports import audit_lines, write_export
from annotations.models import Article, AuditEvent


class Command(BaseCommand):
    help = (
        "Export audit events as JSON Lines, oldest first, with previous_hash and hash, so a third party can "
        "re-verify them with the algorithm in the README (section 'Trust'). Use --article for one article."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument("--article", type=int, metavar="ID", help="only this article's events")

    def handle(self, *args, output, article, **options):
        events = AuditEvent.objects.order_by("pk")
        if article is not None:
            if not Article.objects.filter(pk=article).exists():
                raise CommandError(f"No article with id {article}.")
            events = events.filter(article_id=article)
        count = events.count()
        write_export(audit_lines(events), output)
        (self.stdout if output else self.stderr).write(f"{count} event(s) exported" + (f" to {output}" if output else ""))
