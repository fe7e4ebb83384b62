import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chainparty.settings.production")
application = get_wsgi_application()

from chainparty.startup import freeze_long_lived_objects  # noqa: E402 - needs the apps loaded above

freeze_long_lived_objects()
