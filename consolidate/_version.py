"""The package version, in a module of its own so that `--version` and setup.py read it without imports."""
__version__ = "0.1.0"
