"""The portal's URLs plus /bench/hello/, the trivial Django JSON baseline of the filing benchmark."""

from django.http import JsonResponse
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView


def hello(request):
    return JsonResponse({"hello": "world"})


class InsertOne(APIView):
    """A minimal authenticated DRF endpoint inserting one row: the database-bound baseline."""

    def post(self, request):
        from civicportal.notifications.models import Notification

        note = Notification.objects.create(recipient=request.user, kind="bench.one", title="x")
        return Response({"id": note.pk}, status=201)


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/insert-one/", InsertOne.as_view()),
    path("", include("civicportal.urls")),
]
