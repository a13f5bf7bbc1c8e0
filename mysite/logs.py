"""Log record filters for settings.LOGGING."""

import logging


class OneLineWarning(logging.Filter):
    """Log a record as one WARNING line: its message, without a traceback."""

    def filter(self, record):
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = record.stack_info = None
        return True
