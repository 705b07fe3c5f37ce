"""One reader per input format, each turning bytes into (kind, text) blocks (see ``base``)."""
