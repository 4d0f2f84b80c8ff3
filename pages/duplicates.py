"""Duplicates: groups to review, paged (page in the URL), largest or newest first, by kind and
job; members side by side with the facts that decide and the recommended keeper; keep, keep
all, not duplicates, every group by the rules (previewed), undo. Nothing is deleted: a
discarded photo is only left out of exports and hidden in the gallery."""

from __future__ import annotations

import math

import streamlit as st

from photoimport import jobs
from photoimport.duplicates import resolve
from photoimport.duplicates.queries import GroupFilter, count_groups, list_groups, rules_outcome
from photoimport.duplicates.values import GroupKind, GroupOrder
from widgets.duplicates import (
    KIND_LABELS,
    flash,
    group_card,
    recent_decisions,
    rules_editor,
    run_action,
)
from widgets.panels import app

PAGE_SIZE = 5
settings, engine, zone = app()
st.title(":material/content_copy: Duplicates")
st.caption(
    "Nothing here deletes or moves a file: a discarded photo is left out of exports and hidden "
    "in the gallery, and every decision can be undone."
)

with st.sidebar:
    st.subheader("Groups")
    kind = st.selectbox(
        "Kind",
        [None, *GroupKind],
        format_func=lambda k: "every kind" if k is None else KIND_LABELS[k].split(":")[0],
        key="dup_kind",
    )
    job_ids = [j.id for j in jobs.list_jobs(engine, limit=200) if j.id is not None]
    job = st.selectbox(
        "Job",
        [None, *job_ids],
        format_func=lambda j: "all jobs" if j is None else f"job {j}",
        key="dup_job",
    )
    resolved = st.toggle("Show resolved groups", key="dup_resolved")
    order = st.radio("Order", list(GroupOrder), format_func=str, horizontal=True, key="dup_order")
    st.subheader("Keep-best rules")
    rules = rules_editor(engine)
    st.subheader("Recent decisions")
    recent_decisions(engine)

flash()
flt = GroupFilter(kind=kind, job_id=job, resolved=resolved, order=order or GroupOrder.LARGEST)
total = count_groups(engine, flt)
pages = max(1, math.ceil(total / PAGE_SIZE))
raw_page = st.query_params.get("page", "1")
page = min(max(int(raw_page) if raw_page.isdigit() else 1, 1), pages)

if not resolved and total:
    outcome = rules_outcome(engine, flt)
    with st.expander(f"Resolve all {total:,} groups of this filter by the rules"):
        st.write(
            f"Would keep {outcome.kept:,} photos and discard {outcome.discarded:,} "
            f"(one keeper per group, chosen by the rules in the sidebar)."
        )
        st.button(
            f"Resolve {total:,} groups",
            key="dup_resolve_all",
            type="primary",
            on_click=run_action,
            args=(lambda: resolve.resolve_by_rules(engine, flt, rules, source="page"),),
        )

if total == 0:
    what = "resolved groups" if resolved else "duplicate groups to review"
    st.info(f"No {what} match.", icon=":material/check_circle:")
    st.stop()

groups = list_groups(engine, flt, rules, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
first = (page - 1) * PAGE_SIZE + 1
st.caption(f"Groups {first:,}–{first + len(groups) - 1:,} of {total:,} · page {page} of {pages}")
for group in groups:
    group_card(engine, group, settings.thumbnail_file)

prev_col, _, next_col = st.columns([1, 4, 1])
if prev_col.button("← Previous", disabled=page <= 1, key="dup_prev"):
    st.query_params["page"] = str(page - 1)
    st.rerun()
if next_col.button("Next →", disabled=page >= pages, key="dup_next"):
    st.query_params["page"] = str(page + 1)
    st.rerun()
