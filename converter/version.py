"""The tool's version: the bottom of the stack, so every module may name it without a cycle."""

__version__ = "0.1.0"
TOOL = f"tiltak2xlsx {__version__}"      # as it stands in document properties and on Innhold
