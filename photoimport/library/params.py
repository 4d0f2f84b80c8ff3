"""The Gallery's filters as URL query parameters, so a filtered view is a link to share.

The encoding is the one Streamlit's ``bind="query-params"`` widgets write (a selectbox writes
its formatted option, a multiselect repeats the key, a toggle writes ``true``, a date range
two ISO dates), so the Gallery's widgets, the Photo page's previous/next and its link back
all read and write the same URL. ``area`` (the map selection) is not a widget: a box
``south,west,north,east``. Values that do not parse are ignored, never an error: a URL is
user input.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from urllib.parse import parse_qs, urlencode

from photoimport.db.models import Confidence
from photoimport.library.queries import FileFilter, SortOrder

__all__ = [
    "Area",
    "filter_from_params",
    "filter_from_view",
    "params_from_filter",
    "parse_area",
    "view_of",
]

Area = tuple[float, float, float, float]  # south, west, north, east
GetAll = Callable[[str], list[str]]


def parse_area(text: str) -> Area | None:
    try:
        south, west, north, east = (float(x) for x in text.split(","))
    except ValueError:
        return None
    if not (-90 <= south <= north <= 90 and -180 <= west <= east <= 180):
        return None
    return south, west, north, east


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def filter_from_params(get_all: GetAll) -> FileFilter:
    """The filter a URL describes (``get_all`` is ``st.query_params.get_all``)."""

    def one(key: str) -> str:
        values = get_all(key)
        return values[-1] if values else ""

    job = one("job")
    confs = tuple(c for c in Confidence if c.value.lower() in {v.lower() for v in get_all("conf")})
    dates = [d for d in (_date(v) for v in get_all("dates")) if d is not None]
    sorts = {str(s): s for s in SortOrder}
    return FileFilter(
        job_id=int(job) if job.isdigit() else None,
        confidences=confs,
        date_from=dates[0] if dates else None,
        date_to=dates[1] if len(dates) > 1 else None,
        camera=one("camera") or None,
        duplicates_only=one("dups") == "true",
        include_discarded=one("discarded") == "true",
        area=parse_area(one("area")),
        sort=sorts.get(one("sort"), SortOrder.CAPTURE_TIME),
    )


def params_from_filter(flt: FileFilter) -> dict[str, str | list[str]]:
    """The query parameters of ``flt`` (defaults left out, as the widgets leave them out)."""
    out: dict[str, str | list[str]] = {}
    if flt.job_id is not None:
        out["job"] = str(flt.job_id)
    if flt.confidences:
        out["conf"] = [c.value.lower() for c in flt.confidences]
    if flt.date_from is not None:
        out["dates"] = [d.isoformat() for d in (flt.date_from, flt.date_to) if d is not None]
    if flt.camera:
        out["camera"] = flt.camera
    if flt.duplicates_only:
        out["dups"] = "true"
    if flt.include_discarded:
        out["discarded"] = "true"
    if flt.area is not None:
        out["area"] = ",".join(f"{x:.6f}" for x in flt.area)
    if flt.sort is not SortOrder.CAPTURE_TIME:
        out["sort"] = str(flt.sort)
    return out


def view_of(flt: FileFilter) -> str:
    """The filter as one query-string value (the Photo page's ``view``: the Gallery's own
    parameter names are bound to its widgets, so another page carries them packed)."""
    return urlencode(params_from_filter(flt), doseq=True)


def filter_from_view(view: str) -> FileFilter:
    parsed = parse_qs(view, keep_blank_values=False)
    return filter_from_params(lambda key: parsed.get(key, []))
