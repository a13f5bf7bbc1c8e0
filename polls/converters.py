class PrimaryKeyConverter:
    """A positive id that fits a bigint: a longer number is no page (404), not a database error."""

    regex = "[0-9]{1,19}"
    largest = 2**63 - 1

    def to_python(self, value):
        number = int(value)
        if not 0 < number <= self.largest:
            raise ValueError("not a primary key")
        return number

    def to_url(self, value):
        return str(value)
