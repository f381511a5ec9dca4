from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from gtm_portal.chatter import views as chatter_views
from gtm_portal.core import views as core_views
from reports import views as report_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("healthz/", core_views.healthz),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("search/", report_views.search, name="search"),
    re_path(r"^(?P<kind>leads|contacts|accounts|opportunities)/(?P<pk>\d+)/comments/$",
            chatter_views.comment_create, name="comment_create"),
    re_path(r"^(?P<kind>leads|contacts|accounts|opportunities)/(?P<pk>\d+)/comments/"
            r"(?P<comment_id>\d+)/edit/$", chatter_views.comment_edit, name="comment_edit"),
    re_path(r"^(?P<kind>leads|contacts|accounts|opportunities)/(?P<pk>\d+)/follow/$",
            chatter_views.follow_toggle, name="follow"),
    path("leads/", include("leads.urls")),
    path("contacts/", include("accounts.contact_urls")),
    path("accounts/", include("accounts.urls")),
    path("opportunities/", include("opportunities.urls")),
    path("notifications/", include("gtm_portal.chatter.urls")),
    path("api/v1/", include("gtm_portal.api.urls")),
]
