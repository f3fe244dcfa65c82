"""The project's own error types, translated to exit codes and one-line messages by the CLI."""


class UsageError(Exception):
    """Bad usage or bad input to a command itself: exit 2 with this one-line message."""
