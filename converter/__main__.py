"""`python -m converter` runs the tiltak2xlsx command."""

from .cli import main

main()
