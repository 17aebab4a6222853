"""The one place that decides which regions a user may reach.

Region codes are dotted prefixes of each other (32 → 32.04 → 32.04.12 →
32.04.12.2002), so a staff member's reach is "my code and every code that starts with
my code and a dot". Every queryset that staff can reach is a ``RegionScopedQuerySet``
and is narrowed with ``.visible_to(user)``; views and API endpoints fetch single
objects with ``get_scoped_object_or_404`` so an object outside the scope looks exactly
like one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from registrations.models import User

#: Scope of a national user: every region.
NATIONAL = ""


def region_scope(user: User | None) -> str | None:
    """The region prefix a user may reach: ``NATIONAL`` for all, a code, or ``None``.

    ``None`` means no staff reach at all (anonymous users, residents, inactive
    accounts, regional staff without a region): such users see only what they own,
    through owner checks, never through region scope.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser or user.is_national:
        return NATIONAL
    if not user.is_portal_staff or not user.region_id:
        return None
    return user.region_id


# --- the one prefix test, in the three places it runs ----------------------------------------


def code_within(code: str, region: str) -> bool:
    """Whether ``code`` is region ``region`` or lies below it (Python)."""
    return code == region or code.startswith(f"{region}.")


def q_within(column: str, region: str) -> models.Q:
    """Rows whose code ``column`` is ``region`` or lies below it (the ORM; ``column`` is a
    text column, or ``<fk>__code`` for a Region foreign key: Django reads the key column)."""
    return models.Q(**{column: region}) | models.Q(**{f"{column}__startswith": f"{region}."})


def sql_within(column: str, region: str) -> tuple[str, list[str]]:
    """The same test for raw SQL: a fragment with two placeholders, and its parameters."""
    return f"({column} = %s OR {column} LIKE %s)", [region, f"{region}.%"]


def code_in_scope(code: str | None, scope: str | None) -> bool:
    if scope is None or code is None:
        return False
    return scope == NATIONAL or code_within(code, scope)


def user_can_reach_region(user: User | None, code: str | None) -> bool:
    return code_in_scope(code, region_scope(user))


def scope_filter(field: str, scope: str | None, *, text: bool = False) -> models.Q:
    """A ``Q`` restricting ``field`` to ``scope``: a foreign key to Region, or with
    ``text=True`` a column holding region codes as text (e.g. ``village_code``)."""
    if scope is None:
        return models.Q(pk__in=[])
    if scope == NATIONAL:
        return models.Q()
    # The region's primary key is its code, so ``village__code`` reads the foreign-key
    # column itself; Django trims the join.
    column = field if text or field == "code" or field.endswith("__code") else f"{field}__code"
    return q_within(column, scope)


class RegionScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to a region; subclasses name the path to it."""

    #: Path from the model to its Region foreign key (e.g. ``"household__village"``),
    #: or to a text column of region codes when ``region_field_is_text``.
    region_field: str = "region"
    region_field_is_text: bool = False

    def visible_to(self, user: User | None):
        return self.filter(scope_filter(self.region_field, region_scope(user), text=self.region_field_is_text))


def get_scoped_object_or_404(queryset: RegionScopedQuerySet, user: User | None, **lookup):
    """Fetch one object the user's scope reaches; 404 (not 403) otherwise.

    A 404 for out-of-scope objects does not reveal that the object exists.
    """
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
