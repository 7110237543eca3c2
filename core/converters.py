class IdConverter:
    """A database id in a URL: digits that fit a 64-bit integer, so /quotes/99999999999999999999/
    is a plain 404 rather than an overflow in the database driver."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
