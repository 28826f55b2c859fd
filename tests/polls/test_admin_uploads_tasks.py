import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from polls import tasks
from polls.models import Ballot, BallotChoice, LotDraw, Poll, PollEvent, PollMember, PollOption
from polls.uploads import clean_image
from tests.factories import district
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Poll, PollOption, Ballot, BallotChoice, PollMember, PollEvent, LotDraw])
def test_admin_changelists_load(client, administrator, poll, model):
    client.force_login(administrator)
    url = reverse(f"admin:polls_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


def test_admin_poll_change_page_loads(client, administrator, poll):
    client.force_login(administrator)
    assert client.get(reverse("admin:polls_poll_change", args=[poll.pk])).status_code == 200


def test_admin_shows_the_counters_summed_over_their_shards(client, administrator, poll, citizen, other_citizen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from polls.services import vote_cast

    first, second = poll.options.all()[:2]
    vote_cast(poll=poll, voter=citizen, option_ids=[first.pk])
    vote_cast(poll=poll, voter=other_citizen, option_ids=[first.pk])
    client.force_login(administrator)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("admin:polls_poll_change", args=[poll.pk])).content.decode()
    tallies = [q["sql"] for q in queries if "polls_optiontally" in q["sql"]]

    assert len(tallies) == 1  # the inline's options with their votes, in one query
    votes = re.findall(r'field-votes">\s*<p>(\d+)</p>', page)
    assert votes[0] == "2" and set(votes[1:]) == {"0"}  # the other options, and the empty form
    changelist = client.get(reverse("admin:polls_poll_changelist")).content.decode()
    assert re.search(r'field-total_ballots">\s*2\s*<', changelist)


def jpeg_with_exif():
    image = Image.new("RGB", (20, 10), "red")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_uploaded_image_loses_its_metadata():
    cleaned = clean_image(jpeg_with_exif())
    assert b"SpyCam" not in cleaned.read()
    cleaned.seek(0)
    assert Image.open(cleaned).size == (20, 10)


def test_not_an_image_is_refused():
    with pytest.raises(ValidationError):
        clean_image(SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg"))


def test_too_large_upload_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError):
        clean_image(jpeg_with_exif())


def test_beat_task_announces_once(officer, department, citizen, django_capture_on_commit_callbacks):
    from civicportal.notifications.models import Notification

    PollFactory(department=department, created_by=officer, districts=[district("11440")])
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.announce_due_polls.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.announce_due_polls.delay().get() == 0
    assert Notification.objects.filter(kind="poll_opened", recipient=citizen).count() == 1


def test_admin_image_upload_is_cleaned(client, administrator, poll, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    option = poll.options.first()
    client.force_login(administrator)
    url = reverse("admin:polls_polloption_change", args=[option.pk])
    data = {"poll": poll.pk, "text": option.text, "position": option.position, "image": jpeg_with_exif()}
    response = client.post(url, data)
    assert response.status_code == 302
    option.refresh_from_db()
    stored = option.image.read()
    assert b"SpyCam" not in stored
    assert Image.open(io.BytesIO(stored)).size == (20, 10)


def test_admin_refuses_a_file_that_is_not_an_image(client, administrator, poll, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    option = poll.options.first()
    client.force_login(administrator)
    url = reverse("admin:polls_polloption_change", args=[option.pk])
    fake = SimpleUploadedFile("x.gif", b"GIF89a<?php echo 1; ?>", content_type="image/gif")
    response = client.post(url, {"poll": poll.pk, "text": option.text, "position": option.position, "image": fake})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["image"]
    option.refresh_from_db()
    assert not option.image
