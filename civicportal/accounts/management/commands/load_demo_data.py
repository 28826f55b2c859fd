import importlib

from django.core.management.base import BaseCommand

from civicportal.accounts import demo

# Each program may ship a ``demo.py`` with ``load()`` (idempotent) for its demo content.
PROGRAM_DEMOS = [
    "civicportal.notifications.demo",
    "complaints.demo",
    "polls.demo",
    "proposals.demo",
    "callcenter.demo",
    "callcenter.chat.demo",
]


class Command(BaseCommand):
    help = "Load the demo departments, one account per role, and each program's demo content (idempotent)."

    def handle(self, *args, **options):
        demo.load_all()
        for name in PROGRAM_DEMOS:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            module.load()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Accounts (password: {demo.DEMO_PASSWORD}):"))
        for username, _name, roles, department, _head in demo.ACCOUNTS:
            where = f" @ {department}" if department else ""
            self.stdout.write(f"  {username:<16} {', '.join(str(r) for r in roles)}{where}")
