"""Print the README's "who may do what" table from the policy (frontdesk/policy.py)."""

from django.core.management.base import BaseCommand

from frontdesk.policy_table import render


class Command(BaseCommand):
    help = (
        "Print the role x record table of frontdesk/policy.py as markdown: paste it into "
        "README.md between the policy-table markers."
    )

    def handle(self, *args, **options):
        self.stdout.write(render())
