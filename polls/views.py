from django.shortcuts import render


def index(request):
    return render(request, "coming_soon.html", {"program": "polls"})
