"""One module per check; see registry.py for the shape."""
