"""The alert team every alert test needs: an author and a second person who approves."""

import pytest

from tests.notifications.factories import alert_approver, alert_author


@pytest.fixture
def author():
    return alert_author()


@pytest.fixture
def approver():
    return alert_approver()
