"""Appeals: models (to be written)."""

__all__: list[str] = []
