from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.jobs_page, name="list"),
    path("<slug:name>/run/", views.job_run_now, name="run"),
]
