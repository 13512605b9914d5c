"""The commands, each a thin wing over pipeline.load() and build(); and the error they share with the command line."""


class UsageError(Exception):
    """The command line itself is wrong (exit 2); the message says what, in the user's words."""
