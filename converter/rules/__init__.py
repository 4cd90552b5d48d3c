"""The rules of the report, pure functions on the model: arithmetic, periods, labels, which structure
the numbers confirm, what each figure means, and the checks."""
