"""A small declarative language for record shapes.

Each format describes its records once, as a tree of shapes. The same tree is both the fast
structural validator (it reports S001-S004, plus the few conversation codes that are purely
structural, such as C001 for an unknown role) and the source of the format's JSON Schema in
``schemas/``. A property test keeps the two verdicts in agreement.

Pointers in findings are RFC 6901; a missing key is reported at the place the key should be.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ftdata.diagnostics import Finding, pointer_join

JSONSchema = dict[str, Any]
Defs = dict[str, JSONSchema]


def json_type(value: object) -> str:
    """The JSON type name of a decoded value, as JSON Schema names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


_ARTICLE = {"integer": "an integer", "object": "an object", "array": "an array"}


def _a(type_name: str) -> str:
    return _ARTICLE.get(type_name, f"a {type_name}")


def _wrong_type(expected: Sequence[str], value: object, pointer: str) -> Finding:
    wanted = " or ".join(_a(t) for t in expected)
    return Finding("S003", f"expected {wanted}, got {_a(json_type(value))}", pointer)


def _quote_list(values: Sequence[object]) -> str:
    return ", ".join(repr(v) for v in values)


def _same_json_value(a: object, b: object) -> bool:
    # JSON Schema equality: booleans are not numbers, 1 == 1.0.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


class Shape:
    """Base class: a shape checks a decoded value and renders itself as JSON Schema."""

    types: tuple[str, ...] = ()

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        raise NotImplementedError

    def schema(self, defs: Defs) -> JSONSchema:
        raise NotImplementedError

    def accepts_type(self, value: object) -> bool:
        kind = json_type(value)
        if kind == "integer" and "number" in self.types:
            return True
        return kind in self.types


class AnyValue(Shape):
    types = ("null", "boolean", "integer", "number", "string", "array", "object")

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        return None

    def schema(self, defs: Defs) -> JSONSchema:
        return {}


class Str(Shape):
    """A string, optionally one of ``enum`` (``code`` is reported when it is not)."""

    types = ("string",)

    def __init__(self, enum: Sequence[str] | None = None, *, code: str = "S004",
                 what: str = "value") -> None:
        self.enum = tuple(enum) if enum is not None else None
        self.code = code
        self.what = what

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        if not isinstance(value, str):
            out.append(_wrong_type(self.types, value, pointer))
        elif self.enum is not None and value not in self.enum:
            out.append(Finding(self.code, f"{self.what} {value!r} is not one of "
                                          f"{_quote_list(self.enum)}", pointer))

    def schema(self, defs: Defs) -> JSONSchema:
        if self.enum is None:
            return {"type": "string"}
        if len(self.enum) == 1:
            return {"type": "string", "const": self.enum[0]}
        return {"type": "string", "enum": list(self.enum)}


class Num(Shape):
    """A number (``integer=True``: a whole number), optionally one of ``enum``."""

    def __init__(self, *, integer: bool = False, enum: Sequence[float] | None = None,
                 minimum: float | None = None, code: str = "S004", what: str = "value") -> None:
        self.integer = integer
        self.types = ("integer",) if integer else ("number",)
        self.enum = tuple(enum) if enum is not None else None
        self.minimum = minimum
        self.code = code
        self.what = what

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        if not self.accepts_type(value):
            out.append(_wrong_type(self.types, value, pointer))
            return
        assert isinstance(value, (int, float))
        if self.enum is not None and not any(_same_json_value(value, e) for e in self.enum):
            out.append(Finding(self.code, f"{self.what} {value!r} is not one of "
                                          f"{_quote_list(self.enum)}", pointer))
        elif self.minimum is not None and value < self.minimum:
            out.append(Finding(self.code, f"{self.what} {value!r} is below {self.minimum}",
                               pointer))

    def schema(self, defs: Defs) -> JSONSchema:
        out: JSONSchema = {"type": self.types[0]}
        if self.enum is not None:
            out["enum"] = list(self.enum)
        if self.minimum is not None:
            out["minimum"] = self.minimum
        return out


