"""Command-line argument conversion without pydantic, for the plain types our CLI takes.

typer 0.29 converts every parameter that is not an already-bool flag through a pydantic
TypeAdapter, so any run that parses a path or a number imports pydantic: about 0.1 s, more than
`--check` on a report spends on its own work. Our parameters are flags, paths, ints and floats
with an optional range; for those, `PlainCommand` (given to `app.command(cls=...)`, typer's hook for a
custom command class) sets a small converter with the same results and error messages. Any other
annotation keeps typer's own conversion. typer is pinned to 0.29.x in pyproject.toml because this
uses its coercion hook (`RuntimeParam`); tests/test_startup.py checks both the messages and that
pydantic stays out of a conversion.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import typer
from typer._coercion import RuntimeParam
from typer.core import TyperCommand, _TyperParameter

_PLAIN: dict[Any, str] = {Path: "path", int: "a valid integer, unable to parse string as an integer",
                          float: "a valid number, unable to parse string as a number", str: "a valid string",
                          bool: "a valid boolean, unable to interpret input"}
_BOOL = {"1": True, "true": True, "t": True, "yes": True, "y": True, "on": True,      # pydantic's words
         "0": False, "false": False, "f": False, "no": False, "n": False, "off": False, "": False}


def _item_type(annotation: Any) -> Any:
    """The element type of list[X], X itself otherwise; None when it is not one we convert."""
    if get_origin(annotation) is list:
        args = get_args(annotation)
        annotation = args[0] if len(args) == 1 else None
    return annotation if annotation in _PLAIN else None


@dataclass(frozen=True)
class PlainParam(RuntimeParam):
    """Convert one CLI value (or a list of them) to Path, int, float or str, with min/max."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        kind = _item_type(self.annotation)
        if isinstance(value, list | tuple):
            return [self._one(kind, v, param, ctx) for v in value]
        return self._one(kind, value, param, ctx)

    def _one(self, kind: Any, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            result = value
        elif kind is bool:
            result = _BOOL.get(str(value).strip().lower())
            if result is None:
                raise typer.BadParameter(f"Input should be {_PLAIN[kind]}", ctx=ctx, param=param)
        else:
            try:
                result = kind(value.strip() if kind in (int, float) and isinstance(value, str) else value)
            except (TypeError, ValueError):
                raise typer.BadParameter(f"Input should be {_PLAIN[kind]}", ctx=ctx, param=param) from None
        low, high = self.parameter_info.min, self.parameter_info.max
        if low is not None and result < low:
            raise typer.BadParameter(f"Input should be greater than or equal to {low}", ctx=ctx, param=param)
        if high is not None and result > high:
            raise typer.BadParameter(f"Input should be less than or equal to {high}", ctx=ctx, param=param)
        return result


class PlainCommand(TyperCommand):
    """A typer command whose plain-typed parameters (--help included) are converted by PlainParam."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)     # the declared ones and the help option, made on demand
        for param in params:
            descriptor = getattr(param, "type_descriptor", None)
            if (isinstance(param, _TyperParameter) and param._runtime_param is None and descriptor is not None
                    and _item_type(descriptor.annotation) is not None and not descriptor.parameter_info.clamp
                    and descriptor.file_annotation is None and not descriptor.is_choice):
                param._runtime_param = PlainParam(parameter_info=descriptor.parameter_info,
                                                  annotation=descriptor.annotation)
        return params
