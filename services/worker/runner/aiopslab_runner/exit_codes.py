"""Process exit codes. A SIGTERM exits with 143 (128 + 15) after its error event."""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
