"""Export path templates: parse once, check every token, render a photo's relative path.

A template is text with ``{token}`` fields, ``/`` between folders, and must end with ``{ext}``
(so variants share a base name and a collision suffix goes before the extension)::

    {year}/{year}-{month}-{day}/{year}{month}{day}_{hour}{minute}{second}{ext}

Date tokens use the photo's *effective local wall clock* (the time on the clock where it was
taken), never UTC. Photos without a date use the *undated* template, which may not hold date
tokens. ``parse_template`` refuses, with one plain sentence, an unknown token, a stray brace,
an absolute path (``/x``, ``~``, ``C:``), a ``..`` or ``.`` folder, a backslash, or a template not
ending in ``{ext}``. A rendered value never adds a folder: ``/`` and characters that file systems
refuse become ``_`` (``{folder}`` alone may hold ``/``, each of its parts cleaned the same way).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from photoimport.errors import TemplateInvalid

__all__ = [
    "DATE_TOKENS",
    "DEFAULT_TEMPLATE",
    "DEFAULT_UNDATED_TEMPLATE",
    "TOKEN_HELP",
    "Template",
    "TemplateFields",
    "clean_part",
    "normalise_ext",
    "parse_template",
    "split_ext",
]

DEFAULT_TEMPLATE = "{year}/{year}-{month}-{day}/{year}{month}{day}_{hour}{minute}{second}{ext}"
DEFAULT_UNDATED_TEMPLATE = "undated/{folder}/{name}{ext}"

TOKEN_HELP: Mapping[str, str] = {
    "year": "4-digit year of the capture time (local wall clock)",
    "month": "2-digit month",
    "day": "2-digit day",
    "hour": "2-digit hour (00-23)",
    "minute": "2-digit minute",
    "second": "2-digit second",
    "date": "the date as YYYY-MM-DD",
    "time": "the time as HHMMSS",
    "camera": "make and model, e.g. Apple iPhone 12 (unknown camera when none)",
    "make": "camera make (unknown when none)",
    "model": "camera model (unknown when none)",
    "name": "the original file name without its extension",
    "ext": "the extension, lower case with its dot (.jpeg becomes .jpg)",
    "kind": "photo, raw or video",
    "confidence": "how sure the capture time is: high, medium, low or none",
    "job": "the number of the import job that brought the photo",
    "folder": "the photo's folder relative to the folder it was imported from",
}
DATE_TOKENS = frozenset({"year", "month", "day", "hour", "minute", "second", "date", "time"})
_FIELD = re.compile(r"\{([^{}]*)\}")
_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_EXT_ALIASES = {".jpeg": ".jpg", ".jpe": ".jpg", ".tiff": ".tif"}


def split_ext(name: str) -> tuple[str, str]:
    """``IMG_1.JPG`` -> (``IMG_1``, ``.JPG``); a name without a dot has no extension."""
    dot = name.rfind(".")
    if dot <= 0:
        return name, ""
    return name[:dot], name[dot:]


def normalise_ext(suffix: str) -> str:
    """``.JPEG`` -> ``.jpg``: lower case, one spelling per format."""
    low = suffix.lower()
    return _EXT_ALIASES.get(low, low)


@lru_cache(maxsize=65536)
def clean_part(value: str) -> str:
    """One path part made safe: no separators or refused characters, never ``.`` or ``..``."""
    text = _BAD_CHARS.sub("_", value).strip().rstrip(".")
    return text if text not in ("", ".", "..") else "_"


@lru_cache(maxsize=4096)
def _camera(make: str | None, model: str | None) -> tuple[str, str, str]:
    mk = (make or "").strip()
    md = (model or "").strip()
    if md and mk and md.lower().startswith(mk.split()[0].lower()):
        camera = md  # "Canon EOS 5D" already names its make
    else:
        camera = " ".join(p for p in (mk, md) if p)
    return (
        clean_part(camera or "unknown camera"),
        clean_part(mk or "unknown"),
        clean_part(md or "unknown"),
    )


@lru_cache(maxsize=65536)
def _folder(folder: str) -> str:
    return "/".join(clean_part(p) for p in folder.split("/") if p)


class TemplateFields(NamedTuple):
    """The token values of one photo (date tokens absent when it has no date)."""

    local: datetime | None  # effective local wall clock (aware, in the place's offset)
    make: str | None
    model: str | None
    name: str  # original base name without extension
    ext: str  # normalised, with its dot
    kind: str
    confidence: str
    job: int | None
    folder: str  # relative to the import root, '/'-separated, '' at the root

    def values(self, wanted: frozenset[str]) -> dict[str, str]:
        """The values of the non-date tokens in ``wanted``."""
        out: dict[str, str] = {}
        if wanted & {"camera", "make", "model"}:
            out["camera"], out["make"], out["model"] = _camera(self.make, self.model)
        if "name" in wanted:
            out["name"] = clean_part(self.name)
        if "folder" in wanted:
            out["folder"] = _folder(self.folder)
        out["ext"] = self.ext
        out["kind"] = self.kind
        out["confidence"] = self.confidence.lower()
        out["job"] = str(self.job) if self.job is not None else "none"
        return out


_STRFTIME = {
    "year": "%Y",
    "month": "%m",
    "day": "%d",
    "hour": "%H",
    "minute": "%M",
    "second": "%S",
    "date": "%Y-%m-%d",
    "time": "%H%M%S",
}


@dataclass(frozen=True)
class Template:
    """A checked template, compiled: date tokens become ``strftime`` codes (one C call a photo),
    the others ``str.format_map`` fields; the final ``{ext}`` is left to the plan."""

    text: str
    pattern: str
    tokens: frozenset[str]

    def render(self, fields: TemplateFields) -> str:
        """The relative path without the extension: empty folders dropped, parts cleaned."""
        text = self.pattern
        if self.tokens & DATE_TOKENS:
            assert fields.local is not None  # the plan gives undated photos the undated template
            text = fields.local.strftime(text)
        if self.tokens - DATE_TOKENS:
            text = text.format_map(fields.values(self.tokens))
        plain = "//" not in text and not text.startswith(("/", ".")) and not text.endswith("/")
        if plain and "/." not in text and " /" not in text:
            return text  # the common case: the values were cleaned already
        parts = [clean_part(p) for p in text.split("/") if p]
        return "/".join(parts) if parts else "_"


def parse_template(text: str, *, undated: bool = False) -> Template:
    """Check ``text`` and compile it; ``TemplateInvalid`` names the first problem found."""
    what = "the undated template" if undated else "the template"
    if not text.strip():
        raise TemplateInvalid(f"{what} is empty")
    if text.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", text):
        raise TemplateInvalid(
            f"{what} {text!r} is an absolute path: it must stay inside the destination"
        )
    if "\\" in text:
        raise TemplateInvalid(f"{what} {text!r} has a backslash: separate folders with /")
    if not text.endswith("{ext}"):
        raise TemplateInvalid(f"{what} {text!r} must end with {{ext}}")
    pieces: list[tuple[str, str]] = []
    pos = 0
    for match in _FIELD.finditer(text):
        literal = text[pos : match.start()]
        _check_literal(literal, text, what)
        token = match.group(1)
        if token not in TOKEN_HELP:
            known = ", ".join("{" + t + "}" for t in TOKEN_HELP)
            raise TemplateInvalid(f"{what} has an unknown token {{{token}}}; known tokens: {known}")
        if undated and token in DATE_TOKENS:
            raise TemplateInvalid(f"{what} uses {{{token}}}, but it is for photos without a date")
        pieces.append((literal, token))
        pos = match.end()
    _check_literal(text[pos:], text, what)
    for part in re.sub(r"\{[a-z]+\}", "x", text).split("/"):
        if part in (".", ".."):
            raise TemplateInvalid(
                f"{what} {text!r} has a {part!r} folder: it must stay inside the destination"
            )
    tail, _ = pieces.pop()  # the final {ext}: added by the plan after any collision suffix
    dated = any(tok in DATE_TOKENS for _, tok in pieces)
    pattern = ""
    for literal, tok in [*pieces, (tail, "")]:
        pattern += literal.replace("%", "%%") if dated else literal
        if tok:
            pattern += _STRFTIME[tok] if tok in DATE_TOKENS else "{" + tok + "}"
    return Template(text=text, pattern=pattern, tokens=frozenset(t for _, t in pieces))


def _check_literal(literal: str, text: str, what: str) -> None:
    if "{" in literal or "}" in literal:
        raise TemplateInvalid(f"{what} {text!r} has an unmatched brace")
