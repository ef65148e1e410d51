"""grader.spec.blockyaml reads what it accepts exactly as PyYAML (through yamlsafe) does: the same
data, the same types, the same line of every key path. PyYAML is the oracle; the reader may decline
anything, but never read a text otherwise, nor accept one PyYAML refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.errors import SpecError
from grader.spec import blockyaml, yamlsafe

ROOT = Path(__file__).resolve().parent.parent


def _pyyaml(text: str) -> yamlsafe.Document | None:
    """The document as yamlsafe reads it with PyYAML; None when it refuses the text."""
    try:
        return _with_pyyaml(text)
    except SpecError:
        return None


def _with_pyyaml(text: str) -> yamlsafe.Document:
    original = yamlsafe.read
    yamlsafe.read = lambda text: None  # type: ignore[assignment]
    try:
        return yamlsafe.load_text(text, "spec.yaml")
    finally:
        yamlsafe.read = original


def _agrees(text: str) -> bool:
    """Whether the reader declined `text` (False) or read it as PyYAML does (True); fails otherwise."""
    mine = blockyaml.read(text)
    if mine is None:
        return False
    oracle = _pyyaml(text)
    assert oracle is not None, f"accepted a text PyYAML refuses:\n{text}"
    assert repr(mine[0]) == repr(oracle.data), text
    assert mine[1] == oracle.lines, text
    return True


def test_every_spec_of_the_bank_is_read_as_pyyaml_reads_it() -> None:
    specs = sorted(ROOT.glob("problems/**/*.yaml")) + sorted(ROOT.glob("tests/**/*.yaml"))
    read = [_agrees(spec.read_text(encoding="utf-8")) for spec in specs]
    assert sum(read) >= 0.95 * len(read)  # the reader is the path a spec takes, not the exception


TRICKY_SCALARS = [
    "0", "-0", "+1", "12", "007", "08", "0x1F", "0b101", "0o17", "1_000", "1:30", "190:20:30", "1.", "1.5",
    "-2.25", "+.5", ".5", "1e5", "1e-5", "1.5e-3", "1.5E+3", "1.0e5", ".inf", "-.Inf", ".nan", "NaN", "inf",
    "2024-01-01", "2024-1-1", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "20240101",
    "yes", "No", "ON", "off", "y", "n", "true", "False", "TRUE", "null", "Null", "~", "none", "<<", "=",
    "3@128x128", "a: b", "a:b", "a #b", "a#b", "- a", "-a", "-", "?", "? x", ":", "x:", "[a]", "{a}",
    "a, b", "a]", "*x", "&x", "!x", "%x", "@x", "`x", "'a'", '"a"', "'it''s'", '"a\\"b"', '"a\\tb"', '"a\\x41"',
    "θ₁ = 1/2", "‖x‖", "s_i*(1-s_i)", "2*x0", "e^(-x)", "1/3", "10%", "x  ", "  ", "|", ">", "|-", ">+",
]

_PLAIN_KEYS = ["id", "kind", "given", "parts", "a", "b_c", "d-e", "yes", "null", "on", "x.y[0].z", "_u",
               "given.layers[1].out", "N", "Off"]
_KEYS = st.one_of(st.sampled_from(_PLAIN_KEYS), st.sampled_from(_PLAIN_KEYS), st.sampled_from(_PLAIN_KEYS),
                  st.sampled_from(["1", "0x1", "'q'", "k k", "<<", "a:b", "é"]))
_SCALARS = st.one_of(
    st.sampled_from(TRICKY_SCALARS),
    st.text(alphabet="ab1. :#-'\"_e,[]{}θ", min_size=0, max_size=8),  # mostly not YAML at all
    st.text(alphabet="ab01.-_eE+x@θ/* ", min_size=1, max_size=8).map(str.strip).filter(bool),
    st.text(alphabet="ab :#'\"θ", max_size=6).map(lambda t: "'" + t.replace("'", "''") + "'"),
    st.text(alphabet="ab :#'θ", max_size=6).map(lambda t: '"' + t + '"'),
)


def _tree(depth: int = 0) -> st.SearchStrategy:
    if depth >= 3:
        return _SCALARS
    return st.one_of(
        _SCALARS,
        st.lists(st.deferred(lambda: _tree(depth + 1)), min_size=0, max_size=3),
        st.lists(st.tuples(_KEYS, st.deferred(lambda: _tree(depth + 1))), min_size=0, max_size=3),
    )


def _render(node: object, indent: int, style: int) -> list[str]:
    """Lines of `node` as the value below a key (or at the top) at `indent`, in one of a few styles."""
    pad = " " * indent
    if isinstance(node, str):
        return [pad + node]
    if isinstance(node, list) and (not node or not isinstance(node[0], tuple)):
        if style % 3 == 0:
            return [pad + "[" + ", ".join(_flow(x) for x in node) + "]"]
        out: list[str] = []
        for item in node:
            below = _render(item, indent + 2, style + 1)
            first = below[0].lstrip(" ") if below else ""
            out.append(pad + "- " + first)
            out += below[1:]
        return out or [pad + "[]"]
    out = []
    pairs = node if isinstance(node, list) else []
    if style % 4 == 1 and pairs:
        return [pad + "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in pairs) + "}"]
    for key, value in pairs:
        if isinstance(value, str):
            if style % 5 == 2 and value and value[0] not in "|>":
                out += [f"{pad}{key}: |", f"{pad}  {value}", f"{pad}  {value}"]
            elif style % 5 == 3:
                out += [f"{pad}{key}: >-", f"{pad}  {value}", "", f"{pad}  {value}"]
            else:
                out.append(f"{pad}{key}: {value}" + ("  # note" if style % 7 == 4 else ""))
        else:
            out.append(f"{pad}{key}:")
            out += _render(value, indent + 2 if style % 6 != 5 or not isinstance(value, list) else indent, style + 1)
    return out or [pad + "{}"]


def _flow(node: object) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, list) and (not node or not isinstance(node[0], tuple)):
        return "[" + ", ".join(_flow(x) for x in node) + "]"
    return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in node) + "}"  # type: ignore[attr-defined]


def _document(pairs: list, style: int, edits: list) -> str:
    lines = _render(pairs, 0, style)
    for at, text in edits:  # indentation slips, stray comments and dashes: mostly invalid documents
        if lines:
            k = at % len(lines)
            lines[k] = text + lines[k] if at % 2 else lines[k] + (" " + text if text else "")
    return "\n".join(lines) + "\n"


_EDITS = st.lists(st.tuples(st.integers(0, 60), st.sampled_from(["", " ", "  ", "# c", "-", "\t"])), max_size=2)


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.lists(st.tuples(_KEYS, _tree()), min_size=1, max_size=4), st.integers(0, 1000), _EDITS)
def test_a_generated_document_is_read_as_pyyaml_reads_it_or_declined(pairs: list, style: int, edits: list) -> None:
    _agrees(_document(pairs, style, edits))


def test_the_generated_documents_are_mostly_read() -> None:
    """The property above is worth something only if the reader accepts many of its documents."""
    accepted: list[bool] = []

    @settings(max_examples=200, deadline=None, derandomize=True)
    @given(st.lists(st.tuples(_KEYS, _tree()), min_size=1, max_size=4), st.integers(0, 1000))
    def count(pairs: list, style: int) -> None:
        accepted.append(_agrees(_document(pairs, style, [])))

    count()
    assert sum(accepted) >= 0.12 * len(accepted)


@pytest.mark.parametrize("scalar", TRICKY_SCALARS)
def test_each_tricky_scalar_is_read_as_pyyaml_reads_it_or_declined(scalar: str) -> None:
    for text in (f"k: {scalar}\n", f"k: [{scalar}]\n", f"k:\n- {scalar}\n", f"k: {{v: {scalar}}}\n"):
        _agrees(text)


def test_what_specs_hold_is_read_without_pyyaml() -> None:
    text = ("id: t  # the id\nkind: network\ngiven:\n  input: 3@128x128\n  eps: 1e-5\n  layers:\n"
            "    - {name: c, type: conv2d, kernel_size: 3}\n    - name: r\n      type: relu\n"
            "notes: |\n  line one\n\n  line two\nparts:\n- {id: a, ask: params}\n")
    assert _agrees(text)
    data, lines = blockyaml.read(text)  # type: ignore[misc]
    assert data["given"]["eps"] == "1e-5" and data["notes"] == "line one\n\nline two\n"
    assert lines[("given", "layers", 1, "type")] == 9 and lines[("parts", 0)] == 15


def test_a_hostile_or_unusual_text_is_left_to_pyyaml() -> None:
    for text in ("a: &x 1\nb: *x\n", "a: !!python/object:os.system x\n", "<<: {a: 1}\n", "a: 1\na: 2\n",
                 "a: 1\r\nb: 2\n", "a:\tb\n", "--- \na: 1\n", "a: 'multi\n  line'\n", "a: [1,\n  2]\n",
                 "a: plain\n  continued\n", "- a\n- b\n", "a: 2024-01-01\n", "a: 1_000\n", "a: |+\n  x\n\n",
                 "? a\n: b\n", "a: " + "[" * 70 + "]" * 70 + "\n", "a: b\u2028c\n", "a: b\x85c\n",
                 "\ufeffa: 1\n", "a: b\u00a0c\n"):
        assert blockyaml.read(text) is None, text


def test_a_merge_of_a_scalar_is_a_spec_error_not_a_traceback() -> None:
    with pytest.raises(SpecError, match="not valid YAML: expected a mapping"):
        yamlsafe.load_text("<<: 0\n", "spec.yaml")


def test_a_spec_check_imports_no_pyyaml(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = ("import sys; from grader.spec.loader import load_problem; "
            f"load_problem({str(ROOT / 'problems/rec6/rec6-cnn.yaml')!r}); print('yaml' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert run.stdout.strip() == "False", run.stderr


_SPECS = sorted(ROOT.glob("problems/**/*.yaml"))


@settings(max_examples=600, deadline=None, derandomize=True)
@given(st.sampled_from(_SPECS), st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(
    ["", " ", "  ", "#", " # x", "-", "- ", ":", ": ", "'", '"', "[", "]", "{", "}", ",", "|", ">", "&a ", "*a",
     "!", "0x", "1_", ".", "e-5", "\n", "\n  ", "\n- x", "yes", "~", "<<: ", "..."])), min_size=1, max_size=3))
def test_an_edited_spec_is_read_as_pyyaml_reads_it_or_declined(spec: Path, edits: list) -> None:
    text = spec.read_text(encoding="utf-8")
    for at, piece in edits:  # a character typed, or one deleted, somewhere in a real spec
        k = at % (len(text) + 1)
        text = text[:k] + piece + text[k:] if piece else text[:k] + text[k + 1:]
    _agrees(text)
