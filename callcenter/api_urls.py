"""REST API of this program, mounted under /api/v1/callcenter/."""

urlpatterns: list = []
