"""Uploads have no route of their own: each is served by its program's checked view."""

import importlib
import io

import pytest
from django.urls import Resolver404, clear_url_caches, resolve
from PIL import Image

from civicportal.files import image_content_type, safe_filename


@pytest.fixture
def urls_built_with_debug(settings):
    """The site's URLconf as a developer's DEBUG=True process builds it."""
    import civicportal.urls

    settings.DEBUG = True
    importlib.reload(civicportal.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(civicportal.urls)
    clear_url_caches()


@pytest.mark.usefixtures("urls_built_with_debug")
@pytest.mark.parametrize("path", ["/media/complaints/2026/11/2026-0000001-photo.png", "/media/../settings.py"])
def test_no_route_serves_media_root_even_in_debug(path):
    with pytest.raises(Resolver404):
        resolve(path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("complaints/2026/11/2026-1-photo.png", "2026-1-photo.png"),
        ('../../etc/pa"ss;wd\r\n', "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("사진 1.jpg", "사진 1.jpg"),
        ("..", "file"),
    ],
)
def test_the_filename_given_to_the_browser_is_one_plain_segment(name, expected):
    assert safe_filename(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a/b.JPG", "image/jpeg"),
        ("b.webp", "image/webp"),
        ("x.html", "application/octet-stream"),
        ("x", "application/octet-stream"),
    ],
)
def test_only_image_extensions_get_an_image_type(name, expected):
    assert image_content_type(name) == expected


@pytest.mark.django_db
def test_admin_links_stored_files_to_their_checked_views(client, administrator, citizen, department):
    from django.core.files.base import ContentFile

    from callcenter.models import ContactImage
    from complaints import filing as complaint_filing
    from tests.callcenter.factories import ContactFactory
    from tests.polls.factories import PollFactory

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    png = ContentFile(out.getvalue(), name="x.png")
    poll = PollFactory(department=department, image=png)
    contact = ContactFactory(caller=citizen)
    image = ContactImage.objects.create(contact=contact, image=ContentFile(out.getvalue(), name="m.png"))
    case = complaint_filing.case_file(
        citizen=citizen, filed_by=citizen, channel="web", kind="complaint", title="t", text="x"
    )
    attachment = case.attachments.create(
        original_name="p.png", kind="image", content_type="image/png", size=1, file=png
    )
    client.force_login(administrator)

    pages = {
        f"/admin/polls/poll/{poll.pk}/change/": poll.image_url,
        f"/admin/callcenter/contact/{contact.pk}/change/": image.image_url,
        f"/admin/complaints/attachment/{attachment.pk}/change/": attachment.download_url,
        f"/admin/complaints/case/{case.pk}/change/": attachment.download_url,
    }
    for path, url in pages.items():
        page = client.get(path).content.decode()
        assert f'href="{url}"' in page.replace("&amp;", "&"), path
        assert "/media/" not in page, path
