from django.urls import path

from .views import campaigns as views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaigns, name="list"),
    path("members/", views.campaign_member, name="member_any"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/members/", views.campaign_member, name="member"),
]
