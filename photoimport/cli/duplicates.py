"""``photoimport duplicates``: list groups, resolve them (keep, not duplicates, by the rules),
undo, and show or set the keep-best rules.

``list`` writes text (a line per group), CSV (a row per member) or JSON (an array of groups,
each with its members' facts, the recommended keeper and the rule that chose it), streamed a
page at a time. ``PhotoimportError`` becomes a one-line message and exit code 1.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field

import click
from sqlalchemy.engine import Engine

from photoimport.db.engine import engine_for
from photoimport.duplicates.queries import GroupFilter, iter_groups, load_rules, save_rules
from photoimport.duplicates.resolve import (
    keep,
    keep_all,
    list_decisions,
    not_duplicates,
    preview_rules,
    resolve_by_rules,
    undo,
)
from photoimport.duplicates.rules import parse_rules
from photoimport.duplicates.values import DecisionInfo, Group, GroupKind, KeepRules, Member
from photoimport.errors import PhotoimportError
from photoimport.settings import load_settings

__all__ = ["duplicates_group", "group_record"]

KINDS = click.Choice([k.value for k in GroupKind])
RULES_HELP = "Keep-best rules to try first, comma-separated (see `duplicates rules`)."


class _Group(click.Group):
    """Translates photoimport's exceptions when the group runs on its own."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PhotoimportError as exc:
            raise click.ClickException(" ".join(str(exc).split())) from exc


@dataclass
class _Ctx:
    _engine: Engine | None = field(default=None)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = engine_for(load_settings())
        return self._engine

    def rules(self, text: str | None) -> KeepRules:
        saved = load_rules(self.engine)
        if not text:
            return saved
        return parse_rules(text, saved.preferred_folders)


pass_ctx = click.make_pass_decorator(_Ctx, ensure=True)


@click.group("duplicates", cls=_Group)
def duplicates_group() -> None:
    """Duplicate groups: exact (one content, several paths), copies, similar shots."""


@duplicates_group.command("list")
@click.option("--kind", type=KINDS, help="Only this kind of group.")
@click.option("--job", type=click.IntRange(min=1), help="Only groups with a photo of this job.")
@click.option("--resolved", is_flag=True, help="Resolved groups instead of those to review.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text")
@click.option("--rules", "rule_text", help=RULES_HELP)
@pass_ctx
def list_command(
    obj: _Ctx, kind: str | None, job: int | None, resolved: bool, fmt: str, rule_text: str | None
) -> None:
    """List duplicate groups (largest first) with their recommended keeper."""
    flt = GroupFilter(kind=GroupKind(kind) if kind else None, job_id=job, resolved=resolved)
    groups = iter_groups(obj.engine, flt, obj.rules(rule_text))
    out = sys.stdout
    if fmt == "json":
        out.write("[")
        for n, group in enumerate(groups):
            out.write(",\n  " if n else "\n  ")
            out.write(json.dumps(group_record(group), ensure_ascii=False))
        out.write("\n]\n")
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["group", "kind", "keeper", "rule", *MEMBER_COLUMNS])
        for group in groups:
            rule = group.choice.rule if group.choice else None
            for m in group.members:
                record = member_record(m)
                writer.writerow(
                    [
                        group.id,
                        group.kind.value,
                        m is group.keeper,
                        rule,
                        *(record[c] for c in MEMBER_COLUMNS),
                    ]
                )
        return
    count = 0
    for group in groups:
        count += 1
        keeper = group.keeper
        who = f"keep {keeper.file_id} ({keeper.name})" if keeper else "no keeper"
        rule = group.choice.rule if group.choice else ""
        ids = " ".join(str(m.file_id) for m in group.members)
        click.echo(
            f"group {group.id:>6}  {group.kind.value:<7} {group.size:>3} members: {ids}; "
            f"{who} by {rule}"
        )
    if count == 0:
        click.echo("no duplicate groups match", err=True)


MEMBER_COLUMNS = (
    "id",
    "path",
    "name",
    "format",
    "size",
    "width",
    "height",
    "date",
    "confidence",
    "camera",
    "gps",
    "raw",
    "discarded",
)


def group_record(group: Group) -> dict[str, object]:
    """A group as JSON-ready data (the CLI's ``list --format json``)."""
    keeper = group.keeper
    return {
        "id": group.id,
        "kind": group.kind.value,
        "size": group.size,
        "resolved_by": group.decision_id,
        "keeper": keeper.file_id if keeper else None,
        "keeper_path": keeper.path if keeper else None,
        "rule": group.choice.rule if group.choice else None,
        "members": [member_record(m) for m in group.members],
    }