class Bool(Shape):
    types = ("boolean",)

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        if not isinstance(value, bool):
            out.append(_wrong_type(self.types, value, pointer))

    def schema(self, defs: Defs) -> JSONSchema:
        return {"type": "boolean"}


class Null(Shape):
    types = ("null",)

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        if value is not None:
            out.append(_wrong_type(self.types, value, pointer))

    def schema(self, defs: Defs) -> JSONSchema:
        return {"type": "null"}


class Forbidden(Shape):
    """A key that must not be present; ``code`` and ``message`` say why."""

    types = ()

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        out.append(Finding(self.code, self.message, pointer))

    def schema(self, defs: Defs) -> JSONSchema:
        return {"not": {}}


class Arr(Shape):
    """An array of ``items``; ``min_code`` is reported when it has fewer than ``min_items``."""

    types = ("array",)

    def __init__(self, items: Shape, *, min_items: int = 0, max_items: int | None = None,
                 min_code: str = "S004", what: str = "array") -> None:
        self.items = items
        self.min_items = min_items
        self.max_items = max_items
        self.min_code = min_code
        self.what = what

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        if not isinstance(value, list):
            out.append(_wrong_type(self.types, value, pointer))
            return
        if len(value) < self.min_items:
            if not value:
                message = f"{self.what} is empty"
            else:
                message = f"{self.what} has {len(value)} items, at least {self.min_items} needed"
            out.append(Finding(self.min_code, message, pointer))
        elif self.max_items is not None and len(value) > self.max_items:
            out.append(Finding("S004", f"{self.what} has {len(value)} items, at most "
                                       f"{self.max_items} allowed", pointer))
        check_item = self.items.check
        for index, item in enumerate(value):
            check_item(item, f"{pointer}/{index}", out)

    def schema(self, defs: Defs) -> JSONSchema:
        out: JSONSchema = {"type": "array", "items": self.items.schema(defs)}
        if self.min_items:
            out["minItems"] = self.min_items
        if self.max_items is not None:
            out["maxItems"] = self.max_items
        return out


class Obj(Shape):
    """An object with known ``fields``.

    ``required`` keys must be present; ``require_any`` lists groups of which at least one key
    must be present, where a key of ``absent_when_null`` holding ``null`` does not count (an
    assistant's ``"content": null`` stands in for calls, not for an answer); ``extra`` is
    ``False`` (unknown keys are S002), ``True`` (anything goes) or a shape every other value
    must have.
    """

    types = ("object",)

    def __init__(self, fields: Mapping[str, Shape], *, required: Sequence[str] = (),
                 require_any: Sequence[Sequence[str]] = (), extra: bool | Shape = False,
                 what: str = "record", absent_when_null: Sequence[str] = ()) -> None:
        self.fields = dict(fields)
        self.required = tuple(required)
        self.require_any = tuple(tuple(group) for group in require_any)
        self.extra = extra
        self.what = what
        self.absent_when_null = frozenset(absent_when_null)

    def present(self, value: Mapping[str, Any], key: str) -> bool:
        """Whether ``key`` counts as given for ``require_any``."""
        return key in value and (value[key] is not None or key not in self.absent_when_null)

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        if not isinstance(value, dict):
            out.append(_wrong_type(self.types, value, pointer))
            return
        for key in self.required:
            if key not in value:
                out.append(Finding("S001", f"{self.what} is missing key {key!r}",
                                   pointer_join(pointer, key)))
        for group in self.require_any:
            if not any(self.present(value, key) for key in group):
                names = " or ".join(repr(key) for key in group)
                nulls = [key for key in group if key in value]
                # A null stands for "absent": say so, at the key that holds it.
                where = nulls[0] if nulls else group[0]
                why = f" ({where!r} is null)" if nulls else ""
                out.append(Finding("S001", f"{self.what} needs {names}{why}",
                                   pointer_join(pointer, where)))
        fields = self.fields
        for key, item in value.items():
            shape = fields.get(key)
            if shape is not None:
                shape.check(item, pointer_join(pointer, key), out)
            elif self.extra is False:
                out.append(Finding("S002", f"unknown key {key!r} in {self.what}",
                                   pointer_join(pointer, key)))
            elif isinstance(self.extra, Shape):
                self.extra.check(item, pointer_join(pointer, key), out)

    def _given(self, key: str) -> JSONSchema:
        if key in self.absent_when_null:
            return {"required": [key], "properties": {key: {"not": {"type": "null"}}}}
        return {"required": [key]}

    def schema(self, defs: Defs) -> JSONSchema:
        out: JSONSchema = {"type": "object"}
        if self.fields:
            out["properties"] = {key: shape.schema(defs) for key, shape in self.fields.items()}
        if self.required:
            out["required"] = list(self.required)
        if self.require_any:
            clauses = [{"anyOf": [self._given(key) for key in group]}
                       for group in self.require_any]
            out["allOf"] = clauses
        if self.extra is False:
            out["additionalProperties"] = False
        elif isinstance(self.extra, Shape):
            out["additionalProperties"] = self.extra.schema(defs)
        return out


