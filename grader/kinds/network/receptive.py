"""Receptive fields on stacks and graphs.

The textbook recurrence r ← r + (k − 1)·d·j, j ← j·s (from r = j = 1, image borders ignored) gives
the receptive field of a stack. On a graph a unit sees what each path from the input to it sees:
the union over the paths. When the branches are centred on the same position (convolutions
padded (k − 1)/2, as in ResNet, Inception and U-Net) that union is what the path with the largest
recurrence sees — the receptive field along the longest path, as Araujo et al. (Distill, 2019)
compute it for multi-path networks — and the steps follow that path.

The answer is computed exactly, by following which input positions one output unit reads through
every layer (windows o·s − p + t·d; a transposed convolution's inputs i with i·s − p + t·d = o; a
nearest upsampling's ⌊o/f⌋), for the output positions of one period, borders ignored: the side of
the input region one unit sees, the largest over positions. That is the recurrence's value on
every stack without transposed convolutions or upsampling; through those, whose units read a
varying number of inputs, the recurrence with the fractional jump j/s (Dumoulin & Visin's view of a
transposed convolution as a stride-1/s convolution) is shown beside the exact value.
"""

from __future__ import annotations

from fractions import Fraction
from math import floor

from ... import formula as F
from ...errors import SolveError
from ...problem import Part
from ...solution import PartSolution, Step
from .expr import num, num_text
from .model import Layer, Net, Segments

MAX_PERIOD = 64  # output positions tried (the maps repeat with the product of the upsampling factors)


def _ancestors(net: Net, target: Layer) -> list[Layer]:
    """The layers on some path from the input to `target`, in order (target last)."""
    by_name = {layer.name: layer for layer in net.layers}
    keep = {target.name}
    for layer in reversed(net.layers[:target.index + 1]):
        if layer.name in keep:
            keep.update(src for src in layer.inputs if src != "input")
    return [by_name[name] for name in (layer.name for layer in net.layers) if name in keep]


