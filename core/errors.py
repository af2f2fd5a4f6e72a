"""Business refusals: what a service raises when a change cannot be made. Nothing was changed;
the message says why (in the reader's language) and `field` names what to correct, so the API
answers 400 with that field and the browser shows the message."""

from __future__ import annotations


class Refused(Exception):
    def __init__(self, message: str, field: str = "non_field_errors") -> None:
        super().__init__(message)
        self.field = field
