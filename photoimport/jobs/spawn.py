"""Start a photoimport process detached from the caller (the worker, the watcher).

The process gets its own session (a Ctrl-C or SIGTERM to the dashboard's process group does not
reach it), its output goes to a log file (never a pipe: a pipe whose reader dies kills the child
with SIGPIPE), it is told where the library is (``PHOTOIMPORT_HOME``,
``PHOTOIMPORT_DATABASE_URL``), and a daemon thread waits for it so it never lingers as a zombie.
The modules it runs (``worker``, ``photoimport``) are installed packages of this interpreter
(``pip install -e .``): no ``PYTHONPATH`` and no working-folder trick; it runs in the home folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from photoimport.settings import Settings


def spawn_detached(settings: Settings, module_args: list[str], log_path: Path) -> int:
    """Run ``python -m <module_args...>`` detached, appending to ``log_path``; returns its pid."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PHOTOIMPORT_HOME"] = str(settings.home)
    env["PHOTOIMPORT_DATABASE_URL"] = settings.database_url
    if settings.shared_thumbs is not None:  # a worker writes where the dashboard reads
        env["PHOTOIMPORT_THUMBS_DIR"] = str(settings.shared_thumbs)
    else:
        env.pop("PHOTOIMPORT_THUMBS_DIR", None)
    settings.home.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", *module_args],
            cwd=settings.home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
    return proc.pid
