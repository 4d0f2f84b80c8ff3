"""Which files are variants of one photo: RAW + JPEG, and a Live Photo's still + motion.

Pure: it looks at facts already stored (kind, folder, name, capture time, content identifier)
and says which file is a variant of which primary. The primary is what the gallery shows:

* Live Photo: a video with the Apple content identifier of a still (HEIC or JPEG) is that
  still's motion part; without identifiers, a video with the still's folder and base name
  whose capture time is within ``PAIR_WINDOW`` of the still's.
* RAW + JPEG: a RAW with the folder and base name of a non-RAW still, capture times within
  ``PAIR_WINDOW``: the still is the primary (it is what people look at), the RAW its variant.

Base names compare without case and extension (``IMG_1.CR2`` and ``img_1.jpg``). A file is the
variant of at most one primary; a primary never becomes a variant itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Final

__all__ = ["PAIR_WINDOW", "Member", "pair_variants"]

PAIR_WINDOW: Final = timedelta(seconds=2)


@dataclass(frozen=True)
class Member:
    id: int
    path: str
    kind: str  # "photo", "raw" or "video"
    capture_utc: datetime | None  # aware
    content_id: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        path = PurePath(self.path)
        return str(path.parent), path.stem.lower()


def _close(a: Member, b: Member) -> bool:
    if a.capture_utc is None or b.capture_utc is None:
        return False
    return abs(a.capture_utc - b.capture_utc) <= PAIR_WINDOW


def pair_variants(members: list[Member]) -> dict[int, int]:
    """variant id -> primary id for every pair found among ``members``."""
    stills = [m for m in members if m.kind == "photo"]
    by_content: dict[str, list[Member]] = defaultdict(list)
    by_key: dict[tuple[str, str], list[Member]] = defaultdict(list)
    for still in stills:
        if still.content_id:
            by_content[still.content_id.upper()].append(still)
        by_key[still.key].append(still)
    pairs: dict[int, int] = {}
    primaries = {m.id for m in stills}
    for member in members:
        if member.kind not in ("video", "raw") or member.id in primaries:
            continue
        chosen = None
        if member.kind == "video" and member.content_id:
            chosen = _nearest(member, by_content.get(member.content_id.upper(), []), window=False)
        if chosen is None:
            chosen = _nearest(member, by_key.get(member.key, []), window=True)
        if chosen is not None:
            pairs[member.id] = chosen.id
    return pairs


def _nearest(member: Member, stills: list[Member], *, window: bool) -> Member | None:
    """The still closest in time (within the window when ``window``), lowest id on a tie."""
    usable = [s for s in stills if s.id != member.id and (not window or _close(s, member))]
    if not usable:
        return None

    def distance(still: Member) -> tuple[float, int]:
        if still.capture_utc is None or member.capture_utc is None:
            return float("inf"), still.id
        return abs((still.capture_utc - member.capture_utc).total_seconds()), still.id

    return min(usable, key=distance)
