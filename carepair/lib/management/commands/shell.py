"""Django's shell, without the history models in its automatic imports (they cannot be
imported by name and only add a warning to every `carepair shell -c`)."""

from django.core.management.commands import shell


class Command(shell.Command):
    def get_auto_imports(self):
        return [path for path in super().get_auto_imports() if ".Historical" not in path]

    def handle(self, **options):
        if options.get("command"):
            # `carepair shell -c CODE` prints what CODE prints, nothing more.
            options["verbosity"] = 0
        return super().handle(**options)
