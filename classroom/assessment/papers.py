"""Drawing questions from a bank and shuffling them per trainee, reproducibly.

Each attempt has a seed (from the test or quiz id and the trainee's identity, or stored with
the attempt): the same seed always gives the same questions in the same order with the same
option order, so a reloaded page shows what it showed before and a result can be explained
afterwards. Pure: randomness comes from `random.Random(seed)`, never from the global state.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass

from classroom.assessment.errors import NotEnoughQuestions
from classroom.assessment.questions import Answer, Difficulty, Kind, Question

SEED_BITS = 31  # fits every database's INTEGER


@dataclass(frozen=True)
class DrawRule:
    """Draw `count` questions of a topic and/or difficulty (None: any)."""

    count: int
    topic: str | None = None
    difficulty: Difficulty | None = None

    def matches(self, q: Question) -> bool:
        return (self.topic is None or q.topic == self.topic) and (
            self.difficulty is None or q.difficulty is self.difficulty
        )


def seed_for(*parts: str) -> int:
    """A seed from stable strings (a quiz id and a trainee's identity)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") % (1 << SEED_BITS)


def draw(pool: Sequence[tuple[int, Question]], rules: Sequence[DrawRule], seed: int) -> list[tuple[int, Question]]:
    """Questions of `pool` as the rules ask, none twice; NotEnoughQuestions when a rule
    cannot be met. The rules are applied in order, each from what the earlier left."""
    rng = random.Random(seed)
    left = list(pool)
    chosen: list[tuple[int, Question]] = []
    for rule in rules:
        matching = [item for item in left if rule.matches(item[1])]
        if len(matching) < rule.count:
            what = " ".join(x for x in (rule.topic and f"topic {rule.topic!r}",
                                        rule.difficulty and f"difficulty {rule.difficulty.value}") if x)
            raise NotEnoughQuestions(
                f"the bank has {len(matching)} question(s) of {what or 'any kind'} left, "
                f"{rule.count} were asked for"
            )
        picked = rng.sample(matching, rule.count)
        chosen.extend(picked)
        taken = {qid for qid, _ in picked}
        left = [item for item in left if item[0] not in taken]
    return chosen


@dataclass(frozen=True)
class Paper:
    """What one trainee sees: `order[i]` is the index (in the test's own order) of the i-th
    question shown; `options[j]` lists, for the test's question j, the original option index
    of each option as shown."""

    order: tuple[int, ...]
    options: tuple[tuple[int, ...], ...]

    def question_at(self, shown: int) -> int:
        """The test's index of the question shown at `shown` (IndexError if none)."""
        if not 0 <= shown < len(self.order):
            raise IndexError(shown)
        return self.order[shown]

    def original_choice(self, question: int, shown: Sequence[int]) -> tuple[int, ...]:
        """Shown option positions → the question's own option indexes (IndexError if out)."""
        mapping = self.options[question]
        if any(not 0 <= i < len(mapping) for i in shown):
            raise IndexError(shown)
        return tuple(sorted(mapping[i] for i in shown))

    def shown_choice(self, question: int, original: Sequence[int]) -> tuple[int, ...]:
        mapping = self.options[question]
        return tuple(sorted(mapping.index(i) for i in original))


def paper(questions: Sequence[Question], seed: int, shuffle: bool = True) -> Paper:
    """The trainee's paper for `questions` (true/false options stay true, false)."""
    rng = random.Random(seed)
    order = list(range(len(questions)))
    options: list[tuple[int, ...]] = []
    for q in questions:
        count = 2 if q.kind is Kind.TRUE_FALSE else len(q.options)
        positions = list(range(count))
        if shuffle and q.kind in (Kind.SINGLE, Kind.MULTIPLE):
            rng.shuffle(positions)
        options.append(tuple(positions))
    if shuffle:
        rng.shuffle(order)
    return Paper(tuple(order), tuple(options))


def shown_options(q: Question, mapping: Sequence[int]) -> tuple[str, ...]:
    """The option texts in the order the trainee sees them."""
    return tuple(q.options[i] for i in mapping) if q.options else ()


def to_original(p: Paper, questions: Sequence[Question], shown_question: int, answer: Answer) -> tuple[int, Answer]:
    """A trainee's answer (to the question and options as shown) in the test's own terms;
    IndexError when it names a question or option the paper does not have."""
    index = p.question_at(shown_question)
    if isinstance(answer, str) or questions[index].kind is Kind.SHORT:
        return index, answer
    return index, p.original_choice(index, answer)
