"""System check: SPACY_MODEL must name an installed pipeline package, never a silent fallback."""
import importlib.util

from django.conf import settings
from django.core.checks import Error, register


@register()
def spacy_model_installed(app_configs, **kwargs) -> list[Error]:
    name = settings.SPACY_MODEL
    if importlib.util.find_spec(name) is not None:
        return []
    package = name.replace("_", "-")
    return [
        Error(
            f"The spaCy pipeline {name!r} (setting SPACY_MODEL) is not installed.",
            hint=f"Run: pip install {package}  (the default is pinned in requirements.txt)",
            id="annotations.E001",
        )
    ]
