"""The e-lecture library: a course's recordings as the library and the playback page show them.

Read from the recordings' manifests (classroom/recording/catalog.py), so that every process
sees the same library. Chapters come from the timeline (the start, each screen share, each
time a trainee is given the floor) until a lecturer edits them; edited chapters are kept
beside the manifest in `chapters.json`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from classroom.audit import AuditLog
from classroom.recording.catalog import manifests
from classroom.recording.errors import StillRecording
from classroom.recording.recording import MANIFEST

CHAPTERS = "chapters.json"
MAX_CHAPTERS = 100
CHAPTER_TITLE_MAX = 120
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# A manifest saying "recording" whose folder has not changed for this long was left by a crash
# (track files are written every second while a recording runs).
LIVE_WITHIN_S = 120.0


def write_json(path: Path, data: object) -> None:
    """Replace a JSON file whole (temporary file and rename)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def still_recording(folder: Path, manifest: dict[str, object], now: float | None = None) -> bool:
    """True while the recording is being written: its manifest says so and a file of it
    changed within LIVE_WITHIN_S (one left by a crashed server is not)."""
    if manifest.get("status") != "recording":
        return False
    newest = 0.0
    for path in folder.iterdir():
        try:
            newest = max(newest, path.stat().st_mtime)
        except OSError:
            continue
    return (time.time() if now is None else now) - newest < LIVE_WITHIN_S


@dataclass(frozen=True)
class Chapter:
    t: float  # seconds on the recording's time line
    title: str | None = None  # a lecturer's title; None: named from `kind` and `name`
    kind: str = "custom"  # "start", "screen_share", "floor", "custom"
    name: str | None = None  # who shared or spoke


def dicts(value: object) -> list[dict[str, object]]:
    """The objects in a JSON list (a manifest read from disk is checked, not trusted)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _seconds(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) else 0.0


def timeline_chapters(manifest: dict[str, object]) -> list[Chapter]:
    """Chapters from what happened: the start, screen shares starting, the floor given."""
    chapters = [Chapter(0.0, kind="start")]
    for entry in dicts(manifest.get("timeline")):
        data = entry.get("data")
        if not isinstance(data, dict):
            continue
        t = _seconds(entry.get("t"))
        if entry.get("kind") == "screen_share" and data.get("state") == "started":
            chapters.append(Chapter(t, kind="screen_share", name=str(data.get("participant", ""))))
        elif entry.get("kind") == "floor" and dicts(data.get("holders")):
            names = ", ".join(str(h.get("name", "")) for h in dicts(data.get("holders")))
            chapters.append(Chapter(t, kind="floor", name=names))
    return chapters


class Library:
    def __init__(self, storage: Path):
        self.storage = storage

    def folder(self, class_id: str, recording_id: str) -> Path | None:
        """The folder of a recording, None for ids that are not ids or name nothing."""
        if not (_ID.match(class_id) and _ID.match(recording_id)):
            return None
        folder = self.storage / class_id / recording_id
        return folder if (folder / MANIFEST).is_file() else None

    def manifest(self, class_id: str, recording_id: str) -> dict[str, object] | None:
        folder = self.folder(class_id, recording_id)
        if folder is None:
            return None
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def course_recordings(self, course_id: str) -> list[dict[str, object]]:
        return [m for m in manifests(self.storage) if m.get("course_id") == course_id]

    def chapters(self, class_id: str, recording_id: str, manifest: dict[str, object]) -> list[Chapter]:
        folder = self.folder(class_id, recording_id)
        if folder is not None and (folder / CHAPTERS).is_file():
            try:
                saved = json.loads((folder / CHAPTERS).read_text(encoding="utf-8"))
                return [Chapter(float(c["t"]), str(c["title"])) for c in saved]
            except (OSError, ValueError, KeyError, TypeError):
                pass
        return timeline_chapters(manifest)

    def save_chapters(self, class_id: str, recording_id: str, chapters: list[Chapter]) -> None:
        folder = self.folder(class_id, recording_id)
        if folder is None:
            raise FileNotFoundError(f"{class_id}/{recording_id}")
        write_json(folder / CHAPTERS, [{"t": c.t, "title": c.title} for c in sorted(chapters, key=lambda c: c.t)])

    def track_file(self, class_id: str, recording_id: str, name: str) -> Path | None:
        """A track file of the recording; only the files its manifest names."""
        manifest = self.manifest(class_id, recording_id)
        folder = self.folder(class_id, recording_id)
        if manifest is None or folder is None:
            return None
        files = {s.get("file") for s in dicts(manifest.get("segments"))}
        slides = manifest.get("slides")
        if isinstance(slides, dict):
            files.add(slides.get("file"))
        return folder / name if name in files and (folder / name).is_file() else None

    def delete(self, class_id: str, recording_id: str, now: float | None = None) -> dict[str, object]:
        """Remove a recording or an upload: its manifest first (so no one lists it any more),
        then its folder. Refuses one still being recorded. What trainees watched of it stays
        in the database (it is proof of watching)."""
        folder = self.folder(class_id, recording_id)
        manifest = self.manifest(class_id, recording_id)
        if folder is None or manifest is None:
            raise FileNotFoundError(f"{class_id}/{recording_id}")
        if still_recording(folder, manifest, now):
            raise StillRecording("the recording is still running: stop it before deleting it")
        (folder / MANIFEST).unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        return manifest


def audit_deletion(
    audit: AuditLog, manifest: dict[str, object], *, at: datetime, actor_kind: str, actor_name: str,
    reason: str, days: int | None = None,
) -> None:
    """The console's audit log keeps who deleted which e-lecture, and why (`reason`:
    "deleted" by a person, "retention" by the course's rule after `days` days)."""
    title = str(manifest.get("title", ""))
    where = f"{manifest.get('class_id')}/{manifest.get('id')}"
    args: dict[str, object] = {"title": title, "course": manifest.get("course_id"), "reason": reason, "recording": where}
    if days is not None:
        args["days"] = days
    audit.record(
        at=at,
        room=str(manifest.get("room") or ""),
        actor_kind=actor_kind,
        actor_name=actor_name,
        actor_class=str(manifest.get("class_id") or "") or None,
        target=title,
        action="e-lecture deleted" if reason == "deleted" else f"e-lecture deleted after {days} days (the course's retention)",
        result="ok",
        detail=f"{where}, course {manifest.get('course_id')}",
        event="lecture_deleted",
        args=args,
    )
