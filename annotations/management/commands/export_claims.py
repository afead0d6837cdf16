"""`export_claims`: write labelled claims as CSV, JSON Lines or ClaimReview JSON-LD, as the browser's export does."""
from django.core.management.base import BaseCommand, CommandError

from annotations.exports import FORMATS, select_claims, write_export
from annotations.forms import VERDICT_CHOICES, ExportFilterForm
from annotations.models import Claim


class Command(BaseCommand):
    help = (
        "Export labelled claims to --output or standard output: CSV (UTF-8 with BOM, formula-safe), JSON Lines "
        "(one claim per line with evidence and history summary) or schema.org ClaimReview JSON-LD."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument("--format", choices=sorted(FORMATS), default="csv", dest="export_format")
        parser.add_argument("--article", type=int, metavar="ID", help="only this article")
        parser.add_argument("--verdict", choices=[value for value, _ in VERDICT_CHOICES])
        parser.add_argument("--kind", choices=Claim.Kind.values)
        parser.add_argument("--reviewer", metavar="USERNAME", help="only claims labelled by this user")
        parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="labelled on or after")
        parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="labelled on or before")

    def handle(self, *args, output, export_format, **options):
        filters = {name: options[name] for name in ExportFilterForm.base_fields if options.get(name) is not None}
        form = ExportFilterForm(data={**filters, "export_format": export_format})
        if not form.is_valid():
            problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
            raise CommandError(f"Invalid filter: {problems}")
        claims = select_claims(**{name: value for name, value in form.cleaned_data.items() if name != "export_format"})
        write_chunks = FORMATS[export_format][0]
        write_export(write_chunks(claims), output)
        summary = f"{claims.count()} claim(s) exported" + (f" to {output}" if output else "")
        (self.stdout if output else self.stderr).write(summary)
