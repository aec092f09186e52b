import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
application = get_wsgi_application()

# A WSGI server runs no system checks: refuse to serve with a master key that is missing, malformed
# or not the one this database's data keys were wrapped with.
from lindung.core.checks import require_keys  # noqa: E402  (needs the apps loaded above)

require_keys()
