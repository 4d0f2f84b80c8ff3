"""The Gallery's data: one tile per photo (thumbnail, effective date, confidence mark, marks),
a photo's neighbours in the filtered order, the timeline and the map's clusters.

Everything a tile says comes from the *effective* values (``File.effective_local`` and
``File.effective_confidence``: the detected time, or a person's decision). The confidence mark
is a colour *and* a letter, so it reads without colour too.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from photoimport.db.counters import is_exact_duplicate
from photoimport.db.models import Confidence, File, Job, JobItem
from photoimport.library.queries import FileFilter, filter_conditions, list_files
from photoimport.settings import Settings

__all__ = [
    "CONFIDENCE_MARKS",
    "Cluster",
    "ConfidenceMark",
    "MonthBar",
    "Neighbours",
    "Tile",
    "cluster_points",
    "date_text",
    "map_view",
    "month_bars",
    "month_bounds",
    "neighbours",
    "owns",
    "photo_points",
    "tile_marks",
    "tiles",
]


@dataclass(frozen=True)
class ConfidenceMark:
    letter: str
    colour: str  # CSS colour of the letter
    background: str  # CSS colour behind it in the grid
    label: str
    badge_colour: str  # a Streamlit markdown colour

    @property
    def text(self) -> str:
        """The grid's cell: the letter and the word (its background is ``background``)."""
        return f"{self.letter} · {self.label}"

    @property
    def badge(self) -> str:
        """Streamlit markdown: a coloured badge with the letter and the word."""
        return f":{self.badge_colour}-badge[{self.letter} · {self.label}]"


CONFIDENCE_MARKS: dict[Confidence, ConfidenceMark] = {
    Confidence.HIGH: ConfidenceMark("H", "#0f5323", "#d3f5dc", "high", "green"),
    Confidence.MEDIUM: ConfidenceMark("M", "#6b4a00", "#fff1c2", "medium", "yellow"),
    Confidence.LOW: ConfidenceMark("L", "#7a2e00", "#ffdcc4", "low", "orange"),
    Confidence.NONE: ConfidenceMark("N", "#82071e", "#ffd8d8", "no date", "red"),
}


@dataclass(frozen=True)
class Tile:
    """One photo of a gallery page, as the grid shows it."""

    file_id: int
    position: int  # 0-based index in the filtered, sorted list
    name: str
    thumb: str | None  # a data: URL of the thumbnail (the grid's image column), None if missing
    taken: str  # the effective date, as a person reads it
    confidence: str  # the mark: letter + word (the grid colours its cell)
    marks: str  # "video · RAW · Live · duplicate · decided · discarded", or ""
    camera: str


def date_text(local_iso: str | None) -> str:
    """ "2018-07-25T16:34:23+02:00" -> "25 Jul 2018, 16:34"; None -> "no date"."""
    if not local_iso:
        return "no date"
    when = datetime.fromisoformat(local_iso)
    return f"{when.day} {when:%b %Y, %H:%M}"


def _thumb_url(settings: Settings, rel: str | None) -> str | None:
    """The thumbnail inlined as a data: URL. Static serving would need the thumbnails inside
    the app folder (and refuses symlinks), so a page of about 60 small JPEGs travels inline."""
    if not rel:
        return None
    try:
        data = settings.thumbnail_file(rel).read_bytes()  # a shared folder on other hosts
    except OSError:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def _variant_kinds(engine: Engine, ids: Sequence[int]) -> dict[int, set[str]]:
    """For each primary in ``ids``: the kinds of its variants (a RAW, a Live Photo's video)."""
    if not ids:
        return {}
    query = sa.select(col(File.variant_of), col(File.kind)).where(col(File.variant_of).in_(ids))
    found: dict[int, set[str]] = {}
    with engine.connect() as conn:
        for primary, kind in conn.execute(query):
            if primary is None:
                continue
            found.setdefault(int(primary), set()).add(str(kind))
    return found


def _marks(f: File, variants: set[str]) -> str:
    marks: list[str] = []
    if f.kind == "video":
        marks.append("video")
    if f.kind == "raw" or "raw" in variants:
        marks.append("RAW")
    if "video" in variants and f.kind != "video":
        marks.append("Live")
    if is_exact_duplicate(f.path_count) or f.near_group is not None:
        marks.append("duplicate")
    if f.date_decision_id is not None or f.dup_decision_id is not None:
        marks.append("decided")
    if f.discarded:
        marks.append("discarded")
    return " · ".join(marks)


def tiles(
    engine: Engine, settings: Settings, flt: FileFilter, offset: int, limit: int
) -> list[Tile]:
    """A page of tiles (3 indexed queries whatever the page size)."""
    files = list_files(engine, flt, offset=offset, limit=limit)
    ids = [f.id for f in files if f.id is not None]
    variants = _variant_kinds(engine, ids)
    out: list[Tile] = []
    for i, f in enumerate(files):
        assert f.id is not None
        conf = Confidence(f.effective_confidence or Confidence.NONE)
        out.append(
            Tile(
                file_id=f.id,
                position=offset + i,
                name=f.name,
                thumb=_thumb_url(settings, f.thumbnail),
                taken=date_text(f.effective_local),
                confidence=CONFIDENCE_MARKS[conf].text,
                marks=_marks(f, variants.get(f.id, set())),
                camera=" ".join(p for p in (f.make, f.model) if p) or "",
            )
        )
    return out


