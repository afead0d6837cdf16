"""`import_articles PATH...`: read article files and folders, store and pre-mark them."""
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotations.importing import SUPPORTED_SUFFIXES, ReadFailure, read_paths
from annotations.storing import import_items


class Command(BaseCommand):
    help = (
        "Import articles from files or folders (" + ", ".join(sorted(SUPPORTED_SUFFIXES)) + "). "
        ".txt/.md: first non-empty line is the headline. .jsonl/.csv: fields title, body and optional "
        "url, published_at, author. Each new article is pre-marked. Exits non-zero if any item failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to import")
        parser.add_argument("--user", help="username recorded as the importer in the history")
        parser.add_argument("--no-premark", action="store_true", help="store the articles without pre-marking")
        parser.add_argument("--dry-run", action="store_true", help="read and check the files; store nothing")

    def handle(self, *args, paths, user, no_premark, dry_run, **options):
        actor = self._actor(user)
        items = list(read_paths(paths))
        if dry_run:
            failures = [item for item in items if isinstance(item, ReadFailure)]
            for failure in failures:
                self.stderr.write(f"{failure.source_name}: {failure.reason}")
            self.stdout.write(f"{len(items) - len(failures)} readable, {len(failures)} failed (dry run: nothing stored)")
            failed = len(failures)
        else:
            failed = self._import(items, actor, premark=not no_premark)
        if failed:
            raise CommandError(f"{failed} item(s) could not be imported; see the messages above")

    def _import(self, items, actor, *, premark: bool) -> int:
        counts = {"imported": 0, "duplicate": 0, "failed": 0}
        # The bar shows only on a terminal; piped output gets the plain lines alone.
        progress = tqdm(total=len(items), unit="article", disable=not sys.stderr.isatty(), file=sys.stderr)
        with progress:
            for outcome in import_items(items, by=actor, premark=premark):
                counts[outcome.status] += 1
                with progress.external_write_mode():
                    (self.stderr if outcome.status == "failed" else self.stdout).write(str(outcome))
                progress.update()
        self.stdout.write(f"{counts['imported']} imported, {counts['duplicate']} already stored, {counts['failed']} failed")
        return counts["failed"]

    def _actor(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
