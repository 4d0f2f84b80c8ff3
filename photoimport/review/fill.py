"""Suggest a date for an undated photo from its dated neighbours (pure: no database).

Cameras number their files (``IMG_0123``, ``DSC01234``) and bursts share a run of numbers, so a
photo without a date that sits between dated photos of the same folder, name prefix and camera
was taken between them. The suggestion interpolates by file number between the nearest dated
photo before and after it (when they are at most ``MAX_NUMBER_GAP`` numbers and ``MAX_TIME_GAP``
apart and in order), or takes the time of a dated photo at most 2 numbers away when only one side
has one. It is a suggestion with its reason, never applied without the person.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from photoimport.review.values import FillSuggestion

__all__ = ["MAX_NUMBER_GAP", "MAX_TIME_GAP", "SeqPhoto", "file_number", "suggest_fills"]

MAX_NUMBER_GAP = 50
MAX_TIME_GAP = timedelta(hours=12)
NEAR_NUMBERS = 2
_NUMBER_RE = re.compile(r"(?P<prefix>[^0-9]*?)(?P<number>[0-9]{3,})")


@dataclass(frozen=True)
class SeqPhoto:
    file_id: int
    name: str
    folder: str
    camera: str | None  # CameraKey.label, None when the photo names no camera
    local: datetime | None  # aware effective time of a *dated* photo; None: needs a date


def file_number(name: str) -> tuple[str, int] | None:
    """The name's prefix and sequence number: ``IMG_0123.JPG`` -> ``("IMG_", 123)``."""
    match = _NUMBER_RE.match(name.rsplit(".", 1)[0] if "." in name else name)
    if match is None:
        return None
    return match["prefix"].upper(), int(match["number"])


def _stamp(photo: SeqPhoto) -> str:
    assert photo.local is not None
    return f"{photo.name} ({photo.local:%Y-%m-%d %H:%M:%S})"


def _same_camera(a: SeqPhoto, b: SeqPhoto) -> bool:
    return a.camera is None or b.camera is None or a.camera == b.camera


def _between(
    target: SeqPhoto, n: int, before: tuple[int, SeqPhoto], after: tuple[int, SeqPhoto]
) -> FillSuggestion | None:
    (nb, b), (na, a) = before, after
    assert a.local is not None
    assert b.local is not None
    span = a.local - b.local
    if na - nb > MAX_NUMBER_GAP or span < timedelta(0) or span > MAX_TIME_GAP:
        return None
    local = b.local + span * ((n - nb) / (na - nb))
    local = local.replace(microsecond=0)
    reason = f"between {_stamp(b)} and {_stamp(a)} of the same sequence, by file number"
    return FillSuggestion(file_id=target.file_id, name=target.name, local=local, reason=reason)


def _next_to(target: SeqPhoto, n: int, near: tuple[int, SeqPhoto]) -> FillSuggestion | None:
    number, photo = near
    if abs(n - number) > NEAR_NUMBERS or photo.local is None:
        return None
    reason = f"next to {_stamp(photo)}, the nearest dated photo of the sequence"
    return FillSuggestion(
        file_id=target.file_id, name=target.name, local=photo.local, reason=reason
    )


def _nearest(
    target: SeqPhoto, n: int, seq: list[tuple[int, SeqPhoto]], start: int, step: int
) -> tuple[int, SeqPhoto] | None:
    """The nearest dated photo of the same camera walking from ``start`` by ``step`` (±1)."""
    k = start
    while 0 <= k < len(seq):
        m, photo = seq[k]
        if abs(m - n) > MAX_NUMBER_GAP:
            return None
        if m != n and photo.local is not None and _same_camera(target, photo):
            return m, photo
        k += step
    return None


def _suggest(
    target: SeqPhoto, n: int, seq: list[tuple[int, SeqPhoto]], at: int
) -> FillSuggestion | None:
    before = _nearest(target, n, seq, at - 1, -1)
    after = _nearest(target, n, seq, at + 1, +1)
    if before is not None and after is not None and _same_camera(before[1], after[1]):
        found = _between(target, n, before, after)
        if found is not None:
            return found
    for near in (before, after):
        if near is not None:
            found = _next_to(target, n, near)
            if found is not None:
                return found
    return None


def suggest_fills(photos: list[SeqPhoto]) -> list[FillSuggestion]:
    """A suggestion for each undated photo that has usable neighbours, in file-number order."""
    sequences: dict[tuple[str, str], list[tuple[int, SeqPhoto]]] = defaultdict(list)
    for photo in photos:
        numbered = file_number(photo.name)
        if numbered is not None:
            sequences[(photo.folder, numbered[0])].append((numbered[1], photo))
    suggestions: list[FillSuggestion] = []
    for key in sorted(sequences):
        seq = sorted(sequences[key], key=lambda x: x[0])
        for at, (n, photo) in enumerate(seq):
            if photo.local is None:
                found = _suggest(photo, n, seq, at)
                if found is not None:
                    suggestions.append(found)
    return suggestions
