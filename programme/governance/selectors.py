"""What the roadmap pages and the dashboard read."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from programme.governance import rules
from programme.governance.models import Roadmap, RoadmapAction


@dataclass(frozen=True)
class Progress:
    roadmap: Roadmap
    total: int
    done: int
    overdue: int

    @property
    def percent(self) -> int:
        return rules.progress(self.done, self.total)


def roadmap_progress() -> list[Progress]:
    """Each roadmap with its actions counted (one query)."""
    roadmaps = Roadmap.objects.select_related("decision").annotate(
        total=Count("actions"),
        done=Count("actions", filter=Q(actions__status=RoadmapAction.Status.DONE)),
        late=Count("actions", filter=Q(actions__overdue=True)),
    )
    return [Progress(r, r.total, r.done, r.late) for r in roadmaps]
