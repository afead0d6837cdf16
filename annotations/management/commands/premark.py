"""`premark`: (re-)run the pre-marker on stored articles, or print marks for files with --dry-run."""
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from annotations.importing import ArticleDraft, read_paths
from annotations.models import Article
from annotations.premark import find_spans_many, premark_articles


class Command(BaseCommand):
    help = (
        "Pre-mark stored articles (--article ID ... or --all): adds new machine marks and removes untouched "
        "machine marks that no longer apply; marks a person touched are never changed. "
        "With --dry-run FILE...: read article files without touching the database and print one JSON object "
        'per mark per line: {"file", "kind", "start", "end", "text", "speaker", "score", "reasons"}, '
        "offsets into the normalised body of that file."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", metavar="FILE", help="article files (with --dry-run)")
        parser.add_argument("--article", type=int, action="append", default=[], metavar="ID",
                            help="pre-mark this stored article (repeatable)")
        parser.add_argument("--all", action="store_true", help="pre-mark every stored article")
        parser.add_argument("--dry-run", action="store_true", help="print marks for FILEs as JSON lines; store nothing")
        parser.add_argument("--min-score", type=float, default=None,
                            help=f"with --dry-run: lowest score printed (default CLAIM_MIN_SCORE={settings.CLAIM_MIN_SCORE})")
        parser.add_argument("--batch-size", type=int, default=16, help="articles per nlp.pipe batch")

    def handle(self, *args, files, article, all, dry_run, min_score, batch_size, **options):
        if dry_run:
            return self._print_marks(files, settings.CLAIM_MIN_SCORE if min_score is None else min_score, batch_size)
        if files:
            raise CommandError("FILE arguments go with --dry-run; to pre-mark stored articles use --article ID or --all.")
        if bool(article) == all:
            raise CommandError("Say which articles: --article ID (repeatable) or --all.")
        articles = list(Article.objects.order_by("pk") if all else Article.objects.filter(pk__in=article).order_by("pk"))
        missing = set(article) - {a.pk for a in articles}
        if missing:
            raise CommandError("No article with id " + ", ".join(map(str, sorted(missing))) + ".")
        results = premark_articles(articles, batch_size=batch_size)
        added = sum(r.added for r in results)
        removed = sum(r.removed for r in results)
        kept = sum(r.kept for r in results)
        self.stdout.write(f"{len(articles)} article(s) pre-marked: {added} marks added, {removed} removed, {kept} kept")

    def _print_marks(self, files, min_score, batch_size):
        if not files:
            raise CommandError("--dry-run needs at least one FILE.")
        items = list(read_paths(files))
        drafts = [item for item in items if isinstance(item, ArticleDraft)]
        for item in items:
            if not isinstance(item, ArticleDraft):
                self.stderr.write(f"{item.source_name}: {item.reason}")
        for draft, spans in zip(drafts, find_spans_many((d.body for d in drafts), batch_size=batch_size), strict=True):
            for span in spans:
                if span.score >= min_score:
                    self.stdout.write(json.dumps({"file": draft.source_name, **span.as_contract()}, ensure_ascii=False))
        if len(drafts) < len(items):
            raise CommandError(f"{len(items) - len(drafts)} file(s) could not be read")
