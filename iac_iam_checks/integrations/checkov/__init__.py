"""The directory handed to checkov's ``--external-checks-dir`` (see ``export``).

checkov skips ``__init__.py`` but requires it; it execs every other ``.py`` here. Keep this
file free of imports: it is also copied into exported directories.
"""
