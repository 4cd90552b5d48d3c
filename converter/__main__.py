"""`python -m converter` runs the tiltak2xlsx command."""

from .cli.app import main

main()
