from django.urls import path

from . import view_views, views

app_name = "opportunities"
urlpatterns = [
    path("", view_views.opportunity_list, name="list"),
    path("views/counts/", view_views.opportunity_view_counts, name="view_counts"),
    path("views/<str:code>/", view_views.opportunity_view, name="view"),
    path("<int:pk>/", views.opportunity_detail, name="detail"),
    path("<int:pk>/stage/", views.opportunity_stage, name="stage"),
    path("<int:pk>/checklist/", views.opportunity_checklist, name="checklist"),
    path("<int:pk>/terms-request/", views.opportunity_terms_request, name="terms_request"),
    path("<int:pk>/sao-credit/", views.sao_credit_request, name="sao_request"),
    path("<int:pk>/contact-roles/", views.contact_roles, name="contact_role_add"),
    path("<int:pk>/contact-roles/<int:role_id>/", views.contact_roles, name="contact_role"),
    path("approvals/", views.sao_queue, name="sao_queue"),
    path("approvals/count/", views.sao_count, name="sao_count"),
    path("approvals/<int:request_id>/decide/", views.sao_decide, name="sao_decide"),
    path("approvals/<int:request_id>/resolve/", views.sao_resolve, name="sao_resolve"),
    path("lost-deals/", views.lost_deals, name="lost_deals"),
]
