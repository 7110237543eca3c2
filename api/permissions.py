"""Who may call what: reads for everyone, writes with the model's add/change/delete permission."""

from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissionsOrAnonReadOnly


class ModelPermissionsOrAnonReadOnly(DjangoModelPermissionsOrAnonReadOnly):
    """DRF's rule, without building the reader's queryset for a read: DRF's check calls the
    view's ``get_queryset()`` only to learn its model, and then asks no permission of a GET,
    HEAD or OPTIONS (``perms_map``). That queryset cost half a millisecond of every uncached
    read (bench/README.md)."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS and not self.perms_map[request.method]:
            return bool(request.user)
        return super().has_permission(request, view)
