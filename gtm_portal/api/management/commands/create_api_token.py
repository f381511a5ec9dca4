from django.core.management.base import BaseCommand, CommandError

from gtm_portal.api.models import ApiToken


class Command(BaseCommand):
    help = "Issue a hashed, scoped API token; prints the token as the last line (CONTRACT 3)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--scope", required=True, choices=[s.value for s in ApiToken.Scope])

    def handle(self, *args, name, scope, **options):
        if not name.strip():
            raise CommandError("NAME must not be empty.")
        token, key = ApiToken.issue(name=name.strip(), scope=scope)
        self.stderr.write(f"Token {token.name!r} (scope {scope}) issued; it is shown only once.")
        self.stdout.write(key)
