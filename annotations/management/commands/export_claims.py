"""`export_claims`: write labelled claims as CSV, the same rows as the browser's export."""
import sys

from django.core.management.base import BaseCommand, CommandError

from annotations.exports import csv_lines, select_claims
from annotations.forms import ExportFilterForm


class Command(BaseCommand):
    help = "Export labelled claims as CSV (UTF-8 with BOM, formula-safe) to --output or standard output."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument("--article", type=int, metavar="ID", help="only this article")
        parser.add_argument("--verdict", choices=["verified", "disputed", "unclear"])
        parser.add_argument("--kind", choices=["claim", "quote"])
        parser.add_argument("--reviewer", metavar="USERNAME", help="only claims labelled by this user")
        parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="labelled on or after")
        parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="labelled on or before")

    def handle(self, *args, output, **options):
        filters = {name: options[name] for name in ExportFilterForm.base_fields if options.get(name) is not None}
        form = ExportFilterForm(data=filters)
        if not form.is_valid():
            problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
            raise CommandError(f"Invalid filter: {problems}")
        claims = select_claims(**form.cleaned_data)
        target = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            lines = 0
            for line in csv_lines(claims):
                target.write(line)
                lines += 1
        finally:
            if output:
                target.close()
        summary = f"{lines - 2} claim(s) exported"  # minus the byte-order mark and the header + (f" to {output}" if output else "")
        (self.stdout if output else self.stderr).write(summary)
