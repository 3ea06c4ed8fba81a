"""Front ends: files in, normalized Resources out."""
