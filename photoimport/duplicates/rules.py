"""Keep-best rules (pure): pick each group's keeper with an ordered list of rules.

Each rule scores a member (higher is better). The rules are applied in order; each keeps only
the members with the best score among those still in the running. The rule that leaves a single
member is the *deciding* rule (shown on the page and in the CLI). When every rule ties, the
lowest photo id wins and the deciding rule is ``TIE``.

``parse_rules("pixels,date")`` reads a CLI list: the named rules first, then the rest in their
default order (a user names what matters to them; the other rules still break ties).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache

from photoimport.duplicates.values import (
    DEFAULT_ORDER,
    ONLY_ONE,
    TIE,
    KeeperChoice,
    KeepRule,
    KeepRules,
    Member,
)
from photoimport.enums import Confidence
from photoimport.errors import DuplicatesError

__all__ = ["choose_keeper", "looks_like_copy", "parse_rules", "rule_scores"]

# names an editor, a messenger or a file manager gives to copies and edits
_COPY_NAME = re.compile(
    r"(-WA\d{3,}|whatsapp|telegram|signal-|messenger|_edited|-edited|\bedit(ed)?\b|"
    r"screenshot|\(\d+\)|\bcopy\b|kopie|_copy|-copy|\s\d+\.\w+$)",
    re.IGNORECASE,
)
_CONFIDENCE_RANK = {Confidence.NONE: 0, Confidence.LOW: 1, Confidence.MEDIUM: 2, Confidence.HIGH: 3}


# Every match of ``_COPY_NAME`` contains one of ``_HINTS`` (a whitespace for its last branch)
# once the name is lower-cased, the four non-ASCII letters ``re.IGNORECASE`` also takes for an
# ASCII one (İ ı for i, ſ for s, K for k) first made that letter. Most names contain none: one
# fast search tells them apart before the slower case-blind one (a resolve asks for every name).
# A new branch of ``_COPY_NAME`` needs its hint here (a property test compares the two).
_HINTS = (
    "-wa",
    "whatsapp",
    "telegram",
    "signal-",
    "messenger",
    "edit",
    "screenshot",
    "(",
    "copy",
    "kopie",
)
_HINT = re.compile("|".join(re.escape(h) for h in _HINTS) + r"|\s")
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def looks_like_copy(name: str) -> bool:
    """The file name is one an editor, a messenger or a file manager gives a copy."""
    folded = (name if name.isascii() else name.translate(_FOLD)).lower()
    return _HINT.search(folded) is not None and _COPY_NAME.search(name) is not None


def _under(path: str, folders: Sequence[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders if f)


def rule_scores(rules: KeepRules) -> dict[KeepRule, Callable[[Member], float]]:
    """Each rule as a score function (higher is better)."""
    return {
        KeepRule.ORIGINAL: lambda m: bool(m.make or m.model) + (not looks_like_copy(m.name)),
        KeepRule.RAW: lambda m: float(m.has_raw),
        KeepRule.PIXELS: lambda m: float(m.pixels),
        KeepRule.DATE: lambda m: float(_CONFIDENCE_RANK[m.confidence]),
        KeepRule.METADATA: lambda m: float(
            (m.effective_local is not None) + m.has_gps + bool(m.make or m.model)
        ),
        KeepRule.LARGER: lambda m: float(m.size),
        KeepRule.FIRST_SEEN: lambda m: float(-m.file_id),
        KeepRule.SHORTER_PATH: lambda m: float(-len(m.path)),
        KeepRule.PREFERRED_FOLDER: lambda m: float(_under(m.path, rules.preferred_folders)),
    }


@cache
def _scorers(rules: KeepRules) -> tuple[tuple[str, ...], tuple[Callable[[Member], float], ...]]:
    """The rules in order: their labels and their scores, once per rule list; without preferred
    folders that rule ties for everyone and is left out."""
    scores = rule_scores(rules)
    used = [
        rule
        for rule in rules.order
        if rule is not KeepRule.PREFERRED_FOLDER or rules.preferred_folders
    ]
    return tuple(r.label for r in used), tuple(scores[r] for r in used)


def choose_keeper(members: Sequence[Member], rules: KeepRules) -> KeeperChoice:
    """The best member by ``rules`` and the rule that decided.

    Applying the rules one after the other, each keeping the best of those still in the running,
    leaves the members whose scores (in rule order) are the greatest tuple; the deciding rule is
    the first one on which the runner-up (the member sharing the longest prefix of scores with
    the keeper) scores lower. One tuple per member: no list per rule and group.
    """
    if not members:
        raise DuplicatesError("a group with no members has no keeper")
    if len(members) == 1:
        return KeeperChoice(0, ONLY_ONE)
    labels, scores = _scorers(rules)
    if len(members) == 2:  # most groups: score the two until a rule tells them apart
        a, b = members
        for label, score in zip(labels, scores, strict=True):
            score_a, score_b = score(a), score(b)
            if score_a != score_b:
                return KeeperChoice(0 if score_a > score_b else 1, label)
        return KeeperChoice(0 if a.file_id <= b.file_id else 1, TIE)
    keys = [tuple([score(m) for score in scores]) for m in members]
    # every rule tied: the lowest photo id, then the first listed (an exact group's first path)
    best = max(range(len(members)), key=lambda i: (keys[i], -members[i].file_id, -i))
    top = keys[best]
    shared = max(_common(top, key) for i, key in enumerate(keys) if i != best)
    return KeeperChoice(best, TIE if shared == len(labels) else labels[shared])


def _common(a: tuple[float, ...], b: tuple[float, ...]) -> int:
    """How many leading scores ``a`` and ``b`` share."""
    if a == b:
        return len(a)
    n = 0
    while a[n] == b[n]:
        n += 1
    return n


def parse_rules(text: str | None, preferred: Sequence[str] = ()) -> KeepRules:
    """``"pixels,date"`` -> those rules first, then the others in their default order."""
    named: list[KeepRule] = []
    for part in (text or "").split(","):
        token = part.strip().lower()
        if not token:
            continue
        try:
            rule = KeepRule(token)
        except ValueError:
            known = ", ".join(r.value for r in KeepRule)
            raise DuplicatesError(f"unknown keep rule {token!r}; the rules are: {known}") from None
        if rule not in named:
            named.append(rule)
    rest = [r for r in DEFAULT_ORDER if r not in named]
    return KeepRules(order=(*named, *rest), preferred_folders=tuple(preferred))
