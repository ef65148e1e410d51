"""Records: classes of named fields, as `@dataclass` makes them, for the modules a `grader check`
imports (the solution and its results, the formula nodes, the spec schema, the network kind's records):
with them a check does not import dataclasses (nor inspect, ast, dis, tokenize: ~5 ms).

`@dataclass` generates the source of __init__, __repr__, __eq__ (and __hash__, __setattr__,
__delattr__ when frozen) for every class and execs it, and inspects the signature of a class without
a docstring: 0.3-0.5 ms a class, ~20 ms for the ~60 classes on a first check's path. A record's
methods are the same few functions for every class, reading the field list the decorator stored.
Type checkers treat `record` as a dataclass (PEP 681).

What a record has of a dataclass: fields in declaration order (a base record's first), plain
defaults and `field(default_factory=...)`, `field(repr=False, compare=False)`, __post_init__, an
__init__ of the class's own kept, equality field by field between instances of the same class,
`frozen=True` (no assignment after __init__, and a hash of the fields; otherwise unhashable, as a
dataclass with eq), __match_args__, pickling and copying, and `replace` (below). Not had:
dataclasses.fields / asdict, InitVar, kw_only, slots, order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")

_MISSING: Any = object()


class Field:
    """A field's default (a value, or a function making one) and whether repr and == show it."""

    __slots__ = ("default", "default_factory", "repr", "compare")

    def __init__(self, default: Any = _MISSING, default_factory: Any = _MISSING, repr: bool = True,
                 compare: bool = True):
        self.default, self.default_factory, self.repr, self.compare = default, default_factory, repr, compare


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] = _MISSING, repr: bool = True,
          compare: bool = True) -> Any:
    """A field with a default made afresh for each instance, or left out of repr or ==."""
    return Field(default, default_factory, repr, compare)


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, frozen: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(field,))
def record(cls: Any = None, /, *, frozen: bool = False) -> Any:
    """The class with an __init__, __repr__ and __eq__ over its annotated fields (see the module)."""
    if cls is None:
        return lambda c: _build(c, frozen)
    return _build(cls, frozen)


def _build(cls: Any, frozen: bool) -> Any:
    fields: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        fields.update(base.__dict__.get("__record_fields__", {}))
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = cls.__dict__.get(name, _MISSING)
        if isinstance(value, Field):
            spec = value
            if spec.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        else:  # as a dataclass reads it: a descriptor (solution.Step's text) gives its own default, or none
            spec = Field(getattr(cls, name, _MISSING) if value is not _MISSING else _MISSING)
        fields[name] = spec
    cls.__record_fields__ = fields
    cls.__record_compared__ = staticmethod(_getter(tuple(name for name, spec in fields.items() if spec.compare)))
    type.__setattr__(cls, "__match_args__", tuple(fields))
    if "__init__" not in cls.__dict__:
        cls.__init__ = _initialiser(cls, fields)
    if "__repr__" not in cls.__dict__:
        cls.__repr__ = _repr
    if "__eq__" not in cls.__dict__:
        cls.__eq__ = _eq
        if frozen:
            cls.__hash__ = _hash
        elif "__hash__" not in cls.__dict__:
            cls.__hash__ = None
    if frozen:
        cls.__setattr__ = _refuse_setattr
        cls.__delattr__ = _refuse_delattr
    return cls


def _initialiser(cls: Any, fields: dict[str, Field]) -> Callable[..., None]:
    names = tuple(fields)
    count = len(names)
    owner = cls.__qualname__
    defaults = tuple((spec.default, spec.default_factory) for spec in fields.values())
    # values go straight into the instance's __dict__ unless a field is a data descriptor (Step.text)
    direct = not any(hasattr(type(_class_attribute(cls, name)), "__set__") for name in names)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        given = len(args)
        if given > count:
            raise TypeError(f"{owner}() takes {count} positional arguments but {given} were given")
        for name in kwargs:
            if name not in fields or name in names[:given]:
                problem = "an unexpected keyword argument" if name not in fields else "multiple values for argument"
                raise TypeError(f"{owner}() got {problem} {name!r}")
        values = dict(zip(names, args))
        for i in range(given, count):  # the rest in declaration order: given by name, or defaults
            name = names[i]
            if name in kwargs:
                values[name] = kwargs[name]
                continue
            default, factory = defaults[i]
            if default is not _MISSING:
                values[name] = default
            elif factory is not _MISSING:
                values[name] = factory()
            else:
                raise TypeError(f"{owner}() missing required argument {name!r}")
        if direct:
            self.__dict__.update(values)
        else:
            for name, value in values.items():
                _set(self, name, value)
        post_init = getattr(type(self), "__post_init__", None)
        if post_init is not None:
            post_init(self)

    __init__.__qualname__ = f"{owner}.__init__"
    return __init__


def _class_attribute(cls: Any, name: str) -> Any:
    """The attribute `name` as a class defines it (a descriptor itself, not what it gives)."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


_set = object.__setattr__  # what a frozen record's __init__ assigns with (a descriptor's __set__ still runs)


def replace(record: T, /, **changes: Any) -> T:
    """A copy of `record` with `changes` (as dataclasses.replace: through __init__ and __post_init__)."""
    values = {name: getattr(record, name) for name in type(record).__record_fields__}  # type: ignore[attr-defined]
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{type(record).__qualname__} has no field {sorted(unknown)[0]!r}")
    return type(record)(**{**values, **changes})


def _compared(x: Any) -> tuple[Any, ...]:
    return type(x).__record_compared__(x)  # type: ignore[no-any-return]


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The values of `names` of an instance, as a tuple (attrgetter's own speed for two or more)."""
    from operator import attrgetter

    if len(names) >= 2:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda x: (one(x),)
    return lambda x: ()


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _compared(self) == _compared(other)


def _hash(self: Any) -> int:
    return hash(_compared(self))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name, spec in type(self).__record_fields__.items()
                      if spec.repr)
    return f"{type(self).__qualname__}({shown})"


def _refuse_setattr(self: Any, name: str, value: Any) -> None:
    raise AttributeError(f"cannot assign to field {name!r} of a frozen {type(self).__qualname__}")


def _refuse_delattr(self: Any, name: str) -> None:
    raise AttributeError(f"cannot delete field {name!r} of a frozen {type(self).__qualname__}")
