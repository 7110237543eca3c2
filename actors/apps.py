from django.apps import AppConfig


class ActorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "actors"

    def ready(self):
        from core.cache import connect_invalidation

        connect_invalidation(self)
