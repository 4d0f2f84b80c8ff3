"""``photoimport duplicates`` (click's CliRunner) and the Duplicates page (AppTest), on a real
SQLite library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine

from photoimport.cli import main
from photoimport.db.engine import engine_for
from photoimport.duplicates.groups import assign_near_groups
from photoimport.settings import load_settings
from tests.duplicates_support import add_job, add_photo, hexed
from tests.fixtures.app import AppEnv, open_app

A = 0xF0F0F0F0F0F0F0F0


def seed(engine: Engine) -> dict[str, int]:
    job = add_job(engine)
    ids = {
        "original": add_photo(engine, job, "o" * 64, hexed(A), make="Apple", model="iPhone 12"),
        "copy": add_photo(
            engine,
            job,
            "m" * 64,
            hexed(A ^ 1),
            seconds=None,
            paths=("/chat/IMG-20210411-WA0001.jpg",),
        ),
        "exact": add_photo(
            engine, job, "e" * 64, hexed(0x0F0F), paths=("/photos/IMG_1.JPG", "/backup/IMG_1.JPG")
        ),
    }
    assign_near_groups(engine, 6)
    return ids


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, dict[str, int]]:
    monkeypatch.delenv("PHOTOIMPORT_DATABASE_URL", raising=False)
    monkeypatch.setenv("PHOTOIMPORT_HOME", str(tmp_path / "home"))
    engine = engine_for(load_settings())
    ids = seed(engine)
    return CliRunner(), ids


def groups_json(runner: CliRunner, *args: str) -> list[dict[str, object]]:
    result = runner.invoke(main, ["duplicates", "list", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    data: list[dict[str, object]] = json.loads(result.output)
    return data


def test_list_resolve_and_undo_from_the_command_line(cli: tuple[CliRunner, dict[str, int]]) -> None:
    runner, ids = cli
    groups = groups_json(runner, "--kind", "copies")
    assert len(groups) == 1
    group = groups[0]
    assert group["keeper"] == ids["original"]
    assert group["rule"]
    members = group["members"]
    assert isinstance(members, list)
    assert {m["id"] for m in members} == {
        ids["original"],
        ids["copy"],
    }
    csv_out = runner.invoke(main, ["duplicates", "list", "--format", "csv"]).output
    assert csv_out.splitlines()[0].startswith("group,kind,keeper,rule,id,path")

    dry = runner.invoke(main, ["duplicates", "resolve", "--all", "--dry-run"])
    assert "would resolve 2 groups: keep 2, discard 1" in dry.output
    done = runner.invoke(
        main, ["duplicates", "resolve", str(group["id"]), "--keep", str(ids["copy"])]
    )
    assert done.exit_code == 0
    assert "kept 1, discarded 1" in done.output

    files = json.loads(runner.invoke(main, ["files", "--format", "json"]).output)
    by_path = {f["path"]: f for f in files}
    assert by_path["/photos/" + "o" * 64 + ".jpg"]["discarded"] is True
    assert by_path["/chat/IMG-20210411-WA0001.jpg"]["group"] == group["id"]

    undone = runner.invoke(main, ["duplicates", "undo"])
    assert undone.exit_code == 0
    assert undone.output.startswith("undid decision")
    assert groups_json(runner, "--kind", "copies")[0]["resolved_by"] is None

    bad = runner.invoke(main, ["duplicates", "resolve", str(group["id"]), "--keep", "999"])
    assert bad.exit_code == 1
    assert "not members: 999" in bad.output
    exact = groups_json(runner, "--kind", "exact")[0]
    refused = runner.invoke(main, ["duplicates", "resolve", str(exact["id"]), "--not-duplicates"])
    assert refused.exit_code == 1
    every = runner.invoke(main, ["duplicates", "resolve", "--all", "--kind", "copies"])
    assert every.exit_code == 0
    assert "1 group: kept 1, discarded 1" in every.output


def test_rules_are_shown_and_reordered(cli: tuple[CliRunner, dict[str, int]]) -> None:
    runner, _ = cli
    result = runner.invoke(main, ["duplicates", "rules", "--set", "larger,pixels"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("1. larger")
    assert (
        runner.invoke(main, ["duplicates", "rules"]).output.splitlines()[1].startswith("2. pixels")
    )
    assert runner.invoke(main, ["duplicates", "rules", "--set", "best"]).exit_code == 1


def test_the_page_shows_groups_and_resolves_them(app_env: AppEnv) -> None:
    ids = seed(app_env.engine)
    at = open_app().switch_page("pages/duplicates.py").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "keeper" in text
    assert "decided by" in text
    assert "Groups 1–2 of 2" in " ".join(c.value for c in at.caption)
    keep_buttons = [b for b in at.button if b.label.startswith("Keep selected")]
    keep_buttons[0].click().run()
    assert not at.exception
    assert "discarded 1" in at.success[0].value
    assert "Groups 1–1 of 1" in " ".join(c.value for c in at.caption)
    at.sidebar.toggle(key="dup_resolved").set_value(True).run()
    at.button(key=next(b.key for b in at.button if b.label == "Undo this resolution")).click().run()
    assert not at.exception
    assert "undone" in at.success[0].value
    assert ids
