"""Streamlit pieces of the Duplicates page: the keep-best rules editor, one group's card
(members side by side with the facts that decide, the keeper highlighted, its actions), and
the recent decisions with undo. Actions run in button callbacks; their result or failure is
shown once on the next run (``flash``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import streamlit as st
from sqlalchemy.engine import Engine

from photoimport.duplicates import resolve
from photoimport.duplicates.queries import load_rules, save_rules
from photoimport.duplicates.values import (
    DecisionInfo,
    Group,
    GroupKind,
    KeepRule,
    KeepRules,
    Member,
)
from photoimport.errors import PhotoimportError

FLASH = "dup_flash"
KIND_LABELS = {
    GroupKind.EXACT: "exact: one content under several paths",
    GroupKind.COPIES: "copies: the pixels match (re-encodes, resizes, messenger copies)",
    GroupKind.SIMILAR: "similar shots: one camera within seconds (a burst)",
}
MAX_SIDE_BY_SIDE = 6


def run_action(action: Callable[[], DecisionInfo]) -> None:
    """A button callback: run ``action``; keep what happened for the next run."""
    try:
        info = action()
        st.session_state[FLASH] = ("ok", f"Decision {info.id}: {info.summary}")
    except PhotoimportError as exc:
        st.session_state[FLASH] = ("error", str(exc))


def flash() -> None:
    kind, text = st.session_state.pop(FLASH, (None, ""))
    if kind == "ok":
        st.success(text, icon=":material/check:")
    elif kind == "error":
        st.error(text, icon=":material/error:")


def rules_editor(engine: Engine) -> KeepRules:
    """The keep-best rules in order (the order of selection); saved on request."""
    saved = load_rules(engine)
    order = st.multiselect(
        "Keep-best rules, in order",
        list(KeepRule),
        default=list(saved.order),
        format_func=lambda r: r.label,
        key="dup_rules",
        help="The first rule that leaves one photo decides. Remove and add a rule to move it.",
    )
    folders = st.text_input(
        "Preferred folders",
        ", ".join(saved.preferred_folders),
        key="dup_prefer",
        help="Comma-separated; a photo under one of them wins the 'preferred folder' rule.",
    )
    rest = tuple(r for r in saved.order if r not in order)
    rules = KeepRules(
        order=(*order, *rest),
        preferred_folders=tuple(f.strip() for f in folders.split(",") if f.strip()),
    )
    if rules != saved and st.button("Save as default", key="dup_rules_save"):
        save_rules(engine, rules)
        st.toast("Keep-best rules saved")
    return rules


def facts_table(members: Sequence[Member], keeper: Member | None) -> str:
    """The members side by side (a column each) with the facts that decide, as one table."""

    def head(m: Member) -> str:
        star = ":green-background[:material/star: keeper] " if m is keeper else ""
        return f"{star}photo {m.file_id}" + (" · **discarded**" if m.discarded else "")

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    rows = {
        "file": [cell(m.name) for m in members],
        "pixels": [f"{m.width}×{m.height}" for m in members],
        "format, size": [f"{m.format} · {m.size / 1e6:.2f} MB" for m in members],
        "date": [f"{m.effective_local or 'none'} ({m.confidence.value.lower()})" for m in members],
        "camera": [cell(m.camera or "none") for m in members],
        "GPS, RAW": [
            f"{'GPS' if m.has_gps else 'no GPS'}{' · RAW beside it' if m.has_raw else ''}"
            for m in members
        ],
        "path": [
            f"`{cell(m.path)}`" + (f" (+{m.paths - 1})" if m.paths > 1 else "") for m in members
        ],
    }
    lines = ["| | " + " | ".join(head(m) for m in members) + " |"]
    lines.append("|---" * (len(members) + 1) + "|")
    lines += [f"| {name} | " + " | ".join(values) + " |" for name, values in rows.items()]
    return "\n".join(lines)


def group_card(engine: Engine, group: Group, thumbnail_file: Callable[[str], Path]) -> None:
    keeper = group.keeper
    rule = group.choice.rule if group.choice else ""
    with st.container(border=True):
        state = f" · resolved by decision {group.decision_id}" if group.decision_id else ""
        st.markdown(
            f"**Group {group.id}** · {KIND_LABELS[group.kind]} · {group.size} members{state}  \n"
            f"Recommended keeper: photo {keeper.file_id if keeper else '—'}, decided by "
            f"*{rule}*"
        )
        shown = group.members[:MAX_SIDE_BY_SIDE]
        thumbs = [(thumbnail_file(m.thumbnail), m) for m in shown if m.thumbnail]
        thumbs = [(t, m) for t, m in thumbs if t.is_file()]
        if thumbs:
            st.image(
                [str(t) for t, _ in thumbs],
                caption=[("★ " if m is keeper else "") + f"photo {m.file_id}" for _, m in thumbs],
                width=160,
            )
        st.markdown(facts_table(shown, keeper))
        if len(group.members) > len(shown):
            st.caption(f"and {len(group.members) - len(shown)} more (see the CLI's list)")
        _actions(engine, group)


def _actions(engine: Engine, group: Group) -> None:
    gid = group.id
    if group.decision_id is not None:
        decision = group.decision_id
        st.button(
            "Undo this resolution",
            key=f"undo_{gid}",
            on_click=run_action,
            args=(lambda: resolve.undo(engine, decision),),
        )
        return
    keeper = group.keeper
    ids = sorted({m.file_id for m in group.members})
    left, mid, right = st.columns([3, 1, 1])
    if group.kind is not GroupKind.EXACT:
        chosen = left.multiselect(
            "Keep",
            ids,
            default=[keeper.file_id] if keeper else [],
            key=f"keep_{gid}",
            format_func=lambda i: f"photo {i}",
        )
        left.button(
            "Keep selected, discard the others",
            key=f"keep_btn_{gid}",
            disabled=not chosen,
            type="primary",
            on_click=run_action,
            args=(lambda: resolve.keep(engine, gid, chosen, source="page"),),
        )
        right.button(
            "Not duplicates",
            key=f"notdup_{gid}",
            on_click=run_action,
            args=(lambda: resolve.not_duplicates(engine, gid, source="page"),),
        )
    mid.button(
        "Keep all",
        key=f"keepall_{gid}",
        on_click=run_action,
        args=(lambda: resolve.keep_all(engine, gid, source="page"),),
    )


def recent_decisions(engine: Engine) -> None:
    for d in resolve.list_decisions(engine, limit=5):
        done = d.undone_at is not None
        st.caption(f"{d.id}: {d.action.value}, {d.summary}")
        if not done:
            st.button(
                f"Undo {d.id}",
                key=f"undo_d_{d.id}",
                on_click=run_action,
                args=(partial(resolve.undo, engine, d.id),),
            )
