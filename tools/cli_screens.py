"""The screens in docs/cli.md: `apprule score` and `apprule explain` as a terminal 120 columns wide shows them.

Each command runs in a detached tmux session of its own server (120 × 50; the scrollback, 2,000 lines,
is captured too), with the apprule this script imports, and its screen replaces the block between
``<!-- screen: NAME -->`` and ``<!-- /screen -->`` in docs/cli.md.

    python tools/cli_screens.py           # refresh the screens
    python tools/cli_screens.py --check   # exit 1 when docs/cli.md shows other screens than apprule renders now

Needs tmux. Run it after a change to what the commands print, and read the diff.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).parents[1]
DOC = ROOT / "docs" / "cli.md"
WIDTH, HEIGHT = 120, 50
SCREENS = {
    "score": ["score", "hebi_2021", "example"],
    "explain": ["explain", "hebi_2021", "example", "经开集团"],
}
BLOCK = re.compile(r"(<!-- screen: (\w+) -->\n).*?(<!-- /screen -->)", re.S)


def screen(args: list[str]) -> str:
    """What the terminal shows after ``apprule ARGS``, the command line first, trailing blank lines dropped."""
    server, done = f"apprule-screens-{uuid.uuid4().hex[:8]}", "apprule-screen-done"
    tmux = ["tmux", "-u", "-L", server]
    command = shlex.join([sys.executable, "-c", "from apprule.cli import main; main()", *args])
    shell = f"{command}; tmux -L {server} wait-for -S {done}; sleep 600"
    env = {**os.environ, "LANG": "C.UTF-8", "TERM": "xterm-256color",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    try:
        subprocess.run([*tmux, "-f", "/dev/null", "new-session", "-d", "-s", "screen", "-x", str(WIDTH),
                        "-y", str(HEIGHT), "sh", "-c", shell], check=True, env=env, cwd=ROOT)
        subprocess.run([*tmux, "wait-for", done], check=True, timeout=120)
        shown = subprocess.run([*tmux, "capture-pane", "-p", "-S", "-", "-t", "screen"], check=True,
                               capture_output=True, text=True).stdout
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    lines = [line.rstrip() for line in shown.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join([f"$ apprule {shlex.join(args)}", *lines]) + "\n"


def refreshed(text: str) -> str:
    def replace(found: re.Match[str]) -> str:
        return f"{found.group(1)}```text\n{screen(SCREENS[found.group(2)])}```\n{found.group(3)}"

    return BLOCK.sub(replace, text)


if __name__ == "__main__":
    before = DOC.read_text(encoding="utf-8")
    after = refreshed(before)
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if after == before else 1)
    DOC.write_text(after, encoding="utf-8")
    print(f"wrote the screens of {DOC.relative_to(ROOT)}")
