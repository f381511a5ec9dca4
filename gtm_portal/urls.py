from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from accounts import claim_views
from gtm_portal.activity import views as activity_views
from gtm_portal.chatter import views as chatter_views
from gtm_portal.core import queue_views, saved_views
from gtm_portal.core import views as core_views
from gtm_portal.search import views as search_views
from gtm_portal.users.forms import AdminLoginForm, LoginForm
from leads.views import actions as action_views
from leads.views import lists as lead_lists
from leads.views import person as person_views

handler500 = "gtm_portal.core.views.server_error"

# Q-SEC: the admin's log-in is throttled like the portal's (users/throttle.py).
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("healthz/", core_views.healthz),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, form_class=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("search/", search_views.search, name="search"),
    path("jobs/", include("gtm_portal.jobs.urls")),
    re_path(
        r"^(?P<kind>leads|contacts|accounts|opportunities)/(?P<pk>\d+)/comments/$",
        chatter_views.comment_create,
        name="comment_create",
    ),
    re_path(
        r"^(?P<kind>leads|contacts|accounts|opportunities)/(?P<pk>\d+)/comments/"
        r"(?P<comment_id>\d+)/edit/$",
        chatter_views.comment_edit,
        name="comment_edit",
    ),
    re_path(
        r"^(?P<kind>leads|contacts|accounts|opportunities)/(?P<pk>\d+)/follow/$",
        chatter_views.follow_toggle,
        name="follow",
    ),
    re_path(
        r"^(?P<kind>leads|contacts|accounts|opportunities)/(?P<pk>\d+)/edit/$",
        core_views.record_edit,
        name="record_edit",
    ),
    re_path(
        r"^(?P<kind>leads|contacts)/(?P<pk>\d+)/status/$",
        person_views.person_status,
        name="person_status",
    ),
    re_path(
        r"^(?P<kind>leads|contacts)/(?P<pk>\d+)/misroute/$",
        person_views.person_misroute,
        name="person_misroute",
    ),
    re_path(
        r"^(?P<kind>leads|contacts)/(?P<pk>\d+)/reroute/$",
        person_views.person_reroute,
        name="person_reroute",
    ),
    re_path(
        r"^(?P<kind>leads|contacts)/(?P<pk>\d+)/assign/$",
        person_views.person_assign,
        name="person_assign",
    ),
    re_path(
        r"^(?P<kind>leads|contacts)/(?P<pk>\d+)/activities/$",
        person_views.person_activity,
        name="person_activity",
    ),
    re_path(
        r"^(?P<kind>leads|contacts)/(?P<pk>\d+)/enroll/$",
        person_views.person_enroll_view,
        name="person_enroll",
    ),
    re_path(
        r"^(?P<kind>leads|contacts)/(?P<pk>\d+)/duplicates/$",
        action_views.person_duplicates,
        name="person_duplicates",
    ),
    re_path(
        r"^(?P<kind>leads|contacts)/(?P<pk>\d+)/compliance/$",
        action_views.person_compliance,
        name="person_compliance",
    ),
    re_path(
        r"^(?P<kind>leads|contacts)/(?P<pk>\d+)/personal-data\.json$",
        person_views.person_personal_data,
        name="person_personal_data",
    ),
    re_path(
        r"^(?P<kind>leads|contacts)/(?P<pk>\d+)/erase/$",
        person_views.person_erase,
        name="person_erase",
    ),
    path("contacts/new/", action_views.contact_create, name="contact_create"),
    re_path(
        r"^(?P<kind>leads|contacts|accounts)/(?P<pk>\d+)/claim/$", claim_views.claim, name="claim"
    ),
    re_path(
        r"^(?P<kind>leads|contacts|accounts|opportunities)/(?P<pk>\d+)/tasks/$",
        activity_views.task_new,
        name="task_new",
    ),
    path("tasks/<int:pk>/done/", activity_views.task_done, name="task_done"),
    path("activities/undo/", activity_views.activity_undo_view, name="activity_undo"),
    path("sequences/", activity_views.sequences, name="sequences"),
    path("sequences/<int:pk>/", activity_views.sequences, name="sequence_edit"),
    re_path(
        r"^(?P<kind>leads|contacts|accounts)/views/(?P<code>S1|S2|S3|B1|B2|B3|B4|B5)/save/$",
        saved_views.save_view,
        name="save_view",
    ),
    path("views/saved/<int:pk>/delete/", saved_views.delete_view, name="delete_view"),
    re_path(
        r"^(?P<kind>leads|contacts|accounts)/(?P<pk>\d+)/transfer/$",
        claim_views.transfer,
        name="transfer",
    ),
    path("transfers/<int:pk>/decide/", claim_views.decide, name="transfer_decide"),
    path("leads/", include("leads.urls")),
    path("campaigns/", include("leads.campaign_urls")),
    path("imports/", include("leads.import_urls")),
    path(  # VIEW-5: the contact views' mass actions run the leads app's mass service
        "contacts/views/<str:code>/mass/", lead_lists.contact_view_mass, name="contact_view_mass"
    ),
    path("queues/<int:pk>/", queue_views.queue_list, name="queue_list"),  # ROLE-4
    path("queues/<int:pk>/count/", queue_views.queue_count, name="queue_count"),
    path("contacts/", include("accounts.contact_urls")),
    path("accounts/", include("accounts.urls")),
    path("opportunities/", include("opportunities.urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("gtm_portal.chatter.urls")),
    path("api/v1/", include("gtm_portal.api.urls")),
]
