"""The annotations app: articles, marks, reviews and their history."""
from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Fact-check annotations"

    def ready(self) -> None:
        from annotations import checks  # noqa: F401  (registers the system check)
