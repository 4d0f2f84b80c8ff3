"""The values that cross the duplicates package's border (pages, CLI, other packages).

* ``GroupKind``: ``exact`` (one content seen under several paths), ``copies`` (different
  contents whose pixels are within the near-duplicate distance: re-encodes, resizes, messenger
  copies) and ``similar`` (shots of one burst: the same camera within a few seconds, pixels
  further apart).
* ``KeepRule``: one rule of the ordered keep-best list; ``KeepRules`` is the list plus its
  preferred folders.
* ``Member`` (one photo of a group with the facts that decide), ``Group``, ``KeeperChoice``.
* ``Action``: what a decision said; ``DecisionInfo``: a decision as the page and CLI show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from photoimport.enums import Confidence

__all__ = [
    "Action",
    "DecisionInfo",
    "Group",
    "GroupKind",
    "GroupOrder",
    "KeepRule",
    "KeepRules",
    "KeeperChoice",
    "Member",
    "ResolvePreview",
]


class GroupKind(StrEnum):
    EXACT = "exact"
    COPIES = "copies"
    SIMILAR = "similar"


class GroupOrder(StrEnum):
    LARGEST = "largest first"
    NEWEST = "newest first"


class KeepRule(StrEnum):
    """Keep-best rules; each prefers one member over another (the docstrings say how)."""

    ORIGINAL = "original"  # camera metadata, and a name that is not an edit or messenger copy
    RAW = "raw"  # the photo has a RAW file beside it
    PIXELS = "pixels"  # more pixels
    DATE = "date"  # a capture date with higher confidence
    METADATA = "metadata"  # more of: a date, GPS, the camera
    LARGER = "larger"  # larger file
    FIRST_SEEN = "first-seen"  # imported first (the library keeps no file mtime)
    SHORTER_PATH = "shorter-path"
    PREFERRED_FOLDER = "preferred-folder"  # under one of ``KeepRules.preferred_folders``

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


RULE_LABELS: dict[KeepRule, str] = {
    KeepRule.ORIGINAL: "original over edited or messenger copy",
    KeepRule.RAW: "has a RAW beside it",
    KeepRule.PIXELS: "more pixels",
    KeepRule.DATE: "date with higher confidence",
    KeepRule.METADATA: "more metadata (date, GPS, camera)",
    KeepRule.LARGER: "larger file",
    KeepRule.FIRST_SEEN: "imported first",
    KeepRule.SHORTER_PATH: "shorter path",
    KeepRule.PREFERRED_FOLDER: "in a preferred folder",
}
TIE = "tie: the first seen"  # the deciding "rule" when every rule ties (lowest id, first path)
ONLY_ONE = "one member left"


DEFAULT_ORDER: tuple[KeepRule, ...] = (
    KeepRule.PREFERRED_FOLDER,  # ties (a no-op) until the user names a folder
    KeepRule.ORIGINAL,
    KeepRule.RAW,
    KeepRule.PIXELS,
    KeepRule.DATE,
    KeepRule.METADATA,
    KeepRule.LARGER,
    KeepRule.FIRST_SEEN,
    KeepRule.SHORTER_PATH,
)


@dataclass(frozen=True)
class KeepRules:
    order: tuple[KeepRule, ...] = DEFAULT_ORDER
    preferred_folders: tuple[str, ...] = ()


class Action(StrEnum):
    KEEP = "keep"  # keep these, discard the others
    KEEP_ALL = "keep all"
    NOT_DUPLICATES = "not duplicates"
    RULES = "rules"  # every group of a filter by the keep-best rules


@dataclass(slots=True)  # not frozen: resolving every group builds one per photo, fast
class Member:
    """One photo of a group with the facts that decide (exact groups: one row per path)."""

    file_id: int
    sha256: str
    path: str
    name: str
    format: str
    size: int
    width: int
    height: int
    effective_local: str | None
    confidence: Confidence
    make: str | None
    model: str | None
    has_gps: bool
    has_raw: bool
    discarded: bool
    thumbnail: str | None
    paths: int = 1  # how many paths this content was seen under
    # what a decision reads and may change (merging into the keeper), read with the rest
    effective_utc: datetime | None = None
    effective_offset_minutes: int | None = None
    date_decided: bool = False  # a person's date decision holds its date
    gps_latitude: float | None = None
    gps_longitude: float | None = None
    dup_decision_id: int | None = None

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def camera(self) -> str | None:
        parts = [p for p in (self.make, self.model) if p]
        return " ".join(parts) or None


@dataclass(frozen=True)
class KeeperChoice:
    keeper: int  # index into the members
    rule: str  # the label of the rule that decided, ``TIE`` or ``ONLY_ONE``


@dataclass(frozen=True)
class Group:
    id: int
    kind: GroupKind
    size: int
    newest: datetime | None
    decision_id: int | None  # the decision that resolved it (None: to review)
    members: tuple[Member, ...] = ()
    choice: KeeperChoice | None = None

    @property
    def keeper(self) -> Member | None:
        return None if self.choice is None else self.members[self.choice.keeper]


@dataclass(frozen=True)
class DecisionInfo:
    id: int
    action: Action
    created_at: datetime
    undone_at: datetime | None
    summary: str
    groups: int


@dataclass(frozen=True)
class ResolvePreview:
    groups: int
    kept: int
    discarded: int
    by_rule: dict[str, int] = field(default_factory=dict)