@dataclass(frozen=True)
class Neighbours:
    position: int  # 0-based, in the filtered order
    previous: tuple[int, int] | None  # (file id, position)
    next: tuple[int, int] | None


def neighbours(engine: Engine, flt: FileFilter, file_id: int, position: int) -> Neighbours | None:
    """The photos before and after ``file_id`` at ``position`` of the filtered list; None when
    the list changed and the photo is no longer there (the page then shows it alone)."""
    if position < 0:
        return None
    start = max(position - 1, 0)
    ids = [f.id for f in list_files(engine, flt, offset=start, limit=3) if f.id is not None]
    if file_id not in ids:
        return None
    here = ids.index(file_id)
    at = start + here
    return Neighbours(
        position=at,
        previous=(ids[here - 1], at - 1) if here > 0 else None,
        next=(ids[here + 1], at + 1) if here + 1 < len(ids) else None,
    )


# --- timeline ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthBar:
    month: str  # "2021-04"
    photos: int


def month_bars(engine: Engine, flt: FileFilter) -> list[MonthBar]:
    """Photos per month of the effective local date, for ``flt`` without its date range (the
    timeline shows every month, the range is what a click on it sets)."""
    wide = replace(flt, date_from=None, date_to=None)
    month = sa.func.substr(col(File.effective_local), 1, 7).label("month")
    query = (
        sa.select(month, sa.func.count())
        .select_from(File)
        .where(col(File.effective_local).is_not(None), *filter_conditions(wide))
        .group_by(month)
        .order_by(month)
    )
    with engine.connect() as conn:
        return [MonthBar(str(m), int(n)) for m, n in conn.execute(query)]


def month_bounds(month: str) -> tuple[date, date]:
    """ "2021-04" -> (1 April 2021, 30 April 2021)."""
    first = date.fromisoformat(f"{month}-01")
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, date.fromordinal(nxt.toordinal() - 1)


# --- map ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    lat: float  # centre of its photos
    lon: float
    photos: int
    south: float  # the box its photos lie in (what a selection filters by)
    west: float
    north: float
    east: float
    label: str  # "12" or the photo's name


def photo_points(
    engine: Engine, flt: FileFilter, limit: int = 5000
) -> list[tuple[float, float, str]]:
    """(lat, lon, name) of up to ``limit`` photos of ``flt`` with a real position."""
    wide = replace(flt, area=None)
    query = (
        sa.select(col(File.gps_latitude), col(File.gps_longitude), col(File.name))
        .where(col(File.gps_latitude).is_not(None), col(File.gps_longitude).is_not(None))
        .limit(limit)
    )
    query = query.where(*filter_conditions(wide))
    with engine.connect() as conn:
        return [
            (float(a), float(o), str(n))
            for a, o, n in conn.execute(query)
            if a is not None and o is not None and (a, o) != (0.0, 0.0)
        ]


def cluster_points(
    points: Sequence[tuple[float, float, str]], cells: int = 12, min_cell: float = 0.01
) -> list[Cluster]:
    """Group points on a grid of about ``cells`` x ``cells`` over their extent, cells at least
    ``min_cell`` degrees (about 1 km: photos of one place are one cluster); a cluster per
    occupied cell, its box the extent of its own points; a lone photo is its own cluster."""
    if not points:
        return []
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    span = max(max(lats) - min(lats), max(lons) - min(lons))
    size = max(span / cells, min_cell)
    groups: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    for p in points:
        key = (math.floor(p[0] / size), math.floor(p[1] / size))
        groups.setdefault(key, []).append(p)
    out = []
    for members in groups.values():
        la = [m[0] for m in members]
        lo = [m[1] for m in members]
        out.append(
            Cluster(
                lat=sum(la) / len(la),
                lon=sum(lo) / len(lo),
                photos=len(members),
                south=min(la),
                west=min(lo),
                north=max(la),
                east=max(lo),
                label=str(len(members)) if len(members) > 1 else members[0][2],
            )
        )
    out.sort(key=lambda c: -c.photos)
    return out


def tile_marks(engine: Engine, f: File) -> str:
    """The marks of one photo (its page shows the same marks as its tile)."""
    assert f.id is not None
    variants = _variant_kinds(engine, [f.id]).get(f.id, set())
    return _marks(f, variants)


def owns(engine: Engine, owner: str, file_id: int) -> bool:
    """Whether a job of ``owner`` (a demo visitor) brought this photo."""
    query = sa.select(sa.literal(1)).where(
        col(JobItem.file_id) == file_id,
        col(JobItem.job_id).in_(sa.select(col(Job.id)).where(col(Job.owner) == owner)),
    )
    with engine.connect() as conn:
        return conn.execute(query.limit(1)).first() is not None


def map_view(clusters: Sequence[Cluster]) -> tuple[float, float, float]:
    """(lat, lon, zoom) showing every cluster: one place at town scale (zoom 12), the world at
    zoom 1 (a single point has no extent to fit, so the zoom is never derived from zero)."""
    lats = [c.lat for c in clusters] or [0.0]
    lons = [c.lon for c in clusters] or [0.0]
    span = max(max(lats) - min(lats), max(lons) - min(lons))
    zoom = 12.0 if span < 0.05 else max(1.0, min(12.0, math.log2(360 / span) - 0.5))
    return (max(lats) + min(lats)) / 2, (max(lons) + min(lons)) / 2, round(zoom, 2)
