"""Google Takeout JSON sidecars: which JSON belongs to which photo, and what it says.

Takeout writes one JSON per media file, named in ways that changed over the years:

| media                      | its JSON                                                   |
| -------------------------- | ---------------------------------------------------------- |
| ``IMG_1.jpg``              | ``IMG_1.jpg.json`` (classic)                               |
| ``IMG_1.jpg``              | ``IMG_1.jpg.supplemental-metadata.json`` (2024 on)         |
| long names                 | the JSON name cut to 51 characters: ``IMG...jpg.supplem.json``, |
|                            | ``...jpg.s.json``, ``...jpg..json``; or the media name cut to 46 |
| ``IMG_1(1).jpg``           | ``IMG_1.jpg(1).json`` (the copy number moves after the extension) |
| ``IMG_1-edited.jpg``       | the original's ``IMG_1.jpg.json`` (edited copies share it) |
| ``IMG_1.jpg``              | ``IMG_1.json`` (extension missing)                         |

``photoTakenTime.timestamp`` is UTC seconds; ``geoData`` 0/0 means "unknown". Album files
(``metadata.json`` and its translations) have no ``photoTakenTime`` and belong to no photo.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

__all__ = [
    "TakeoutFacts",
    "TakeoutIndex",
    "match_takeout_json",
    "parse_takeout_json",
    "takeout_key",
]

SUPPLEMENTAL: Final = ".supplemental-metadata"
MAX_STEM: Final = 46  # Takeout cuts a JSON's name to 51 characters: 46 + ".json"
_COPY = re.compile(r"^(?P<stem>.*?)\((?P<n>\d+)\)$")
_MEDIA_COPY = re.compile(r"^(?P<base>.*?)\((?P<n>\d+)\)(?P<ext>\.[^.]*)?$")
# "-edited" in the languages Takeout writes it in.
_EDITED = re.compile(
    r"-(edited|bearbeitet|modifié|modifie|editado|modificato|bewerkt|編集済み|已编辑|edytowane)$",
    re.IGNORECASE,
)
_MAX_JSON_BYTES: Final = 1024 * 1024


@dataclass(frozen=True)
class TakeoutFacts:
    """What one Takeout JSON says about its photo."""

    taken_utc: datetime | None  # photoTakenTime.timestamp (aware, UTC)
    latitude: float | None  # geoData (None when absent or the 0/0 placeholder)
    longitude: float | None
    title: str | None
    warnings: tuple[str, ...] = ()


def parse_takeout_json(data: bytes) -> TakeoutFacts | None:
    """The facts of a Takeout photo JSON; None for anything else (album metadata, other JSON)."""
    if len(data) > _MAX_JSON_BYTES:
        return None
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(doc, dict) or "photoTakenTime" not in doc:
        return None
    warnings: list[str] = []
    taken = _timestamp(doc.get("photoTakenTime"), warnings)
    lat, lon = _position(doc.get("geoData")) or _position(doc.get("geoDataExif")) or (None, None)
    title = doc.get("title")
    return TakeoutFacts(taken, lat, lon, title if isinstance(title, str) else None, tuple(warnings))


def _timestamp(value: object, warnings: list[str]) -> datetime | None:
    raw = value.get("timestamp") if isinstance(value, dict) else None
    try:
        seconds = int(str(raw))
    except ValueError:
        warnings.append(f"Takeout photoTakenTime.timestamp {raw!r} is not a number")
        return None
    if seconds <= 0:
        warnings.append("Takeout photoTakenTime.timestamp is 0 (unknown)")
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


def _position(value: object) -> tuple[float, float] | None:
    if not isinstance(value, dict):
        return None
    try:
        lat, lon = float(value.get("latitude", 0.0)), float(value.get("longitude", 0.0))
    except (TypeError, ValueError):
        return None
    if (lat == 0.0 and lon == 0.0) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def takeout_key(json_name: str) -> tuple[str, int] | None:
    """A JSON file name as (stem without ``.json`` and copy number, copy number; 0: none)."""
    if not json_name.lower().endswith(".json"):
        return None
    stem = json_name[:-5]
    copy = _COPY.match(stem)
    if copy is not None:
        return copy.group("stem"), int(copy.group("n"))
    return stem, 0


def _rank(stem: str, original: str) -> int | None:
    """How well a JSON stem names ``original`` (lower is better; None: not at all)."""
    full = original + SUPPLEMENTAL
    if stem == original:
        return 0
    if stem == full:
        return 1
    if stem.startswith(original + ".") and full.startswith(stem):
        return 2  # ".supplemental-metadata" cut short: ".supplem", ".s", "."
    if len(stem) >= MAX_STEM - 1 and full.startswith(stem):
        return 3  # cut inside the media's own name
    base, dot, _ = original.rpartition(".")
    if dot and stem == base:
        return 4  # extension missing
    return None


def _stems(original: str) -> list[tuple[int, str]]:
    """Every JSON stem that can name ``original``, with its ``_rank`` (a few dozen at most)."""
    full = original + SUPPLEMENTAL
    found = [(0, original), (1, full)]
    found += [(2, full[:k]) for k in range(len(original) + 1, len(full))]
    found += [(3, full[:k]) for k in range(MAX_STEM - 1, len(original))]
    base, dot, _ = original.rpartition(".")
    if dot:
        found.append((4, base))
    return found


class TakeoutIndex:
    """The Takeout JSONs of one folder, indexed by (stem, copy number): a photo finds its JSON
    in a few dozen look-ups, so a folder of 10,000 photos and 10,000 JSONs costs no more per
    photo than a folder of ten."""

    def __init__(self, json_names: list[str]) -> None:
        self._names: dict[tuple[str, int], str] = {}
        for name in sorted(json_names):
            key = takeout_key(name)
            if key is not None:
                self._names.setdefault(key, name)

    def match(self, media_name: str) -> str | None:
        """The JSON that belongs to ``media_name`` (ranked as ``_rank`` says), or None."""
        copy = 0
        original = media_name
        found = _MEDIA_COPY.match(media_name)
        if found is not None:
            copy = int(found.group("n"))
            original = found.group("base") + (found.group("ext") or "")
        originals = [original]
        base, dot, ext = original.rpartition(".")
        unedited = _EDITED.sub("", base if dot else original)
        if unedited != (base if dot else original):
            originals.append(unedited + (dot + ext if dot else ""))
        for candidate in originals:
            # the copy number after the extension, or kept inside the name (IMG_1(1).jpg.json)
            keys = [(rank, (stem, copy)) for rank, stem in _stems(candidate)]
            if copy:
                keys += [(rank, (stem, 0)) for rank, stem in _stems(media_name)]
            hits = [(rank, self._names[key]) for rank, key in keys if key in self._names]
            if hits:
                return min(hits)[1]
        return None


def match_takeout_json(media_name: str, json_names: list[str]) -> str | None:
    """The JSON (among ``json_names``, from the same folder) that belongs to ``media_name``."""
    return TakeoutIndex(json_names).match(media_name)
