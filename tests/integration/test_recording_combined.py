"""The combined MP4 through the real server: a lecturer asks for it, everyone may follow it and
download it through a signed link, and the codec audit proves the server created no codec:
only the renderer's own process did (it is the only place anything is re-encoded)."""

from __future__ import annotations

import json
import os
import signal
from datetime import timedelta
from pathlib import Path

import av
import httpx
import psutil
import pytest

from classroom.roles import Role
from signaling.auth.course_tokens import CourseTokens
from signaling.auth.keys import Keyring
from tests.integration.conftest import ADMIN_TOKEN
from tests.support import codec_audit
from tests.support.recordings import make_recording
from tests.support.server import audited_env, serve
from tests.support.wait import wait_until


def test_a_lecturer_asks_for_the_combined_mp4_and_a_trainee_downloads_it(tmp_path: Path) -> None:
    codec_log = tmp_path / "codecs.log"
    served = serve(tmp_path / "data", env={**os.environ, **audited_env(codec_log), "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN})
    try:
        make_recording(served.data_dir / "recordings", "c1", "K12", "Buổi 3: Kỹ năng lãnh đạo", seconds=4, screen_from=2)
        tokens = CourseTokens(Keyring.open(served.data_dir), default_ttl=timedelta(days=1))
        lecturer, _ = tokens.mint("K12", Role.LECTURER, name="Nguyễn Văn An")
        trainee, _ = tokens.mint("K12", Role.TRAINEE, external_id="HV-1", name="Lê Văn Cường")
        other, _ = tokens.mint("K13", Role.LECTURER, name="Trần Văn Bảo")
        api = f"{served.url}/api/recordings/c1/r1/combined"

        def call(method: str, token: str) -> httpx.Response:
            return httpx.request(method, api, headers={"Authorization": f"Bearer {token}"}, timeout=30)

        assert call("GET", trainee).json()["status"] == "none"
        refused = call("POST", trainee)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_allowed"
        assert call("POST", other).status_code == 404  # another course's lecturer sees nothing
        make_recording(served.data_dir / "recordings", "c2", "K12", "Buổi 4", seconds=1, screen_from=1)
        running = served.data_dir / "recordings" / "c2" / "r1" / "recording.json"
        running.write_text(json.dumps(json.loads(running.read_text()) | {"status": "recording"}))
        still = httpx.post(api.replace("c1", "c2"), headers={"Authorization": f"Bearer {lecturer}"})
        assert still.status_code == 422 and still.json()["error"]["code"] == "still_recording"
        asked = call("POST", lecturer)
        assert asked.status_code == 202 and asked.json()["status"] in ("queued", "running")
        early = httpx.get(f"{served.url}/recordings/c1/r1/combined.mp4", params={"t": "x"})
        assert early.status_code == 403

        state = wait_until(
            lambda: (s := call("GET", trainee).json())["status"] in ("done", "failed") and s,
            timeout=180, what="the combined MP4", describe=served.log_tail,
        )
        assert state["status"] == "done" and state["bytes"] > 10_000, state
        download = httpx.get(f"{served.url}{state['url']}", timeout=30)
        assert download.status_code == 200 and download.headers["content-type"] == "video/mp4"
        assert "attachment" in download.headers["content-disposition"]
        assert len(download.content) == state["bytes"]
        (tmp_path / "got.mp4").write_bytes(download.content)
        with av.open(str(tmp_path / "got.mp4")) as container:
            assert {s.codec_context.name for s in container.streams} == {"h264", "aac"}
            assert container.duration / 1e6 == pytest.approx(4.0, abs=0.3)
        wrong = httpx.get(f"{served.url}/recordings/c1/r1/combined.mp4", params={"t": state["url"].split("t=")[1] + "x"})
        assert wrong.status_code == 403
    finally:
        output = served.stop()
    assert "Traceback" not in output, output[-3000:]
    renderer = json.loads((served.data_dir / "recordings" / "c1" / "r1" / "combined.json").read_text())["pid"]
    records = codec_audit.recorded(codec_log)
    # The server's processes created no codec; the renderer's did (so the audit can see one).
    assert {what for what, pid in records if pid != f"pid={renderer}"} == {codec_audit.INSTALLED}, records
    assert "OutputContainer.add_stream" in {what for what, pid in records if pid == f"pid={renderer}"}, records


def test_a_job_cut_short_by_a_killed_server_is_finished_after_the_restart(tmp_path: Path) -> None:
    """SIGKILL the server while it renders: the orphaned renderer stops by itself, and the next
    server start runs the job again from its state on disk, to a whole file."""
    env = {**os.environ, "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN}
    served = serve(tmp_path / "data", env=env)
    folder = served.data_dir / "recordings" / "c1" / "r1"
    try:
        make_recording(served.data_dir / "recordings", "c1", "K12", "Buổi 5", seconds=20, screen_from=5)
        lecturer, _ = CourseTokens(Keyring.open(served.data_dir), default_ttl=timedelta(days=1)).mint("K12", Role.LECTURER)
        api = f"{served.url}/api/recordings/c1/r1/combined"
        assert httpx.post(api, headers={"Authorization": f"Bearer {lecturer}"}).status_code == 202
        state = wait_until(
            lambda: (s := json.loads((folder / "combined.json").read_text()))["status"] == "running" and "pid" in s and s,
            timeout=120, what="the job to run", describe=served.log_tail,
        )
        os.kill(served.process.pid, signal.SIGKILL)
        served.process.wait()
        renderer = psutil.Process(state["pid"])
        psutil.wait_procs([renderer], timeout=60)
        assert not renderer.is_running() or renderer.status() == psutil.STATUS_ZOMBIE
        assert json.loads((folder / "combined.json").read_text())["status"] == "running"
        assert not (folder / "combined.mp4").exists()
    finally:
        served.stop()
    restarted = serve(tmp_path / "data", env=env)
    try:
        done = wait_until(
            lambda: (s := json.loads((folder / "combined.json").read_text()))["status"] in ("done", "failed") and s,
            timeout=240, what="the job to finish after the restart", describe=restarted.log_tail,
        )
        assert done["status"] == "done" and done["pid"] != state["pid"], done
        with av.open(str(folder / "combined.mp4")) as container:
            assert container.duration / 1e6 == pytest.approx(20.0, abs=0.3)
    finally:
        restarted.stop()
