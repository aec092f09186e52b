"""Paging large lists by their ids first ("deferred join").

A page of a filtered list is ``ORDER BY ... LIMIT 25`` over rows that the database has to fetch one
by one to test the filter, even when few match. When an index holds the ordering, the filter
columns and the id (see ``cases.Case.Meta.indexes``), the ids of a page and the count come from the
index alone; only the page's rows are then loaded, with their joins. Same answers, same order.
"""

from django.core.paginator import Paginator
from rest_framework.pagination import LimitOffsetPagination


def rows_for_ids(rows, ids) -> list:
    """The objects of ordered ``rows`` whose ids are in ``ids`` (a list, or a sliced queryset of
    ids, which becomes a subquery: the page then costs one query, as the hand-written SQL would)."""
    return list(rows.filter(pk__in=ids))


class IdFirstPaginator(Paginator):
    """A Paginator over ``rows`` that pages (and counts) their ids, then loads a page's rows."""

    def __init__(self, rows, per_page, **kwargs):
        self.rows = rows
        super().__init__(rows.values_list("pk", flat=True), per_page, **kwargs)

    def _get_page(self, ids, number, paginator):
        return super()._get_page(rows_for_ids(self.rows, ids), number, paginator)


class IdFirstPagination(LimitOffsetPagination):
    """The API's limit/offset pagination, paging ids first like ``IdFirstPaginator``."""

    def paginate_queryset(self, queryset, request, view=None):
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        return None if ids is None else rows_for_ids(queryset, ids)
