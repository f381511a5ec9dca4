from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("intake/", views.IntakeView.as_view(), name="intake"),
    path("orders/", views.OrdersView.as_view(), name="orders"),
    path("leads/", views.LeadListView.as_view(), name="leads"),
    path("leads/<int:pk>/", views.LeadDetailView.as_view(), name="lead"),
    path("accounts/<int:pk>/", views.AccountDetailView.as_view(), name="account"),
    path("opportunities/<int:pk>/", views.OpportunityDetailView.as_view(), name="opportunity"),
]