class Union(Shape):
    """One of several shapes told apart by JSON type (a string, or an array of parts)."""

    def __init__(self, *options: Shape) -> None:
        self.options = options
        self.types = tuple(t for option in options for t in option.types)

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        for option in self.options:
            if option.accepts_type(value):
                option.check(value, pointer, out)
                return
        out.append(_wrong_type(self.types, value, pointer))

    def schema(self, defs: Defs) -> JSONSchema:
        return {"anyOf": [option.schema(defs) for option in self.options]}


class Tagged(Shape):
    """An object whose shape depends on the string value of one key (a message's ``role``).

    An unknown value is reported with ``code`` (C001 for roles).
    """

    types = ("object",)

    def __init__(self, key: str, branches: Mapping[str, Obj], *, code: str = "S004",
                 what: str = "value") -> None:
        self.key = key
        self.branches = dict(branches)
        self.code = code
        self.what = what

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        if not isinstance(value, dict):
            out.append(_wrong_type(self.types, value, pointer))
            return
        if self.key not in value:
            out.append(Finding("S001", f"missing key {self.key!r}",
                               pointer_join(pointer, self.key)))
            return
        tag = value[self.key]
        if not isinstance(tag, str):
            out.append(_wrong_type(("string",), tag, pointer_join(pointer, self.key)))
            return
        branch = self.branches.get(tag)
        if branch is None:
            out.append(Finding(self.code, f"{self.what} {tag!r} is not one of "
                                          f"{_quote_list(list(self.branches))}",
                               pointer_join(pointer, self.key)))
            return
        branch.check(value, pointer, out)

    def schema(self, defs: Defs) -> JSONSchema:
        return {
            "type": "object",
            "required": [self.key],
            "properties": {self.key: {"type": "string", "enum": list(self.branches)}},
            "allOf": [
                {"if": {"properties": {self.key: {"const": tag}}},
                 "then": branch.schema(defs)}
                for tag, branch in self.branches.items()
            ],
        }


class Keyed(Shape):
    """One of several object shapes, chosen by which key is present (first match wins).

    When none of the keys is present ``fallback`` (default: the first option) is used, so its
    missing keys are named.
    """

    types = ("object",)

    def __init__(self, options: Sequence[tuple[str, Shape]], *,
                 fallback: Shape | None = None) -> None:
        self.options = tuple(options)
        self.fallback = fallback if fallback is not None else self.options[0][1]

    def choose(self, value: dict[str, Any]) -> Shape:
        for key, shape in self.options:
            if key in value:
                return shape
        return self.fallback

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        if not isinstance(value, dict):
            out.append(_wrong_type(self.types, value, pointer))
            return
        self.choose(value).check(value, pointer, out)

    def schema(self, defs: Defs) -> JSONSchema:
        schema: JSONSchema = self.fallback.schema(defs)
        for key, shape in reversed(self.options):
            schema = {"if": {"required": [key]}, "then": shape.schema(defs), "else": schema}
        return {"type": "object", **schema}


