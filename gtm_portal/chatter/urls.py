from django.urls import path

from . import views

app_name = "chatter"
urlpatterns = [
    path("", views.inbox, name="inbox"),
]
