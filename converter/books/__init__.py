"""The two workbooks, each a layout: the report's workbook and the time series'."""
