"""The `YamlReader` port over ruamel.yaml's safe loader: YAML text in, plain Python data out.

Rule 1: only the safe loader is used (no arbitrary tags, no object construction).
Rule 2: every ruamel error (syntax, duplicate key, more than one document) and a document nested
too deeply becomes a `TextProblem` with 1-based line and column; nothing escapes as an exception.
Rule 3: the result is plain data: dict, list, str, int, float, bool, None. YAML timestamps become
ISO 8601 strings, `!!binary` becomes its base64 text, `!!set` a sorted list, and a complex
(non-scalar) mapping key its `str`. Shared nodes (anchors and aliases) are converted once and
shared; a recursive alias is a `TextProblem`.
Rule 4: the work is bounded before it is done (see ADR-0026): a text longer than `max_chars` is
refused unread, and the composer counts nodes as it builds them, an alias counting the size of
the node it names, so a document that would expand past `max_nodes` (an alias bomb) is refused
as soon as the count passes the bound. Whatever a caller walks afterwards is at most that big.
"""

from __future__ import annotations

import base64
import datetime
from typing import TYPE_CHECKING, Any, cast

from codegenie_core.ports import TextProblem, YamlReader

if TYPE_CHECKING:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

MAX_NODES = 100_000
"""The most nodes a document may expand to, aliases counted as what they name (Rule 4)."""
MAX_CHARS = 4 * 2**20
"""The longest YAML text read, in characters (Rule 4): 4 Mi, far above any workflow."""


class _RecursiveAliasError(Exception):
    """A node that contains itself through an alias: not plain data."""


class _TooManyNodesError(Exception):
    """The document expands past the node bound (Rule 4); carries the 0-based line."""

    def __init__(self, line: int | None, *, through_alias: bool) -> None:
        super().__init__(line)
        self.line = line
        self.through_alias = through_alias


class RuamelYamlReader:
    """Reads one YAML document with ruamel.yaml's pure-Python safe loader, bounded (Rule 4)."""

    def __init__(self, *, max_nodes: int = MAX_NODES, max_chars: int = MAX_CHARS) -> None:
        assert max_nodes > 0 and max_chars > 0, "the YAML bounds are positive"
        self.max_nodes = max_nodes
        self.max_chars = max_chars
        self.composed_nodes = 0
        """How many nodes the last `parse` composed from its text (aliases not included): a
        diagnostic for tests and benches; a reader shared by threads keeps the latest."""

    def parse(self, text: str) -> object | TextProblem:
        self.composed_nodes = 0
        if len(text) > self.max_chars:
            return TextProblem(message=f"YAML text longer than {self.max_chars:,} characters")
        # Imported here: a warm gather parses no YAML and should not pay for ruamel (ADR-0007).
        from ruamel.yaml import YAML
        from ruamel.yaml.error import MarkedYAMLError, YAMLError

        yaml = YAML(typ="safe", pure=True)
        budget = _NodeBudget(self.max_nodes)
        yaml.Composer = _counting_composer(budget)
        try:
            loaded = cast("object", yaml.load(text))  # pyright: ignore[reportUnknownMemberType]  # ruamel leaves load() unannotated
        except _TooManyNodesError as error:
            what = "alias expansion" if error.through_alias else "document"
            return TextProblem(
                message=f"YAML {what} exceeds {self.max_nodes:,} nodes",
                line=None if error.line is None else error.line + 1,
            )
        except MarkedYAMLError as error:
            return _problem(error)
        except YAMLError as error:  # a ReaderError: a character YAML does not accept
            return _position_problem(error, text)
        except RecursionError:
            return TextProblem(message="YAML nested too deeply")
        finally:
            self.composed_nodes = budget.composed
        try:
            return _plain(loaded, {}, set())
        except _RecursiveAliasError:
            return TextProblem(message="a YAML alias refers to a node that contains it")
        except RecursionError:
            return TextProblem(message="YAML nested too deeply")


