from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.views import APIView


def hello(request):
    return JsonResponse({"hello": "world"})


class InsertOne(APIView):
    """A minimal DRF endpoint that inserts one ballot (no eligibility, no counters):
    the floor for any token-authenticated endpoint that writes to the database."""

    def post(self, request, poll_id):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO polls_ballot (poll_id, voter_id, created_at, age_band, gender) "
                "VALUES (%s, %s, %s, '', '') ON CONFLICT DO NOTHING",
                [poll_id, request.user.pk, timezone.now()],
            )
        return Response({"ok": True}, status=201)


urlpatterns = [
    path("bench/hello", hello),
    path("bench/insert/<int:poll_id>/", InsertOne.as_view()),
    path("", include("civicportal.urls")),
]
