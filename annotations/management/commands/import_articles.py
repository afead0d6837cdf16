"""`import_articles PATH...`: read article files and folders, store and pre-mark them."""
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotations.importing import SUPPORTED_SUFFIXES, ReadFailure, read_file, source_files
from annotations.storing import import_items


class Command(BaseCommand):
    help = (
        "Import articles from files or folders (" + ", ".join(sorted(SUPPORTED_SUFFIXES)) + "). "
        ".txt/.md: first non-empty line is the headline. .jsonl/.csv: fields title, body and optional "
        "url, published_at, author. Each new article is pre-marked. A file that fails is reported and the "
        "next one read. Exits non-zero if any item failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to import")
        parser.add_argument("--user", help="username recorded as the importer in the history")
        parser.add_argument("--no-premark", action="store_true", help="store the articles without pre-marking")
        parser.add_argument("--dry-run", action="store_true", help="read and check the files; store nothing")

    def handle(self, *args, paths, user, no_premark, dry_run, **options):
        actor = self._actor(user)
        files = list(source_files(paths))
        counts: Counter[str] = Counter()
        # The bar shows only on a terminal; piped output gets the plain lines alone.
        progress = tqdm(total=len(files), unit="file", disable=not sys.stderr.isatty(), file=sys.stderr)
        with progress:
            for file in files:
                for status, line in self._outcomes(file, actor, premark=not no_premark, dry_run=dry_run):
                    counts[status] += 1
                    if line:
                        with progress.external_write_mode():
                            (self.stderr if status == "failed" else self.stdout).write(line)
                progress.update()
        if dry_run:
            self.stdout.write(f"{counts['readable']} readable, {counts['failed']} failed (dry run: nothing stored)")
        else:
            self.stdout.write(f"{counts['imported']} imported, {counts['duplicate']} already stored, {counts['failed']} failed")
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} item(s) could not be imported; see the messages above")

    def _outcomes(self, file: Path, actor, *, premark: bool, dry_run: bool) -> Iterator[tuple[str, str]]:
        """(status, line to print) for each article of one file."""
        try:
            if dry_run:
                for item in read_file(file):
                    if isinstance(item, ReadFailure):
                        yield "failed", f"{item.source_name}: {item.reason}"
                    else:
                        yield "readable", ""
            else:
                for outcome in import_items(read_file(file), by=actor, premark=premark):
                    yield outcome.status, str(outcome)
        except Exception as error:  # whatever stops one file, the others are still read; the exit code tells
            yield "failed", (f"{file}: stopped ({type(error).__name__}: {error}); run again to import the rest: "
                             "what was stored is not stored twice")

    def _actor(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