class _NodeBudget:
    """The running expanded-node count of one document (Rule 4). `sizes` holds, by node id, the
    expanded size of each node composed so far (nodes stay alive in the tree, so ids are unique);
    `composed` counts nodes built from text, `expanded` the document as a walker would see it."""

    def __init__(self, max_nodes: int) -> None:
        self.max_nodes = max_nodes
        self.composed = 0
        self.expanded = 0
        self.sizes: dict[int, int] = {}

    def add(self, count: int, line: int | None, *, through_alias: bool) -> None:
        self.expanded += count
        if self.expanded > self.max_nodes:
            raise _TooManyNodesError(line, through_alias=through_alias)


def _counting_composer(budget: _NodeBudget) -> type:
    """A ruamel composer class that charges every node it composes to `budget` (Rule 4)."""
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.events import AliasEvent

    class CountingComposer(Composer):
        def compose_node(self, parent: object, index: object) -> object:
            # ruamel's composer is unannotated for the type checker: reach it as `Any` once.
            me, base = cast("Any", self), cast("Any", super())
            event = cast("object", me.parser.peek_event())
            line = _position(getattr(event, "start_mark", None), "line")
            if isinstance(event, AliasEvent):
                node = cast("object", base.compose_node(parent, index))
                # An alias to a node still being composed (a recursive alias) has no size yet;
                # it is charged one node here and refused when converted.
                budget.add(budget.sizes.get(id(node), 1), line, through_alias=True)
                return node
            before = budget.expanded
            budget.composed += 1
            budget.add(1, line, through_alias=False)
            node = cast("object", base.compose_node(parent, index))
            budget.sizes[id(node)] = budget.expanded - before
            return node

    return CountingComposer


def _problem(error: MarkedYAMLError) -> TextProblem:
    # ruamel leaves its error attributes unannotated; read them as plain objects.
    fields = cast("dict[str, object]", vars(error))
    mark = fields.get("problem_mark") or fields.get("context_mark")
    parts = [str(fields[p]) for p in ("context", "problem") if fields.get(p)]
    line = _position(mark, "line")
    column = _position(mark, "column")
    return TextProblem(
        message=": ".join(parts) or str(error),
        line=line + 1 if line is not None else None,
        column=column + 1 if column is not None else None,
    )


def _position_problem(error: YAMLError, text: str) -> TextProblem:
    """A problem located by the character offset ruamel's reader errors carry, if any."""
    offset = cast("object", vars(error).get("position"))
    if not isinstance(offset, int) or not 0 <= offset <= len(text):
        return TextProblem(message=str(error))
    line_start = text.rfind("\n", 0, offset) + 1
    reason = cast("object", vars(error).get("reason"))
    return TextProblem(
        message=f"unacceptable character: {reason}" if reason else str(error),
        line=text.count("\n", 0, offset) + 1,
        column=offset - line_start + 1,
    )


def _position(mark: object, name: str) -> int | None:
    """A 0-based position from a ruamel mark, or None when there is no mark."""
    value = cast("object", getattr(mark, name, None))
    return value if isinstance(value, int) else None


def _plain(value: object, done: dict[int, object], active: set[int]) -> object:
    """`value` as plain data (Rule 3); `done` memoizes shared nodes, `active` finds cycles."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date):  # datetime.datetime is a date too
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    key = id(value)
    if key in done:
        return done[key]
    if key in active:
        raise _RecursiveAliasError
    active.add(key)
    result: object
    if isinstance(value, dict):
        items = cast("dict[object, object]", value)
        result = {_key(k): _plain(v, done, active) for k, v in items.items()}
    elif isinstance(value, list | tuple):
        result = [_plain(v, done, active) for v in cast("list[object]", value)]
    elif isinstance(value, set | frozenset):
        members = [_plain(v, done, active) for v in cast("set[object]", value)]
        result = sorted(members, key=repr)
    else:
        result = str(value)
    active.discard(key)
    done[key] = result
    return result


def _key(key: object) -> object:
    if key is None or isinstance(key, bool | int | float | str):
        return key
    if isinstance(key, datetime.date):
        return key.isoformat()
    return str(key)


_CONFORMS: type[YamlReader] = RuamelYamlReader
