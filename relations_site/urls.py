"""Root addresses: the admin, the API under /api/, the public site everywhere else."""

from django.contrib import admin
from django.urls import include, path, register_converter

from core import converters
from public.views import base as views

register_converter(converters.IdConverter, "id")

handler400 = "public.views.base.bad_request"
handler403 = "public.views.base.permission_denied"
handler404 = "public.views.base.page_not_found"
handler500 = "public.views.base.server_error"

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("public.urls")),
]
