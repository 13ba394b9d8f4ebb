"""The package version (one place: pyproject.toml reads it dynamically)."""
__version__ = "0.1.0"
