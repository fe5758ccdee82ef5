"""The one exception type meant for users.

The CLI catches :class:`UserInputError`, prints its message on one line and
exits with code 2.  Everything else is a bug (exit code 1).
"""


class UserInputError(Exception):
    """Bad user input: a config value, a data file row, a CLI option.

    The message must say what was wrong (file/field/value) and what is allowed.
    """

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))
