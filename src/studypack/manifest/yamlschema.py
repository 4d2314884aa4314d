"""Pydantic validation of YAML with positions: each error a problem where it was written.

`validate` checks a `YamlText`'s data against a pydantic model and turns each
error into a `Problem` at the position of the offending key or value, worded
for the person who wrote it (with "did you mean" for unknown keys). `Text`,
`Words`, `choice` and `whole_number` are field types whose errors read well;
a field validator raises `invalid` to say exactly what it means.
"""

from __future__ import annotations

import typing
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError

from ..errors import Problem
from .wording import describe, dotted, either, quote, suggest
from .yamlpos import KeyPath, YamlText

_MESSAGES = {
    "string_type": "expected text, got {got}",
    "int_type": "expected a whole number, got {got}",
    "bool_type": "expected true or false, got {got}",
    "list_type": "expected a list, got {got}",
    "dict_type": "expected keys and values (a mapping), got {got}",
    "model_type": "expected keys and values (a mapping), got {got}",
    "model_attributes_type": "expected keys and values (a mapping), got {got}",
    "too_short": "needs at least one entry",
}


# --- pydantic errors at YAML positions ------------------------------------------


def _realign(loc: tuple, data: Any, keep_last: bool) -> KeyPath:
    """The part of a pydantic error location that names values in the data (drops union tags)."""
    out: list[str | int] = []
    node = data
    for i, step in enumerate(loc):
        if isinstance(node, dict) and isinstance(step, str) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        elif keep_last and i == len(loc) - 1:
            pass
        else:
            continue
        out.append(step)
    return tuple(out)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def keys_at(model: type[BaseModel], keys: KeyPath) -> list[str]:
    """The keys a mapping may have at this key path, according to the model."""
    current = [model]
    for step in keys:
        if isinstance(step, int):
            continue
        following: list[type[BaseModel]] = []
        for m in current:
            for name, field in m.model_fields.items():
                if (field.alias or name) == step:
                    following += _models_in(field.annotation)
        current = following
    return sorted({field.alias or name for m in current for name, field in m.model_fields.items()})


def _translate(err: dict, model: type[BaseModel], doc: YamlText) -> Problem:
    kind = err["type"]
    keys = _realign(err["loc"], doc.data, keep_last=kind == "missing")
    if kind == "missing":
        place, where = keys[:-1], doc.where(keys[:-1])
        message = f"missing required key {quote(str(keys[-1]))}"
    elif kind == "extra_forbidden":
        place, where = keys[:-1], doc.where_key(keys)
        message = f"unknown key {quote(str(keys[-1]))}{suggest(keys[-1], keys_at(model, keys[:-1]))}"
    else:
        place, where = keys, doc.where(keys)
        if kind in _MESSAGES:
            message = _MESSAGES[kind].format(got=describe(err.get("input")))
        elif kind == "studypack":
            message = err["msg"]
        else:
            message = f"{err['msg'][:1].lower()}{err['msg'][1:]}, got {describe(err.get('input'))}"
    return Problem(where, f"{dotted(place)}: {message}" if place else message)


def validate(model: type[BaseModel], doc: YamlText) -> tuple[Any, list[Problem]]:
    """Validate the data against a pydantic model: the instance, or None and a problem per error."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as err:
        problems: list[Problem] = []
        for error in err.errors(include_url=False):
            problem = _translate(error, model, doc)
            if problem not in problems:
                problems.append(problem)
        return None, problems


# --- field types whose errors read well -------------------------------------------


def invalid(message: str) -> PydanticCustomError:
    """An error for a field validator to raise; `validate` reports `message` as it is."""
    return PydanticCustomError("studypack", "{message}", {"message": message})


def as_text(value: Any) -> Any:
    """Numbers where text is expected are taken as text (a title ``1984``, a year ``1926``)."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise invalid("must not be empty")
    return value


Text = Annotated[str, BeforeValidator(as_text)]
Words = Annotated[Text, AfterValidator(_not_blank)]


def choice(*allowed: str) -> Any:
    """A field type: one of `allowed`, in any case (stored in lower case)."""

    def check(value: str) -> str:
        if value.lower() in allowed:
            return value.lower()
        raise invalid(f"expected {either(allowed)}, got {quote(value)}{suggest(value, allowed)}")

    return Annotated[str, AfterValidator(check)]


def whole_number(low: int, high: int | None = None) -> Any:
    """A field type: a whole number from `low` (to `high`)."""

    def check(value: int) -> int:
        if value < low or (high is not None and value > high):
            limits = f"from {low} to {high}" if high is not None else f"of {low} or more"
            raise invalid(f"expected a whole number {limits}, got {value}")
        return value

    return Annotated[int, AfterValidator(check)]
