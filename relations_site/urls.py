"""Root addresses: the admin, the API under /api/, the public site everywhere else."""

from django.contrib import admin
from django.urls import include, path

from public.views import home

handler400 = "public.views.errors.bad_request"
handler403 = "public.views.errors.permission_denied"
handler404 = "public.views.errors.page_not_found"
handler500 = "public.views.errors.server_error"

urlpatterns = [
    path("healthz/", home.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("public.urls")),
]
