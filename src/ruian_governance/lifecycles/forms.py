"""Posted command forms read into command data, by the data types the lifecycle declares.

A web form posts text: :func:`read_command_form` reads the fields of a command form into the
data :meth:`Engine.apply <ruian_governance.Engine.apply>` takes, each value by the
:class:`~ruian_governance.lifecycles.DataSpec` of its key (a whole number, a flag, ids, text),
and checks the form against the transition the trigger fires (every required key given, no
key the trigger does not take).  Every bad field is named at once in one
:class:`~ruian_governance.errors.FormError` (HTTP 422, ``fields`` in its problem details), so a
front end marks each input; the engine still checks the data again when the command runs.

How text is read (design choice, the usual reading of HTML forms):

- a field is a text or a list of texts (a repeated field); an empty or blank value is a key
  not given (an input left empty); surrounding whitespace is dropped;
- an integer is ASCII digits with an optional sign (no ``1e3``, ``1.0``, ``NaN``, full-width
  or other scripts' digits), within the spec's bounds;
- a flag is ``true``/``false``, ``on``/``off``, ``yes``/``no`` or ``1``/``0`` (any case);
  a checkbox left unticked posts nothing, which is a key not given;
- ids are separated by commas (also ``，`` and ``、``) or whitespace, or given as repeated
  fields, each an id (:func:`~ruian_governance.labels.check_identifier`), at most ``max_items``;
- text is one line of the characters of a name (no control character), at most
  ``max_length``;
- a scalar key (text, integer, flag) given more than once is refused, never guessed.

>>> from ruian_governance import EVENT_LIFECYCLE
>>> read_command_form(EVENT_LIFECYCLE, "accepted", "dispatch",
...                   {"data.units": "t1.station.a, t1.station.b", "trigger": "dispatch"},
...                   prefix="data.")
{'units': ('t1.station.a', 't1.station.b')}
>>> read_command_form(EVENT_LIFECYCLE, "closed", "evaluate", {"stars": "4"})
{'stars': 4}
>>> read_command_form(EVENT_LIFECYCLE, "closed", "evaluate", {"stars": "NaN", "x": "1"})
Traceback (most recent call last):
...
ruian_governance.errors.FormError: the form has bad fields: 'stars': expected a whole number \
from 1 to 5, 'x': not a data key of evaluate
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ruian_governance.errors import ArgumentError, FormError
from ruian_governance.models import DataValue

from .definition import LifecycleDefinition, Transition
from .parts import DataKind, DataSpec

__all__ = ["FORM_FALSE", "FORM_TRUE", "FormValue", "read_command_form"]

FormValue = str | Sequence[str]
"""A posted field's value: a text, or the texts of a field posted more than once."""

FORM_TRUE = frozenset({"true", "on", "yes", "1"})
"""The texts of a ticked flag (any case): HTML's ``on``, JSON's ``true``, ``yes`` and ``1``."""

FORM_FALSE = frozenset({"false", "off", "no", "0"})
"""The texts of a flag not set (any case)."""

_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_ID_SEPARATORS = re.compile(r"[\s,，、]+")
_MAX_FIELDS = 200
"""More fields than this are not read one by one (a form of a command has a few)."""


def _texts(value: object) -> list[str] | None:
    """The field's texts, blank ones dropped; ``None``: not text."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        return None
    return [v.strip() for v in values if v.strip()]


def _read(spec: DataSpec, texts: list[str]) -> tuple[DataValue | None, str]:
    """The data value ``texts`` give by ``spec``, or ``None`` and what is wrong with them."""
    expected = f"expected {spec}"
    if spec.kind is DataKind.IDS:
        parts = [part for text in texts for part in _ID_SEPARATORS.split(text) if part]
        found = spec.read(tuple(parts)) if len(parts) <= (spec.max_items or 0) else None
        return found, expected
    if len(texts) > 1:
        return None, f"expected one value, got {len(texts)}"
    text = texts[0]
    value: object = text
    if spec.kind is DataKind.INTEGER:
        value = int(text) if _INTEGER.fullmatch(text) else None
    elif spec.kind is DataKind.FLAG:
        low = text.lower()
        value = True if low in FORM_TRUE else False if low in FORM_FALSE else None
    return spec.read(value), expected


def _field(spec: DataSpec, value: object) -> tuple[DataValue | None, str]:
    """A field's data value (``None``: left empty), or what is wrong with it."""
    texts = _texts(value)
    if texts is None:
        return None, f"expected text (a posted field), got {type(value).__name__}"
    if not texts:  # an input left empty: not given
        return None, ""
    found, problem = _read(spec, texts)
    return found, "" if found is not None else problem


