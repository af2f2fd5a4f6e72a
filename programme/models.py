"""The programme's own models: the roadmaps (`programme.governance`) and offline field work
(`programme.offline`)."""

from programme.governance.models import Roadmap, RoadmapAction
from programme.offline.models import Device, PersonSyncState, SyncConflict, SyncOperation

__all__ = ["Device", "PersonSyncState", "Roadmap", "RoadmapAction", "SyncConflict", "SyncOperation"]
