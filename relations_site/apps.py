from django.apps import AppConfig


class RelationsSiteConfig(AppConfig):
    name = "relations_site"
    verbose_name = "Relations site"

    def ready(self):
        from .cache import connect_invalidation

        connect_invalidation()
