from django.urls import path

from . import views

app_name = "chatter"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="mark_read"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("count/", views.unread_count, name="count"),
    path("mentions/", views.mention_autocomplete, name="mentions"),
]
