from django.urls import path

from .views import imports as views

app_name = "imports"
urlpatterns = [
    path("", views.imports, name="list"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/mapping/", views.import_mapping, name="mapping"),
    path("<int:pk>/commit/", views.import_commit, name="commit"),
    path("<int:pk>/errors.csv", views.import_errors, name="errors"),
    path("<int:pk>/undo/", views.import_undo, name="undo"),
]
