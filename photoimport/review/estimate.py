"""Work out cameras' clock errors from evidence, with a spread (pure: no database).

Evidence comes as ``Observation``s, each one photo (or one pair of photos) saying how far a
camera's clock was off:

* against the true time (``other is None``): the camera's capture time minus the photo's GPS UTC
  time (a GPS fix is a satellite clock);
* against another camera (``other`` named): a near-duplicate pair, the same scene shot by both
  cameras seconds apart, gives "camera minus other camera".

Phones set their clock from the network: they are *references* with an error of 0. The solver
starts from the references and the GPS evidence, and each round fixes the camera with the most
evidence linking it to cameras already known (median of its estimates; spread = 1.4826 x the
median absolute deviation, the robust standard deviation). Cameras that no chain links to the
true time are reported relative to the camera of their group with the most evidence.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from photoimport.review.values import OffsetSuggestion

__all__ = ["TRUE_TIME", "Observation", "estimate_offsets", "robust_centre"]

TRUE_TIME = "true time (GPS clocks and phones)"
MAX_EVIDENCE_LINES = 12


@dataclass(frozen=True)
class Observation:
    camera: str
    other: str | None  # None: against the true time
    error_seconds: float  # camera's clock minus the other's (or the true time)
    evidence: str  # in plain words, e.g. "IMG_1.JPG and DSC_4.JPG look the same: 3,605 s apart"


def robust_centre(values: list[float]) -> tuple[float, float]:
    """The median and the robust spread (1.4826 x MAD; 0 for one value)."""
    centre = statistics.median(values)
    if len(values) < 2:
        return centre, 0.0
    mad = statistics.median(abs(v - centre) for v in values)
    return centre, 1.4826 * mad


def _estimates(
    camera: str, observations: list[Observation], known: dict[str, float]
) -> list[tuple[float, str]]:
    found: list[tuple[float, str]] = []
    for obs in observations:
        if obs.camera == camera and obs.other is None:
            found.append((obs.error_seconds, obs.evidence))
        elif obs.camera == camera and obs.other in known:
            found.append((obs.error_seconds + known[obs.other], obs.evidence))
        elif obs.other == camera and obs.camera in known:
            found.append((known[obs.camera] - obs.error_seconds, obs.evidence))
    return found


def _suggestion(
    camera: str, estimates: list[tuple[float, str]], reference: str
) -> tuple[float, OffsetSuggestion]:
    error, spread = robust_centre([e for e, _ in estimates])
    suggestion = OffsetSuggestion(
        camera=camera,
        correction=timedelta(seconds=-round(error)),
        spread=timedelta(seconds=round(spread)),
        observations=len(estimates),
        reference=reference,
        evidence=tuple(text for _, text in estimates[:MAX_EVIDENCE_LINES]),
    )
    return error, suggestion


def _solve(
    cameras: set[str], observations: list[Observation], known: dict[str, float], reference: str
) -> list[OffsetSuggestion]:
    """Fix cameras one by one, most evidence first, from what ``known`` holds (updated)."""
    suggestions: list[OffsetSuggestion] = []
    pending = set(cameras) - set(known)
    while pending:
        scored = {c: _estimates(c, observations, known) for c in sorted(pending)}
        best = max(scored, key=lambda c: (len(scored[c]), c), default=None)
        if best is None or not scored[best]:
            break
        error, suggestion = _suggestion(best, scored[best], reference)
        known[best] = error
        suggestions.append(suggestion)
        pending.discard(best)
    return suggestions


def estimate_offsets(
    observations: list[Observation], references: set[str]
) -> list[OffsetSuggestion]:
    """Each camera's suggested correction (references and unlinked cameras excepted)."""
    cameras = {o.camera for o in observations} | {o.other for o in observations if o.other}
    known: dict[str, float] = {r: 0.0 for r in references}
    suggestions = _solve(cameras, observations, known, TRUE_TIME)
    rest = cameras - set(known)
    while rest:  # groups with no link to the true time: relative to their best-documented camera
        weight: dict[str, int] = defaultdict(int)
        for obs in observations:
            for cam in (obs.camera, obs.other):
                if cam in rest:
                    weight[cam] += 1
        anchor = max(sorted(rest), key=lambda c: weight[c])
        known[anchor] = 0.0
        before = set(known)
        suggestions += _solve(rest, observations, known, f"the clock of {anchor}")
        rest -= set(known)
        if set(known) == before:
            rest.discard(anchor)
    return suggestions