def member_record(m: Member) -> dict[str, object]:
    return {
        "id": m.file_id,
        "path": m.path,
        "name": m.name,
        "format": m.format,
        "size": m.size,
        "width": m.width,
        "height": m.height,
        "date": m.effective_local,
        "confidence": m.confidence.value,
        "camera": m.camera,
        "gps": m.has_gps,
        "raw": m.has_raw,
        "discarded": m.discarded,
    }


@duplicates_group.command("resolve")
@click.argument("group_id", type=click.IntRange(min=1), required=False)
@click.option("--keep", "keep_ids", type=int, multiple=True, help="Photo id to keep (repeat).")
@click.option("--keep-all", "everything", is_flag=True, help="Keep every photo of the group.")
@click.option(
    "--not-duplicates",
    "unrelated",
    is_flag=True,
    help="They are not duplicates: never group again.",
)
@click.option("--all", "every", is_flag=True, help="Every group to review, by the rules.")
@click.option("--kind", type=KINDS, help="With --all: only this kind.")
@click.option("--job", type=click.IntRange(min=1), help="With --all: only groups of this job.")
@click.option("--dry-run", is_flag=True, help="With --all: say what would happen, change nothing.")
@click.option("--rules", "rule_text", help=RULES_HELP)
@pass_ctx
def resolve_command(
    obj: _Ctx,
    group_id: int | None,
    keep_ids: tuple[int, ...],
    everything: bool,
    unrelated: bool,
    every: bool,
    kind: str | None,
    job: int | None,
    dry_run: bool,
    rule_text: str | None,
) -> None:
    """Resolve GROUP_ID (--keep ID..., --keep-all, --not-duplicates), or --all by the rules.

    Discarded photos are left out of exports and hidden in the gallery; no file is ever
    deleted or moved. Undo with `photoimport duplicates undo`.
    """
    chosen = sum([bool(keep_ids), everything, unrelated])
    if every:
        if group_id is not None or chosen:
            raise click.UsageError(
                "--all takes no GROUP_ID, --keep, --keep-all or --not-duplicates"
            )
        flt = GroupFilter(kind=GroupKind(kind) if kind else None, job_id=job)
        rules = obj.rules(rule_text)
        if dry_run:
            p = preview_rules(obj.engine, flt, rules)
            click.echo(
                f"would resolve {p.groups:,} groups: keep {p.kept:,}, discard {p.discarded:,}"
            )
            for rule, n in sorted(p.by_rule.items(), key=lambda kv: -kv[1]):
                click.echo(f"  {n:>7,} decided by {rule}")
            return
        _said(resolve_by_rules(obj.engine, flt, rules))
        return
    if group_id is None or chosen != 1 or dry_run or kind or job:
        raise click.UsageError("give GROUP_ID and one of --keep ID, --keep-all, --not-duplicates")
    if keep_ids:
        _said(keep(obj.engine, group_id, keep_ids))
    elif everything:
        _said(keep_all(obj.engine, group_id))
    else:
        _said(not_duplicates(obj.engine, group_id))


@duplicates_group.command("undo")
@click.argument("decision_id", type=click.IntRange(min=1), required=False)
@pass_ctx
def undo_command(obj: _Ctx, decision_id: int | None) -> None:
    """Undo DECISION_ID (default: the newest decision still in force)."""
    _said(undo(obj.engine, decision_id), "undid")


@duplicates_group.command("decisions")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@pass_ctx
def decisions_command(obj: _Ctx, limit: int) -> None:
    """The newest duplicate decisions (undone ones say so)."""
    for d in list_decisions(obj.engine, limit):
        state = " [undone]" if d.undone_at else ""
        click.echo(f"decision {d.id}: {d.action.value}, {d.summary}{state}")


@duplicates_group.command("rules")
@click.option("--set", "order", help="New order: rules first, the others after them.")
@click.option("--prefer", multiple=True, help="Preferred folder (repeat; replaces the saved ones).")
@pass_ctx
def rules_command(obj: _Ctx, order: str | None, prefer: tuple[str, ...]) -> None:
    """Show the keep-best rules in order, or save a new order and preferred folders."""
    rules = load_rules(obj.engine)
    if order or prefer:
        folders = prefer or rules.preferred_folders
        base = order or ",".join(r.value for r in rules.order)
        rules = parse_rules(base, folders)
        save_rules(obj.engine, rules)
    for n, rule in enumerate(rules.order, 1):
        click.echo(f"{n}. {rule.value:<17} {rule.label}")
    if rules.preferred_folders:
        click.echo("preferred folders: " + ", ".join(rules.preferred_folders))


def _said(info: DecisionInfo, verb: str = "decision") -> None:
    if verb == "undid":
        click.echo(f"undid decision {info.id}: {info.summary}")
        return
    click.echo(f"decision {info.id}: {info.summary} (undo: photoimport duplicates undo {info.id})")
