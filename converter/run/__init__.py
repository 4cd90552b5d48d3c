"""Files in, files out: one file's conversion, the batch, its workers and manifest, safe writing."""
