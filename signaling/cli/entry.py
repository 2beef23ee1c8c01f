"""The `classbridge` executable: `room-agent` starts without importing the server.

The room PC runs only the agent; importing the whole server CLI (FastAPI, SQLAlchemy, every
route) first would add seconds to every agent start on a small PC.
"""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "room-agent":
        import typer

        from signaling.agent.cli import room_agent

        app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        app.command("room-agent")(room_agent)
        app(args=sys.argv[2:], prog_name="classbridge room-agent")
        return
    from signaling.cli.main import main as full

    full()
