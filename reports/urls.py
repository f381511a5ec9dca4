from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("comp/close/", views.close_quarter, name="close_quarter"),
    path("<slug:slug>/", views.report, name="report"),
    path("<slug:slug>/records/", views.records, name="drill"),
]
