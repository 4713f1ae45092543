"""LLO monitor: intake, warehouse, publication and dashboard for Werk in Zicht."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("llo-monitor")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"
