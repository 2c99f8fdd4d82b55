"""The toolkit's version: its own module, so that any module (and setup.py) may read it without importing the package."""
__version__ = "0.1.0"
