"""manage.py grant_app_role ROLE: the application's database role, without the power to rewrite history."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.audit import RoleError, grant_app_role


class Command(BaseCommand):
    help = (
        "As the tables' owner, after every migrate: grant ROLE (the role the application connects as) "
        "read and write on records, but only SELECT and INSERT on history tables."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("role")

    def handle(self, *args: Any, role: str, **options: Any) -> None:
        try:
            tables, history = grant_app_role(role)
        except RoleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{role}: privileges on {tables} tables, {history} of them history (append only).")