def _transition(definition: LifecycleDefinition, state: str | None, trigger: str) -> Transition:
    found = definition.opening(trigger) if state is None else definition.transition(state, trigger)
    if found is None:
        where = "an opening trigger" if state is None else f"available in state {state!r}"
        raise FormError({"trigger": f"{trigger!r} is not {where} of {definition.key}"[:300]})
    return found


def _check_arguments(
    definition: object, state: object, trigger: object, form: object, prefix: object
) -> None:
    if not isinstance(definition, LifecycleDefinition):
        raise ArgumentError("definition", definition, "a LifecycleDefinition")  # noqa: EM101
    if not isinstance(form, Mapping):
        raise ArgumentError("form", form, "a mapping of the posted fields")  # noqa: EM101
    if type(prefix) is not str:
        raise ArgumentError("prefix", prefix, "text")  # noqa: EM101 - a name
    if type(trigger) is not str or (state is not None and type(state) is not str):
        raise ArgumentError("trigger", (state, trigger), "a state and trigger key")  # noqa: EM101


def read_command_form(
    definition: LifecycleDefinition,
    state: str | None,
    trigger: str,
    form: Mapping[str, FormValue],
    *,
    prefix: str = "",
) -> dict[str, DataValue]:
    """Read a posted command form into the data of ``trigger`` fired from ``state``.

    Args:
        definition: The case's lifecycle (its data types, its transitions).
        state: The case's state; ``None`` for an opening trigger (the data besides the case's
            facts).
        trigger: The trigger the form fires.
        form: The posted fields: a mapping of field name to a text or a list of texts (e.g.
            ``{key: form.getlist(key) for key in form}`` of a web framework's form).
        prefix: Only the fields whose name starts with it are data (``"data."``: the field
            ``data.units`` is the key ``units``); the others (trigger, version, ...) are left
            to the caller.  Empty: every field is a data key.

    Returns:
        The command's data, each value of its key's type (ids as a tuple), keys sorted.

    Raises:
        FormError: A field is bad: a required key missing, a key the trigger does not take,
            a value not of its key's type or given more than once, a field that is not text;
            or the trigger is not available in ``state`` (field ``trigger``).  Every bad field
            is named.
        ArgumentError: ``definition`` is not a definition, ``form`` not a mapping, ``prefix``
            or ``trigger`` not text.
    """
    _check_arguments(definition, state, trigger, form, prefix)
    transition = _transition(definition, state, trigger)
    known = transition.requires | transition.accepts
    bad: dict[str, str] = {}
    data: dict[str, DataValue] = {}
    given: Mapping[Any, object] = form  # checked: a posted form may hold anything
    for name, value in given.items():
        if len(bad) >= _MAX_FIELDS:
            break
        if not isinstance(name, str):
            bad[repr(name)[:80]] = "a field name is text"
            continue
        if not name.startswith(prefix):
            continue
        key = name[len(prefix) :]
        if key not in known:
            bad[name[:200]] = f"not a data key of {trigger}"
            continue
        found, problem = _field(definition.data_spec(key), value)
        if problem:
            bad[name] = problem
        elif found is not None:
            data[key] = found
    for key in sorted(transition.requires - data.keys()):
        bad.setdefault(prefix + key, "required")
    if bad:
        raise FormError(bad)
    return dict(sorted(data.items()))
