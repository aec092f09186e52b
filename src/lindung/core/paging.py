"""Paging large lists by their ids first ("deferred join").

A page of a filtered list is ``ORDER BY ... LIMIT 25`` over rows that the database has to fetch one
by one to test the filter, even when few match. When an index holds the ordering, the filter
columns and the id (see ``cases.Case.Meta.indexes``), the ids of a page and the count come from the
index alone; only the page's rows are then loaded, with their joins. Same answers, same order.

Every API list pages with ``LimitOffsetPagination`` below, whose page size has a ceiling.
"""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from rest_framework import pagination

from .parsing import INT64_MAX, parse_int

# The most rows one API page returns. Each row of a list may be decrypted and its read audited, so
# a page of millions would hold a worker for minutes. A larger ``limit`` gets this many (as DRF's
# ``max_limit`` does); a ``limit`` or ``offset`` that is not a whole number is refused with 400.
API_MAX_LIMIT = 200


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


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """Every API list's pagination (``DEFAULT_PAGINATION_CLASS``): ``limit`` from 1, at most
    ``API_MAX_LIMIT`` (larger values are clamped), ``offset`` from 0. Anything else is a 400 with
    the field's code (``invalid``, ``min_value``, ``max_value``): DRF would quietly fall back to
    the default page, and slice the database with a limit no column can hold."""

    max_limit = API_MAX_LIMIT

    def get_limit(self, request):
        text = request.query_params.get(self.limit_query_param)
        if text is None:
            return self.default_limit
        try:
            return parse_int(text, field=self.limit_query_param, minimum=1, maximum=self.max_limit)
        except ValidationError as exc:
            if exc.error_dict[self.limit_query_param][0].code == "max_value":
                return self.max_limit
            raise  # the API's error handler answers 400 with the code

    def get_offset(self, request):
        text = request.query_params.get(self.offset_query_param)
        return 0 if text is None else parse_int(text, field=self.offset_query_param, minimum=0)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.limit_query_param: (1, self.max_limit), self.offset_query_param: (0, INT64_MAX)}
        for parameter in parameters:
            low, high = bounds[parameter["name"]]
            parameter["schema"].update(minimum=low, maximum=high)
        return parameters


class IdFirstPagination(LimitOffsetPagination):
    """The API's limit/offset pagination, paging ids first like ``IdFirstPaginator``."""

    def paginate_queryset(self, queryset, request, view=None):
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        return None if ids is None else rows_for_ids(queryset, ids)


class ShortListPaginator(Paginator):
    """A Paginator that counts a list fitting on its first page from that page's rows, without a
    COUNT query. An exact name or document search finds a handful of persons: one query, not two.
    (Orphans are not supported: with them a first page may hold more than ``per_page`` rows.)"""

    def __init__(self, object_list, per_page, **kwargs):
        if kwargs.get("orphans"):
            raise ValueError("ShortListPaginator does not support orphans")
        super().__init__(object_list, per_page, **kwargs)

    def get_page(self, number):
        if str(number or "1") != "1":
            return super().get_page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:
            self.__dict__["count"] = len(rows)  # the slot of the cached property ``count``
        return self._get_page(rows, 1, self)
