"""Deployment files, tested without a container runtime (none runs on the test machines):
the Dockerfile's base, user, volume and health check are read from the file, then its start
command runs here with the image's environment (the data directory a fresh folder, as the
volume is) and its health check command must pass against it; compose's worker command starts
and stops cleanly; and every third-party module the app imports is in requirements.txt (what
Streamlit Community Cloud installs: no system package needed)."""

from __future__ import annotations

import ast
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.fixtures.server import ROOT, free_port

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = (ROOT / "compose.yaml").read_text(encoding="utf-8")


def _instruction(name: str) -> str:
    """The last ``name`` instruction of the Dockerfile, continuation lines joined."""
    text = DOCKERFILE.replace("\\\n", " ")
    found = re.findall(rf"^{name}\s+(.*)$", text, flags=re.MULTILINE)
    assert found, f"no {name} in the Dockerfile"
    return str(found[-1]).strip()


def _image_env() -> dict[str, str]:
    pairs = re.findall(r"(\w+)=(\S+)", _instruction("ENV"))
    return dict(pairs)


def test_dockerfile_is_slim_non_root_with_a_data_volume_and_health_check() -> None:
    assert re.match(r"python:3\.11-slim", _instruction("FROM"))
    assert _instruction("USER") not in {"root", "0"}
    assert json.loads(_instruction("VOLUME")) == ["/data"]
    assert _image_env()["PHOTOIMPORT_HOME"] == "/data"
    assert "/_stcore/health" in _instruction("HEALTHCHECK")
    assert "requirements.txt" in DOCKERFILE


def _command(instruction: str, port: int) -> list[str]:
    """A JSON-form command of the image, to run here: ``python`` / ``streamlit`` become this
    interpreter, port 8501 becomes ``port``."""
    args = [a.replace("8501", str(port)) for a in json.loads(instruction)]
    if args[0] == "streamlit":
        return [sys.executable, "-m", "streamlit", *args[1:]]
    assert args[0] == "python"
    return [sys.executable, *args[1:]]


def test_the_images_start_command_passes_its_health_check(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOIMPORT_")}
    env.update(_image_env())
    env["PHOTOIMPORT_HOME"] = str(tmp_path / "data")  # the volume: a fresh, empty folder
    cmd = _command(_instruction("CMD"), port)
    assert "--server.address=0.0.0.0" in cmd  # reachable from outside the container
    health = _command(_instruction("HEALTHCHECK").split("CMD", 1)[1].strip(), port)
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while subprocess.run(health, env=env, capture_output=True, check=False).returncode != 0:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        # app.py, not dashboard.py alone: the route that streams an export's ZIP is there (an
        # unknown export is its plain 404, not the dashboard's page)
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/export/1/none.zip", timeout=10)
        assert missing.value.code == 404
        assert missing.value.read() == b"no export job 1"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)


def test_compose_runs_the_dashboard_a_worker_and_postgresql(tmp_path: Path) -> None:
    for service in ("db:", "dashboard:", "worker:"):
        assert f"\n  {service}" in COMPOSE
    assert "image: postgres:" in COMPOSE
    assert "postgresql+psycopg://" in COMPOSE
    command = re.search(r"command: (\[.*\])", COMPOSE)
    assert command is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOIMPORT_")}
    env["PHOTOIMPORT_HOME"] = str(tmp_path / "data")
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            _command(command.group(1), 8501), cwd=ROOT, env=env, stdout=out, stderr=out
        )
    deadline = (
        time.monotonic() + 60
    )  # it polls for PENDING jobs (SQLite here; PostgreSQL in compose)
    while "serving jobs from" not in log.read_text():
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_requirements_txt_has_every_module_the_app_imports() -> None:
    """Community Cloud installs requirements.txt and nothing else."""
    files = [ROOT / "dashboard.py", *ROOT.glob("pages/*.py"), *ROOT.glob("widgets/*.py")]
    files += [*ROOT.glob("photoimport/**/*.py"), *ROOT.glob("worker/*.py")]
    modules = set().union(*(_imports(f) for f in files))
    local = {"photoimport", "worker", "pages", "widgets"}
    third = {m for m in modules - local if m not in sys.stdlib_module_names}
    pinned = {
        re.split(r"[=<>\[ ]", line)[0].lower().replace("_", "-")
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    dists = packages_distributions()
    missing = {
        m for m in third if not {d.lower().replace("_", "-") for d in dists.get(m, [])} & pinned
    }
    assert not missing, f"imported but not in requirements.txt: {sorted(missing)}"
