from django.urls import path

from . import segment_views, view_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("views/<str:code>/", view_views.account_view, name="view"),
    path("views/<str:code>/mass/", views.account_view_mass, name="view_mass"),
    path("segments/", segment_views.segment_thresholds, name="segments"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/status/", views.account_status, name="status"),
    path("<int:pk>/duplicate/", views.account_flag_duplicate, name="flag_duplicate"),
    path("<int:pk>/merge/", views.account_merge_view, name="merge"),
]
