"""The Watch page through AppTest on a real SQLite library, and the registry it calls."""

from __future__ import annotations

import os
import socket
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from photoimport.db.models import JobKind, WatchedFolder, WatcherState, WatchState, utcnow
from photoimport.errors import PathOutsideAllowedRoots, WatchError
from photoimport.jobs.control import create_job
from photoimport.settings import ImportSettings, load_settings
from photoimport.watch.control import start_watcher
from photoimport.watch.registry import (
    add_folder,
    folder_statuses,
    known_paths,
    live_watchers,
    remove_folder,
)
from tests.fixtures.app import AppEnv, open_app


def _watch_page() -> AppTest:
    at = open_app()
    return at.switch_page("pages/watch.py").run()


def _folders(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return list(s.exec(select(WatchedFolder.path)).all())


def _add(engine: Engine, path: Path, state: WatchState) -> None:
    path.mkdir(parents=True, exist_ok=True)
    with Session(engine) as s:
        s.add(WatchedFolder(path=str(path), state=state, last_event_at=utcnow()))
        s.commit()


def test_adding_a_folder_outside_the_allowed_roots_is_refused(
    app_env: AppEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowed = tmp_path / "allowed"
    elsewhere = tmp_path / "elsewhere"
    allowed.mkdir()
    elsewhere.mkdir()
    monkeypatch.setenv("PHOTOIMPORT_ALLOWED_ROOTS", str(allowed))
    at = _watch_page()
    assert not at.exception
    at.text_input(key="watch_add_path").set_value(str(elsewhere))
    at.button(key="watch_add").click().run()
    assert [e.value for e in at.error] == [
        f"folder not found: {elsewhere} "  # the same words as a missing folder (issue 10)
        "(imports may only read existing folders under PHOTOIMPORT_ALLOWED_ROOTS)"
    ]
    assert _folders(app_env.engine) == []

    at.text_input(key="watch_add_path").set_value(str(allowed / ".." / "allowed"))
    at.button(key="watch_add").click().run()
    assert [s.value for s in at.success] == [f"Watching {allowed}."]
    assert _folders(app_env.engine) == [str(allowed)]
    table = at.dataframe[0].value
    assert list(table["folder"]) == [str(allowed)]
    assert list(table["state"]) == ["watcher not running"]


def test_listed_states_match_the_database_and_a_stale_heartbeat(
    app_env: AppEnv, tmp_path: Path
) -> None:
    engine = app_env.engine
    _add(engine, tmp_path / "phone", WatchState.WATCHING)
    _add(engine, tmp_path / "card", WatchState.MISSING)
    with Session(engine) as s:
        s.add(WatcherState(pid=os.getpid(), host=socket.gethostname()))
        s.commit()
    at = _watch_page()
    assert not at.exception
    table = at.dataframe[0].value
    shown = dict(zip(table["folder"], table["state"], strict=True))
    assert shown == {str(tmp_path / "card"): "folder missing", str(tmp_path / "phone"): "watching"}
    assert list(table["imported_today"]) == [0, 0]
    assert at.success[0].value.startswith(f"Watcher running (pid {os.getpid()}")
    assert at.button(key="watch_stop").label == "Stop watcher"

    with engine.begin() as conn:  # the watcher died without a word: its heartbeat goes stale
        conn.execute(sa.update(WatcherState).values(heartbeat_at=utcnow() - timedelta(minutes=1)))
    at.run()
    table = at.dataframe[0].value
    assert set(table["state"]) == {"watcher not running"}
    assert at.warning[0].value == "The watcher is not running: new photos are not imported."
    statuses = folder_statuses(engine, load_settings())
    assert [s.state for s in statuses] == [WatchState.STOPPED, WatchState.STOPPED]


def test_remove_a_folder_from_the_page(app_env: AppEnv, tmp_path: Path) -> None:
    _add(app_env.engine, tmp_path / "phone", WatchState.STOPPED)
    at = _watch_page()
    at.selectbox(key="watch_remove_pick").set_value(str(tmp_path / "phone"))
    at.button(key="watch_remove").click().run()
    assert not at.exception
    assert _folders(app_env.engine) == []
    assert at.info[0].value == "No watched folders yet: add one below."


def test_registry_rules(app_env: AppEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = app_env.engine
    settings = load_settings()
    empty = tmp_path / "empty sync"
    empty.mkdir()
    assert add_folder(engine, settings, empty) == empty  # an empty folder is fine to watch
    (empty / "sub").mkdir()
    with pytest.raises(WatchError, match="already watched as part of"):
        add_folder(engine, settings, empty / "sub")
    with pytest.raises(WatchError, match="holds the watched folder"):
        add_folder(engine, settings, tmp_path)
    monkeypatch.setenv("PHOTOIMPORT_ALLOWED_ROOTS", str(empty))
    with pytest.raises(PathOutsideAllowedRoots):
        add_folder(engine, load_settings(), tmp_path / "other")
    assert remove_folder(engine, empty) == empty
    with pytest.raises(WatchError, match="is not watched"):
        remove_folder(engine, empty)


def test_known_paths_match_the_folder_prefix_literally(app_env: AppEnv) -> None:
    paths = [Path("/p/in_box/a.jpg"), Path("/p/inXbox/b.jpg"), Path("/p/in_box2/c.jpg")]
    create_job(app_env.engine, JobKind.WATCH, "/p/in_box", ImportSettings(), paths=paths)
    assert known_paths(app_env.engine, "/p/in_box") == {"/p/in_box/a.jpg"}  # "_" is no wildcard


def test_start_and_stop_the_watcher_from_the_page(app_env: AppEnv, tmp_path: Path) -> None:
    folder = tmp_path / "phone"
    folder.mkdir()
    add_folder(app_env.engine, load_settings(), folder)
    at = _watch_page()
    at.button(key="watch_start").click().run()
    assert not at.exception
    deadline = time.monotonic() + 30
    while not live_watchers(app_env.engine) and time.monotonic() < deadline:
        time.sleep(0.1)
    log = app_env.home / "logs" / "watcher.log"
    (watcher,) = live_watchers(app_env.engine)
    assert watcher.folder is None, log.read_text()  # every watched folder
    with pytest.raises(WatchError, match=f"already running \\(pid {watcher.pid}"):
        start_watcher(load_settings(), app_env.engine)
    while folder_statuses(app_env.engine, load_settings())[0].state != WatchState.WATCHING:
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    at.run()
    assert list(at.dataframe[0].value["state"]) == ["watching"]
    at.button(key="watch_stop").click().run()  # SIGTERM to the pid of the heartbeat row
    assert live_watchers(app_env.engine) == []
    assert at.button(key="watch_start").label == "Start watcher"
    assert list(at.dataframe[0].value["state"]) == ["watcher not running"]
    assert "watcher stopped" in log.read_text()
