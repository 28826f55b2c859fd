from django.core.management.base import BaseCommand

from civicportal.accounts import demo


class Command(BaseCommand):
    help = "Load the demo departments and one account per role (idempotent)."

    def handle(self, *args, **options):
        demo.load_all()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Accounts (password: {demo.DEMO_PASSWORD}):"))
        for username, _name, roles, department, _head in demo.ACCOUNTS:
            where = f" @ {department}" if department else ""
            self.stdout.write(f"  {username:<16} {', '.join(str(r) for r in roles)}{where}")
