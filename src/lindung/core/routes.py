"""Declarations that let the route-walking authorization test reach every object route.

A function view whose URL carries an object id says which model the id names::

    @object_view(Case)                       # kwarg "pk" names a Case
    @object_view(Case, step_pk=CaseStep)     # and "step_pk" names a CaseStep

Class-based views need nothing: their ``model`` or ``queryset`` says it. The walker then fetches
the route with objects of another organisation and expects a refusal.
"""


def object_view(model=None, **kwarg_models):
    def mark(view):
        models = dict(kwarg_models)
        if model is not None:
            models.setdefault("pk", model)
        view.lindung_models = models
        return view

    return mark


def route_examples(**values):
    """For URL kwargs that are not objects (a version, a code list id): example values the walker
    uses. Function views take the decorator; class-based views and viewsets set the attribute
    ``lindung_examples`` themselves."""

    def mark(view):
        view.lindung_examples = dict(values)
        return view

    return mark
