"""Text → Report: bytes decoded, lines read, the report's structure decided."""
