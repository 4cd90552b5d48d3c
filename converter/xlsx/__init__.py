"""The SpreadsheetML writer: cells, the package, charts, the compiled template."""
