"""The ASGI application: HTTP through Django, websockets under ``/ws/`` through Channels.

Served by ``manage.py runserver`` (daphne) in the embedded default and by an ASGI server in
production (see README); ``build_application`` lets the browser tests serve static files too.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicportal.settings")
django_http = get_asgi_application()  # loads Django before the consumers import models


def build_application(http=django_http):
    from channels.routing import ProtocolTypeRouter, URLRouter

    from civicportal.realtime.auth import socket_stack
    from civicportal.realtime.routing import websocket_urlpatterns

    return ProtocolTypeRouter({"http": http, "websocket": socket_stack(URLRouter(websocket_urlpatterns))})


application = build_application()
