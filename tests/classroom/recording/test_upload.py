"""Checking and storing uploaded e-lectures: real MP4s (made with PyAV) and PDFs (fpdf2) are
read without decoding; cut-short, damaged, empty and other files are refused with their code
and leave nothing behind."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from classroom.recording.errors import BadFile, NoRoom, NotAnUpload, UnsupportedFile
from classroom.recording.library import Library
from classroom.recording.recording import StoragePolicy
from classroom.recording.upload import INCOMING, UploadInfo, Uploads, check
from tests.support.recordings import make_recording
from tests.support.uploads import make_mp4, make_pdf

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("files")
    return {
        "mp4": make_mp4(folder / "a.mp4", 2.0),
        "faststart": make_mp4(folder / "b.mp4", 2.0, faststart=True),
        "silent": make_mp4(folder / "c.mp4", 1.0, audio=False),
        "pdf": make_pdf(folder / "s.pdf", 3),
    }


def cut(path: Path, tmp: Path, keep: float) -> Path:
    out = tmp / f"cut-{path.name}"
    data = path.read_bytes()
    out.write_bytes(data[: int(len(data) * keep)])
    return out


def test_videos_and_slides_are_read_without_decoding(files: dict[str, Path]) -> None:
    kind, info = check(files["mp4"])
    assert kind == "video" and info == type(info)(2.0, "h264", "aac", 160, 90)
    assert check(files["faststart"])[1].duration == 2.0  # type: ignore[union-attr]
    assert check(files["silent"])[1].audio_codec is None  # type: ignore[union-attr]
    assert check(files["pdf"]) == ("slides", type(check(files["pdf"])[1])(3))


@pytest.mark.parametrize("name", ["mp4", "faststart"])
def test_a_cut_short_video_is_refused(files: dict[str, Path], tmp_path: Path, name: str) -> None:
    # With its index at the front a demuxer would open it; the box walk sees the missing bytes.
    with pytest.raises(BadFile, match="cut short") as refused:
        check(cut(files[name], tmp_path, 0.7))
    assert refused.value.code == "bad_video"


def test_damaged_slides_other_files_and_empty_ones_are_refused(files: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(BadFile) as refused:
        check(cut(files["pdf"], tmp_path, 0.5))
    assert refused.value.code == "bad_pdf"
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(files["pdf"].read_bytes()[:-300] + b"\n%%EOF\n")
    with pytest.raises(BadFile) as refused:
        check(damaged)
    assert refused.value.code == "bad_pdf"
    text = tmp_path / "notes.mp4"
    text.write_text("Bài giảng: không phải video")
    with pytest.raises(UnsupportedFile):
        check(text)
    empty = tmp_path / "empty.pdf"
    empty.touch()
    with pytest.raises(BadFile) as refused:
        check(empty)
    assert refused.value.code == "empty_file"


def test_an_upload_becomes_a_library_entry_and_a_refused_file_leaves_nothing(files: dict[str, Path], tmp_path: Path) -> None:
    uploads = Uploads(tmp_path, wall_clock=lambda: NOW)
    part = uploads.incoming_file()
    part.write_bytes(files["mp4"].read_bytes())
    manifest = uploads.create("K12", part, UploadInfo("Bài 1: Nhập môn", "Trần Thị Bình", date(2025, 3, 8)), "Trần Thị Bình")
    folder = tmp_path / "upload-K12" / str(manifest["id"])
    assert sorted(p.name for p in folder.iterdir()) == ["recording.json", "video.mp4"]
    assert manifest["source"] == "upload" and manifest["duration"] == 2.0 and manifest["held_on"] == "2025-03-08"
    assert [s["file"] for s in manifest["segments"]] == ["video.mp4"]  # type: ignore[index, union-attr]
    library = Library(tmp_path)
    assert [m["id"] for m in library.course_recordings("K12")] == [manifest["id"]]

    part = uploads.incoming_file()
    part.write_bytes(files["pdf"].read_bytes())
    uploads.attach(folder, part)
    saved = json.loads((folder / "recording.json").read_text())
    assert saved["slides"]["pages"] == 3 and saved["segments"][0]["file"] == "video.mp4"
    assert library.track_file("upload-K12", str(manifest["id"]), "slides.pdf") == folder / "slides.pdf"

    part = uploads.incoming_file()
    part.write_bytes(b"%PDF-1.4 nothing else")
    with pytest.raises(BadFile):
        uploads.create("K12", part, UploadInfo("Hỏng"), "x")
    assert list((tmp_path / INCOMING).iterdir()) == []
    assert len(library.course_recordings("K12")) == 1

    recorded = make_recording(tmp_path, "c1", "K12", "Buổi 1", seconds=1, screen_from=0.5)
    part = uploads.incoming_file()
    part.write_bytes(files["pdf"].read_bytes())
    with pytest.raises(NotAnUpload):
        uploads.attach(recorded.folder, part)
    assert not part.exists() and not (recorded.folder / "slides.pdf").exists()


def test_an_upload_the_disk_or_the_quota_cannot_take_is_refused_before_it_is_received(tmp_path: Path) -> None:
    make_recording(tmp_path, "c1", "K12", "Buổi 1", seconds=1, screen_from=0.5)
    used = sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())
    quota = Uploads(tmp_path, policy=StoragePolicy(tmp_path, quota_bytes=used + 1000, min_free_bytes=0))
    quota.make_room(900)
    with pytest.raises(NoRoom, match="quota"):
        quota.make_room(1100)
    with pytest.raises(NoRoom, match="disk"):
        Uploads(tmp_path, policy=StoragePolicy(tmp_path, min_free_bytes=1 << 60)).make_room(1)
