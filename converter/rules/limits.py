"""Excel's hard limits ("Excel specifications and limits"): what a workbook must fit. Constants only."""

MAX_SHEET_NAME = 31
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_FORMULA = 8_192             # characters of a formula, its leading "=" included
MAX_LINKS = 65_530              # hyperlinks on one sheet
MAX_TEXT = 32_767               # characters in one cell
MAX_SUM_ARGS = 255              # arguments of one function call
