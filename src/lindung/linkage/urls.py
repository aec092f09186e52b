from django.urls import path

from . import views

app_name = "linkage"

urlpatterns = [
    path("persons/<int:pk>/", views.history, name="history"),
    path("persons/<int:pk>/decide/", views.decide, name="decide"),
]
