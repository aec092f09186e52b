from django.urls import path

from . import pprl_views, queue, views

app_name = "linkage"

urlpatterns = [
    path("persons/<int:pk>/", views.history, name="history"),
    path("persons/<int:pk>/decide/", views.decide, name="decide"),
    path("pprl/", pprl_views.runs, name="pprl_runs"),
    path("duplicates/", queue.queue, name="dedupe_queue"),
    path("duplicates/run/", queue.start, name="dedupe_start"),
    path("duplicates/<int:pk>/decide/", queue.decide, name="dedupe_decide"),
]
