from django.urls import path

from .views import actions as action_views
from .views import duplicates as duplicate_views
from .views import lists as view_views
from .views import marketing as admin_views
from .views import pools as pool_views
from .views import records as views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/convert/", action_views.lead_convert, name="convert"),
    path("<int:pk>/spam/", action_views.lead_spam, name="spam"),
    path("merge/", action_views.lead_merge, name="merge"),
    path("duplicates/", duplicate_views.duplicate_suggestions, name="duplicate_suggestions"),
    path(
        "duplicates/<int:pk>/dismiss/", duplicate_views.duplicate_dismiss, name="duplicate_dismiss"
    ),
    path("duplicates/<int:pk>/merge/", duplicate_views.duplicate_merge, name="duplicate_merge"),
    path("blocked-domains/", action_views.blocked_domains, name="blocked_domains"),
    path("pickers/accounts/", action_views.account_options, name="account_options"),
    path("pickers/opportunities/", action_views.opportunity_options, name="opportunity_options"),
    path("views/counts/", view_views.my_view_counts, name="view_counts"),
    path("team/", view_views.team, name="team"),
    path("team/counts/", view_views.team_counts, name="team_counts"),
    path("views/<str:code>/", view_views.lead_view, name="view"),
    path("views/<str:code>/mass/", view_views.lead_view_mass, name="view_mass"),
    path("scoring/", admin_views.scoring_table, name="scoring"),
    path("scoring/new/", admin_views.scoring_rule_edit, name="scoring_new"),
    path("scoring/<int:pk>/", admin_views.scoring_rule_edit, name="scoring_edit"),
    path("scoring/<int:pk>/toggle/", admin_views.scoring_rule_toggle, name="scoring_toggle"),
    path("scoring/thresholds/", admin_views.thresholds_save, name="thresholds"),
    path("scoring/jobs/<int:pk>/", admin_views.job_progress, name="job"),
    path("intake-log/", admin_views.intake_log, name="intake_log"),
    path("pools/", pool_views.pools, name="pools"),
    path("pools/members/<int:pk>/", pool_views.pool_member_edit, name="pool_member"),
    path("routing/preview/", pool_views.routing_preview, name="routing_preview"),
]