class Ref(Shape):
    """A named shape, rendered once under ``$defs`` and referenced from every use."""

    def __init__(self, name: str, shape: Shape) -> None:
        self.name = name
        self.shape = shape
        self.types = shape.types

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        self.shape.check(value, pointer, out)

    def accepts_type(self, value: object) -> bool:
        return self.shape.accepts_type(value)

    def schema(self, defs: Defs) -> JSONSchema:
        if self.name not in defs:
            defs[self.name] = {}  # placeholder first: shapes may refer to themselves
            defs[self.name] = self.shape.schema(defs)
        return {"$ref": f"#/$defs/{self.name}"}


def json_schema_document(shape: Shape, *, format_id: str, title: str,
                         description: str) -> JSONSchema:
    """The complete Draft 2020-12 schema document for one format."""
    defs: Defs = {}
    body = shape.schema(defs)
    document: JSONSchema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://ftdata.dev/schemas/{format_id}.schema.json",
        "title": title,
        "description": description,
        **body,
    }
    if defs:
        document["$defs"] = dict(sorted(defs.items()))
    return document


def check_shape(shape: Shape, value: object) -> list[Finding]:
    """Run a shape over a decoded record and return its findings.

    The compiled yes/no check of :func:`fast_check` answers for the records that are fine
    (nearly all of them); only a record it refuses is walked again to say what is wrong.

    >>> check_shape(Obj({"text": Str()}, required=["text"]), {"text": 1})
    [Finding(code='S003', message='expected a string, got an integer', pointer='/text')]
    """
    if fast_check(shape)(value):
        return []
    out: list[Finding] = []
    shape.check(value, "", out)
    return out


# -- the compiled check ---------------------------------------------------------------------

#: A yes/no structural check: True only when the shape's walk would find nothing.
Predicate = Callable[[Any], bool]

_COMPILED: weakref.WeakKeyDictionary[Shape, Predicate] = weakref.WeakKeyDictionary()


def fast_check(shape: Shape) -> Predicate:
    """The shape compiled into nested closures that only say whether a value is fine.

    It builds no pointers and no findings, and tests exact types (``type(v) is str``), so it
    may refuse a value the walk accepts (a ``str`` subclass, say): that only costs the walk.
    It never accepts a value the walk would report. Compiled once per shape.

    >>> fast_check(Arr(Str(), min_items=1))(["a", "b"]), fast_check(Arr(Str()))([1])
    (True, False)
    """
    predicate = _COMPILED.get(shape)
    if predicate is None:
        predicate = _COMPILED[shape] = _Compiler().compile(shape)
    return predicate


def _always(value: object) -> bool:
    return True


def _never(value: object) -> bool:
    return False


def _is_str(value: object) -> bool:
    return type(value) is str


def _is_bool(value: object) -> bool:
    return type(value) is bool


def _is_null(value: object) -> bool:
    return value is None


#: One value of each JSON type, to ask a union which option takes values of that Python type
#: (``float`` is asked per value: whole floats are JSON integers).
_REPRESENTATIVES: dict[type, object] = {str: "", list: [], dict: {}, type(None): None,
                                        bool: True, int: 0}


