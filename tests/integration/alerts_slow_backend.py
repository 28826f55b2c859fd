import os
import time

from civicportal.notifications.backends import BaseBackend, ConsoleSMSBackend


class SlowConsoleSMSBackend(ConsoleSMSBackend):
    """The console backend, one line at a time and slowly: a kill lands in the middle of a batch."""

    def send_many(self, messages):
        delay = float(os.environ.get("ALERT_TEST_SEND_DELAY", "0.01"))
        for message in messages:
            time.sleep(delay)
            super().send_many([message])
        return {}

    def send_same(self, messages, recipients):
        # Through the slow send_many above, not the console backend's one-write batch.
        return BaseBackend.send_same(self, messages, recipients)
