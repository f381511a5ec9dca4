from django.urls import path

from . import view_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("views/<str:code>/", view_views.account_view, name="view"),
    path("<int:pk>/", views.account_detail, name="detail"),
]
