"""Finding oneself on a roster from a phone: by name without diacritics or case, or by id.

"nguyen van an", "Nguyễn Văn An" and "NGUYEN VAN" all find Nguyễn Văn An; "đ" is typed "d".
Pure functions over the roster's rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MIN_QUERY = 2
MAX_RESULTS = 10


@dataclass(frozen=True)
class RosterEntry:
    external_id: str
    name: str
    unit: str | None


def fold(text: str) -> str:
    """Lower case, no diacritics, đ → d, single spaces: how a phone keyboard types a name."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def search(entries: Iterable[RosterEntry], query: str, limit: int = MAX_RESULTS) -> list[RosterEntry]:
    """Entries whose id equals or starts with the query, then those whose name contains it
    (every word of it, in any order), sorted by name; at most `limit`. Too short a query
    finds nothing, so that the roster is not listed whole."""
    wanted = fold(query)
    if len(wanted) < MIN_QUERY:
        return []
    words = wanted.split()
    by_id: list[RosterEntry] = []
    by_name: list[RosterEntry] = []
    for entry in entries:
        if fold(entry.external_id).startswith(wanted):
            by_id.append(entry)
        elif all(word in fold(entry.name) for word in words):
            by_name.append(entry)
    by_id.sort(key=lambda e: e.external_id)
    by_name.sort(key=lambda e: (fold(e.name), e.external_id))
    return (by_id + by_name)[:limit]