def _reads(layer: Layer, axis: int, o: int) -> list[int]:
    """The input positions output position `o` of `layer` reads along one axis (borders ignored)."""
    k, s, d = layer.rf[axis] if layer.rf else (1, 1, 1)
    p = layer.rf_offsets[axis] if layer.rf_offsets else 0
    if layer.rf_kind == "transposed":
        return [(o + p - t * d) // s for t in range(k) if (o + p - t * d) % s == 0]
    if layer.rf_kind == "nearest":
        return [floor(Fraction(o, s))]
    return [o * s - p + t * d for t in range(k)]


def _exact_span(net: Net, chain: list[Layer], axis: int) -> int:
    """The largest span, over output positions of `chain[-1]`, of the input positions it reads."""
    period = 1
    for layer in chain:
        if layer.rf_kind != "window" and layer.rf:
            period *= layer.rf[axis][1]
    best = 0
    for o in range(min(period, MAX_PERIOD)):
        need: dict[str, set[int]] = {chain[-1].name: {o}}
        for layer in reversed(chain):
            here = need.pop(layer.name, set())
            if not here:
                continue
            reads: set[int] = set()
            for q in here:
                reads.update(_reads(layer, axis, q))
            for src in layer.inputs:
                need.setdefault(src, set()).update(reads)
        seen = need.get("input", set())
        if seen:
            best = max(best, max(seen) - min(seen) + 1)
    return best


def _paths(chain: list[Layer], axis: int) -> dict[str, dict[Fraction, tuple[Fraction, tuple[str, ...]]]]:
    """Per node: for every jump j a path can have there, the largest recurrence r and that path."""
    states: dict[str, dict[Fraction, tuple[Fraction, tuple[str, ...]]]] = {"input": {Fraction(1): (Fraction(1), ())}}
    for layer in chain:
        merged: dict[Fraction, tuple[Fraction, tuple[str, ...]]] = {}
        for src in layer.inputs:
            for j, (r, path) in states[src].items():
                if j not in merged or r > merged[j][0]:
                    merged[j] = (r, path)
        k, s, d = layer.rf[axis] if layer.rf else (1, 1, 1)
        out: dict[Fraction, tuple[Fraction, tuple[str, ...]]] = {}
        for j, (r, path) in merged.items():
            if layer.rf_kind == "window":
                nr, nj = r + (k - 1) * d * j, j * s
            else:  # a transposed conv: zeros between the inputs (jump j/s), then a stride-1 window
                nj = j / s
                nr = r + (k - 1) * d * nj
            grows = (k, s) != (1, 1)
            if nj not in out or nr > out[nj][0]:
                out[nj] = (nr, path + ((layer.name,) if grows else ()))
        states[layer.name] = out
    return states


def receptive_field(net: Net, target: Layer, part: Part, axis_arg: str | None) -> PartSolution:
    n_axes = max(len(net.input_shape) - 1, 1)
    axis_names = ["h", "w"] if n_axes == 2 else ["d", "h", "w"] if n_axes == 3 else ["l"]
    chain = _ancestors(net, target)
    for layer in chain:
        if layer.rf is None:
            reason = layer.rf_reason or "it has no feature map"
            raise SolveError(f"the receptive field cannot be followed through {layer.name} ({layer.type}): {reason}",
                             part.path + ("layer",))
        if len(layer.rf) != n_axes:
            raise SolveError(f"{layer.name} has {len(layer.rf)} spatial axes but the input has {n_axes}", part.path + ("layer",))
    graph = any(len(layer.inputs) > 1 for layer in chain)
    transposed = any(layer.rf_kind != "window" for layer in chain)
    states = _paths(chain, 0) if n_axes == 1 else None
    per_axis = [_paths(chain, a)[target.name] for a in range(n_axes)] if states is None else [states[target.name]]
    best = [max(st.values(), key=lambda v: v[0]) for st in per_axis]
    exact = [_exact_span(net, chain, a) for a in range(n_axes)]
    r_, j_, k_, d_, s_ = (F.Sym(x) for x in "rjkds")
    grows = (k_ - 1) * d_ * j_
    steps = [Step.of("Receptive field by the recurrence ", F.Rel((r_, r_ + grows), ("←",)), ", ",
                     F.Rel((j_, j_ * s_), ("←",)), ", from ", F.eq(r_, 1), ", ", F.eq(j_, 1), " (image borders ignored)")]
    if graph:
        steps.append(Step.of(f"On a graph a unit sees the union of what every path from the input sees; with the branches "
                             f"centred on the same position that is the receptive field along the path with the largest r "
                             f"(Araujo et al. 2019). That path: input → {' → '.join(best[0][1]) or target.name}"))
    if transposed:
        steps.append(Step.of("A transposed convolution (or nearest upsampling) with stride s puts ", s_ - 1,
                             " positions between its inputs: the jump becomes ", j_ / s_, ", and then its window adds ", grows))
    by_name = {layer.name: layer for layer in chain}
    r = [Fraction(1)] * n_axes
    j = [Fraction(1)] * n_axes
    for name in best[0][1]:
        layer = by_name[name]
        rf = layer.rf or []
        lines: list[Segments] = []
        alike = n_axes == 2 and (r[0], j[0], rf[0]) == (r[1], j[1], rf[1])  # one line for h and w
        for a, (k, s, d) in enumerate(rf):
            names = ["_h", "_w"] if alike else [f"_{axis_names[a]}" if n_axes > 1 else ""]
            rs, js = [F.Sym(f"r{ax}") for ax in names], [F.Sym(f"j{ax}") for ax in names]
            if layer.rf_kind == "window":
                new_r, new_j = r[a] + (k - 1) * d * j[a], j[a] * s
                lines.append((F.eq(*rs, num(r[a]) + (F.Num(k) - 1) * d * num(j[a]), num(new_r)), ", ",
                              F.eq(*js, num(j[a]) * s, num(new_j))))
            else:
                new_j = j[a] / s
                new_r = r[a] + (k - 1) * d * new_j
                lines.append((F.eq(*js, num(j[a]) / s, num(new_j)), ", ",
                              F.eq(*rs, num(r[a]) + (F.Num(k) - 1) * d * num(new_j), num(new_r))))
            r[a], j[a] = new_r, new_j
        if alike:
            del lines[1]
        kind = "transposed, " if layer.rf_kind == "transposed" else "nearest upsampling, " if layer.rf_kind == "nearest" else ""
        head = (f"{layer.name} ({kind}k={rf[0][0]}, s={rf[0][1]}, d={rf[0][2]}): " if len(set(rf)) == 1
                else f"{layer.name}: ")
        segments: Segments = (head,)
        for n, line in enumerate(lines):
            segments += (("; ",) if n else ()) + line
        steps.append(Step.of(*segments))
    for a in range(1, n_axes):
        if best[a][1] != best[0][1]:
            ax = axis_names[a]
            steps.append(Step.of(f"along {ax} the largest path is input → {' → '.join(best[a][1])}: ",
                                 F.eq(F.Sym(f"r_{ax}"), num(best[a][0]))))
    for a in range(n_axes):
        rec = best[a][0]
        ax = f" along {axis_names[a]}" if n_axes > 1 else ""
        if exact[a] != rec:
            if transposed:
                why = ("the units of a transposed convolution read a varying number of inputs, so the recurrence's "
                       f"{num_text(rec)} is not a count of pixels; following which inputs each output position reads, "
                       f"the most one unit sees{ax} is {exact[a]}")
            else:
                why = (f"the branches are not centred on the same position, so their regions do not nest: together one "
                       f"unit sees {exact[a]} input positions{ax}, more than the longest path's {num_text(rec)}")
            steps.append(Step.of(why))
    axis = axis_arg
    if axis is not None:
        if axis not in axis_names:
            raise SolveError(f"axis must be one of {', '.join(axis_names)} here", part.path + ("axis",))
        value = exact[axis_names.index(axis)]
    else:
        if len(set(exact)) > 1:
            raise SolveError(f"the receptive field is {' x '.join(map(str, exact))} (not square): ask for one axis with "
                             f"`axis: {axis_names[0]}` or `axis: {axis_names[-1]}`", part.path)
        value = exact[0]
    if n_axes == 1:
        seen = f"one unit of {target.name} sees {value} consecutive input positions"
    elif axis is None:
        seen = f"one unit of {target.name} sees {value} input pixels along each side"
    else:
        seen = f"one unit of {target.name} sees {value} input pixels along {axis}"
    steps.append(Step.of(seen))
    return part.solution("integer", value, steps=steps)


__all__ = ["receptive_field"]
