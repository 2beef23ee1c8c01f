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
from dataclasses import dataclass
from pathlib import Path

from classroom.recording.catalog import manifests
from classroom.recording.recording import MANIFEST

CHAPTERS = "chapters.json"
MAX_CHAPTERS = 100
CHAPTER_TITLE_MAX = 120
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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
        temporary = folder / (CHAPTERS + ".tmp")
        data = [{"t": c.t, "title": c.title} for c in sorted(chapters, key=lambda c: c.t)]
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, folder / CHAPTERS)

    def track_file(self, class_id: str, recording_id: str, name: str) -> Path | None:
        """A track file of the recording; only the files its manifest names."""
        manifest = self.manifest(class_id, recording_id)
        folder = self.folder(class_id, recording_id)
        if manifest is None or folder is None:
            return None
        files = {s.get("file") for s in dicts(manifest.get("segments"))}
        return folder / name if name in files and (folder / name).is_file() else None
