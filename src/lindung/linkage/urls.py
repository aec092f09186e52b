from django.urls import path

from . import pprl_views, views

app_name = "linkage"

urlpatterns = [
    path("persons/<int:pk>/", views.history, name="history"),
    path("persons/<int:pk>/decide/", views.decide, name="decide"),
    path("pprl/", pprl_views.runs, name="pprl_runs"),
]
