"""The one exception type that reaches users as a single line."""


class InputError(Exception):
    """A file that cannot be taken in; the message says why, without the file name.

    Callers that know the file prefix it: ``f"{path}: {error}"``.
    """