class _Compiler:
    """Turns a shape tree into closures; a shape met again while it is being compiled (a
    recursive ``Ref``) gets a stand-in that calls the finished predicate."""

    def __init__(self) -> None:
        self.done: dict[int, Predicate] = {}
        self.pending: dict[int, list[Predicate]] = {}

    def compile(self, shape: Shape) -> Predicate:
        key = id(shape)
        if key in self.done:
            return self.done[key]
        if key in self.pending:
            cell = self.pending[key]
            return lambda value: cell[0](value)
        cell = self.pending[key] = []
        predicate = self._build(shape)
        cell.append(predicate)
        del self.pending[key]
        self.done[key] = predicate
        return predicate

    def _build(self, shape: Shape) -> Predicate:
        # Exact kinds only: a subclass may check differently, so it is walked.
        kind = type(shape)
        if kind is Ref:
            assert isinstance(shape, Ref)
            return self.compile(shape.shape)
        if kind is AnyValue:
            return _always
        if kind is Forbidden:
            return _never
        if kind is Bool:
            return _is_bool
        if kind is Null:
            return _is_null
        if kind is Str:
            assert isinstance(shape, Str)
            return _string(shape)
        if kind is Num:
            assert isinstance(shape, Num)
            return _number(shape)
        if kind is Arr:
            assert isinstance(shape, Arr)
            return _array(shape, self.compile(shape.items))
        if kind is Obj:
            assert isinstance(shape, Obj)
            return self._object(shape)
        if kind is Union:
            assert isinstance(shape, Union)
            return self._union(shape)
        if kind is Tagged:
            assert isinstance(shape, Tagged)
            return _tagged(shape.key, {tag: self.compile(branch)
                                       for tag, branch in shape.branches.items()})
        if kind is Keyed:
            assert isinstance(shape, Keyed)
            return _keyed([(key, self.compile(option)) for key, option in shape.options],
                          self.compile(shape.fallback))
        return _walked(shape)

    def _object(self, shape: Obj) -> Predicate:
        fields = {key: self.compile(field) for key, field in shape.fields.items()}
        extra: Predicate | None
        if shape.extra is False:
            extra = None
        elif isinstance(shape.extra, Shape):
            extra = self.compile(shape.extra)
        else:
            extra = _always
        return _object(fields, shape.required, shape.require_any, extra,
                       shape.absent_when_null)

    def _union(self, shape: Union) -> Predicate:
        def option_for(value: object) -> Predicate:
            for option in shape.options:
                if option.accepts_type(value):
                    return self.compile(option)
            return _never

        by_type = {kind: option_for(value) for kind, value in _REPRESENTATIVES.items()}
        whole, fraction = option_for(1.0), option_for(0.5)
        walk = _walked(shape)

        def union(value: object) -> bool:
            kind = type(value)
            if kind is float:
                assert isinstance(value, float)
                return (whole if value.is_integer() else fraction)(value)
            predicate = by_type.get(kind)
            return walk(value) if predicate is None else predicate(value)

        return union


def _walked(shape: Shape) -> Predicate:
    def walk(value: object) -> bool:
        out: list[Finding] = []
        shape.check(value, "", out)
        return not out

    return walk


def _string(shape: Str) -> Predicate:
    if shape.enum is None:
        return _is_str
    allowed = frozenset(shape.enum)

    def string(value: object) -> bool:
        return type(value) is str and value in allowed

    return string


def _number(shape: Num) -> Predicate:
    integer, minimum = shape.integer, shape.minimum
    allowed = frozenset(shape.enum) if shape.enum is not None else None

    def number(value: Any) -> bool:
        kind = type(value)
        if not (kind is int or (kind is float and (not integer or value.is_integer()))):
            return False
        if allowed is not None and value not in allowed:
            return False
        return minimum is None or value >= minimum

    return number


def _array(shape: Arr, item: Predicate) -> Predicate:
    low, high = shape.min_items, shape.max_items

    def array(value: Any) -> bool:
        if type(value) is not list or len(value) < low or (high is not None
                                                            and len(value) > high):
            return False
        return all(map(item, value))

    return array


def _object(fields: dict[str, Predicate], required: tuple[str, ...],
            require_any: tuple[tuple[str, ...], ...], extra: Predicate | None,
            absent_when_null: frozenset[str] = frozenset()) -> Predicate:
    field = fields.get

    def obj(value: Any) -> bool:
        if type(value) is not dict:
            return False
        for key in required:
            if key not in value:
                return False
        for group in require_any:
            if not any(key in value and (value[key] is not None or key not in absent_when_null)
                       for key in group):
                return False
        for key, item in value.items():
            predicate = field(key)
            if predicate is None:
                if extra is None or not extra(item):
                    return False
            elif not predicate(item):
                return False
        return True

    return obj


def _tagged(key: str, branches: dict[str, Predicate]) -> Predicate:
    branch = branches.get

    def tagged(value: Any) -> bool:
        if type(value) is not dict:
            return False
        tag = value.get(key)
        if type(tag) is not str:
            return False
        predicate = branch(tag)
        return predicate is not None and predicate(value)

    return tagged


def _keyed(options: list[tuple[str, Predicate]], fallback: Predicate) -> Predicate:
    def keyed(value: Any) -> bool:
        if type(value) is not dict:
            return False
        for key, predicate in options:
            if key in value:
                return predicate(value)
        return fallback(value)

    return keyed
