from django.urls import path

from . import view_views, views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("views/<str:code>/", view_views.contact_view, name="view"),
    path("<int:pk>/", views.contact_detail, name="detail"),
]
