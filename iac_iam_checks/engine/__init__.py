"""The engine: discover files, run the front ends, build the graph, run the checks, and turn
their results into findings (``pipeline``); ``loading`` picks the front end of each file."""

from .loading import load, repository_boundary, scan_base
from .options import ScanOptions
from .pipeline import scan

__all__ = ["ScanOptions", "load", "repository_boundary", "scan", "scan_base"]
