"""Fair assignment of peer reviewers: a pure function over loads, so it can be tested without a database.

Rules, in order:
- nobody reviews their own attempt;
- the same reviewer never gets the same author twice on a lab (whatever became of the first assignment:
  expired, removed or done), so a reviewer who missed a deadline is never handed the same attempt back;
- the least loaded reviewer is picked first: fewest reviews open now, then fewest given in the lab, then
  the one who waited longest since their last assignment, then the one whose id follows the author's in
  circular order (so a batch of equal requests becomes a rotation and everybody reviews the same number).

Requests are served oldest first and loads are updated as reviewers are picked, so a batch of requests
spreads the work evenly (six learners asking two reviews each get two reviews to do each).
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_NEVER = datetime.datetime.min.replace(tzinfo=datetime.UTC)


@dataclass
class Candidate:
    user_id: int
    open_load: int = 0  # assignments waiting for this reviewer in the lab
    total_load: int = 0  # assignments ever counted for this reviewer in the lab (open or done)
    last_assigned_at: datetime.datetime | None = None


@dataclass
class Request:
    item_id: int
    author_id: int
    needed: int
    paired: set[int] = field(default_factory=set)  # reviewers already paired with this author on the lab


def plan_assignments(
    requests: Sequence[Request], candidates: Iterable[Candidate], *, now: datetime.datetime
) -> list[tuple[int, int]]:
    """(item id, reviewer id) pairs to create; a request may get fewer than it needs when too few peers remain."""
    pool = {candidate.user_id: candidate for candidate in candidates}
    ring = sorted(pool)
    positions = {user_id: position for position, user_id in enumerate(ring)}
    planned: list[tuple[int, int]] = []
    for request in requests:
        for _ in range(max(request.needed, 0)):
            eligible = [c for c in pool.values() if c.user_id != request.author_id and c.user_id not in request.paired]
            if not eligible:
                break
            chosen = min(
                eligible,
                key=lambda c: _priority(c, start=bisect.bisect_right(ring, request.author_id), positions=positions),
            )
            planned.append((request.item_id, chosen.user_id))
            request.paired.add(chosen.user_id)
            chosen.open_load += 1
            chosen.total_load += 1
            chosen.last_assigned_at = now
    return planned


def _priority(candidate: Candidate, *, start: int, positions: dict[int, int]) -> tuple:
    """Sort key: load first; among equals, the next ids after the author's (``start``), wrapping around."""
    circular_distance = (positions[candidate.user_id] - start) % len(positions)
    return (
        candidate.open_load,
        candidate.total_load,
        candidate.last_assigned_at or _NEVER,
        circular_distance,
    )
