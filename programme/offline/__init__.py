"""Offline field work (issue 22): devices, operations synced field by field, and their conflicts.

The contract with the installable app is `docs/offline-sync.md`."""
