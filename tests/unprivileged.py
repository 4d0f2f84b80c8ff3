"""Run a command that must meet file permissions even when the tests run as root.

Root reads every folder through the CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH capabilities. Dropping
those two from the bounding set (util-linux ``setpriv``, part of every Debian) makes a root
process obey the permission bits like anyone else, while it keeps reading the venv and the
project from wherever CI cloned them (running as user "nobody" could not).
"""

from __future__ import annotations

import os

DROP_OVERRIDES = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


def obeying_permissions(command: list[str]) -> list[str]:
    return [*DROP_OVERRIDES, *command] if os.geteuid() == 0 else command
