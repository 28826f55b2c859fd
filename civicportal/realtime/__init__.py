"""The portal's real-time layer: websockets through Django Channels.

``asgi.py`` routes ``/ws/`` here; ``auth`` names who is on a socket (login cookie or API token)
and refuses foreign origins; ``consumers.PortalJsonConsumer`` is the base every socket of the
portal extends (size limit, rate limit, JSON errors in the reader's language); ``publish`` sends
news to a group once the transaction that made it commits. The protocol is in docs/realtime.md.
"""
