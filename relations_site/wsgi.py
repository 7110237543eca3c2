"""
WSGI config for relations_site project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relations_site.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, the URLs: about 80,000 objects) lives as long as the
# process: out of the collector's sight, a full collection walks a third as many objects and a
# request that triggers one waits 15 ms instead of 45 (bench/README.md).
gc.collect()
gc.freeze()
