"""REST API of this program, mounted under /api/v1/polls/."""

urlpatterns: list = []
