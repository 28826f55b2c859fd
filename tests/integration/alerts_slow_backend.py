import os
import time

from civicportal.notifications.backends import ConsoleSMSBackend


class SlowConsoleSMSBackend(ConsoleSMSBackend):
    """The console backend, one line at a time and slowly: a kill lands in the middle of a batch."""

    def send_many(self, messages):
        delay = float(os.environ.get("ALERT_TEST_SEND_DELAY", "0.01"))
        for message in messages:
            time.sleep(delay)
            super().send_many([message])
        return {}
