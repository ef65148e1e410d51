"""Solving a network problem: the shared shape table, then each part with its steps and the
values its known mistakes produce."""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ... import formula as F
from ...errors import SolveError
from ...problem import Part, Problem
from ...solution import Alternative, PartSolution, Solution, Step, Table
from .expr import E, N, Prod, Sum, Value, equation, num, num_text, total
from .model import Layer, Net, analyze, shape_math, shape_text

NET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


# ---------------------------------------------------------------------------------------------
# the networks of a problem


class Networks:
    """The analysed networks of a problem, by name, with their merged specs."""

    def __init__(self, given: dict[str, Any]):
        self.specs: dict[str, tuple[dict[str, Any], tuple]] = {}
        if given.get("networks") is None:
            self.specs["network"] = (given, ("given",))
            self.single = True
        else:
            self.single = False
            for name, net in given["networks"].items():
                if not NET_NAME.fullmatch(str(name)):
                    raise SolveError("a network name is letters, digits, '_', '.' and '-'", ("given", "networks", name))
                merged = dict(net)
                for key in ("input", "bias", "convention", "data_format"):
                    if merged.get(key) is None:
                        merged[key] = given.get(key)
                self.specs[str(name)] = (merged, ("given", "networks", name))
        self.nets: dict[str, Net] = {name: analyze(spec, name, path) for name, (spec, path) in self.specs.items()}
        self._no_expansion: dict[str, Net | None] = {}

    def pick(self, part: Part, key: str = "network") -> Net:
        name = part.args.get(key)
        if name is None:
            if self.single:
                return self.nets["network"]
            raise SolveError(f"this problem has several networks ({', '.join(self.nets)}): say which with `{key}:`",
                             part.path)
        if name not in self.nets:
            where = "one network (leave `network:` out)" if self.single else ", ".join(self.nets)
            raise SolveError(f"no network named {name!r} (this problem has {where})", part.path + (key,))
        return self.nets[name]

    def rerun(self, net: Net, rounding: tuple[str, int | None], stop: int) -> Net | None:
        """The network up to layer `stop` with the sizes of layer rounding[1] (every layer when None)
        rounded as rounding[0] says; None when that gives nothing other than `net` (no size of those
        layers was rounded: every division came out whole) or fails."""
        which = rounding[1]
        if not any(layer.rounds for layer in (net.layers[which:which + 1] if which is not None else net.layers[:stop + 1])):
            return None
        spec, path = self.specs[net.name]
        try:
            return analyze(spec, net.name, path, rounding=rounding, stop=stop)
        except (SolveError, ZeroDivisionError, ValueError, TypeError):
            return None

    def no_expansion(self, net: Net) -> Net | None:
        """The network with every block argument `expansion` set to 1 (a bottleneck's expansion left
        out), when some block has one that is not 1."""
        spec, _ = self.specs[net.name]
        source = spec.get("_source")
        if source is None or not any("expansion" in block.get("args", {}) for block, _ in source[2].values()):
            return None
        if net.name not in self._no_expansion:
            self._no_expansion[net.name] = self.variant(net, overrides={"expansion": 1})
        return self._no_expansion[net.name]

    def variant(self, net: Net, *, add_as_concat: bool = False, overrides: dict[str, Any] | None = None) -> Net | None:
        """The network as a mistake computes it (every add a concat; block arguments forced), or None."""
        from .graph import reexpand

        spec, path = self.specs[net.name]
        if overrides:
            again = reexpand(spec, overrides)
            if again is None:
                return None
            spec = again
        try:  # a student who drops the expansion does not notice that the add no longer fits
            return analyze(spec, net.name, path, add_as_concat=add_as_concat, lenient_adds=bool(overrides))
        except (SolveError, ZeroDivisionError, ValueError, TypeError, KeyError):
            return None


def _layer(net: Net, part: Part, key: str, name: str) -> Layer:
    layer = net.find(name)
    if layer is None:
        names = [layer.name for layer in net.layers]
        listing = ", ".join(names) if len(names) <= 40 else ", ".join(names[:40]) + f", ... ({len(names)} in all)"
        uses = [n for n in net.instances if "." not in n]
        extra = f"; block uses: {', '.join(uses)}" if uses else ""
        raise SolveError(f"no layer named {name!r} (the layers are: {listing}{extra})", part.path + (key,))
    return layer


def _named_or_last(nets: Networks, part: Part) -> tuple[Net, Layer]:
    """The part's network and the layer its `layer:` names (default: the last one)."""
    net = nets.pick(part)
    name = part.args.get("layer")
    return net, _layer(net, part, "layer", name) if name is not None else net.layers[-1]


def _picked(nets: Networks, part: Part) -> tuple[Net, list[Layer], bool]:
    """The part's network, the layers it names (default: every layer) and whether it named them."""
    net = nets.pick(part)
    return (net, *_select(net, part, lambda layer: True))


def _select(net: Net, part: Part, default: Callable[[Layer], bool]) -> tuple[list[Layer], bool]:
    """The layers a part names with `layer:` / `layers:` (names, or "type:conv2d"), or the default ones.

    Returns (layers, explicitly named)."""
    one, many = part.args.get("layer"), part.args.get("layers")
    if one is not None and many is not None:
        raise SolveError("give `layer:` or `layers:`, not both", part.path + ("layers",))
    refs: tuple[str, ...] | None = (one,) if one is not None else many
    if refs is None:
        return [layer for layer in net.layers if default(layer)], False
    key = "layer" if one is not None else "layers"
    out: list[Layer] = []
    for ref in refs:
        found = _refer(net, part, key, ref)
        out.extend(layer for layer in found if layer not in out)
    # a block use named as a whole selects its layers; those without parameters go unmentioned
    return out, not any(ref in net.instances for ref in refs)


def _refer(net: Net, part: Part, key: str, ref: str) -> list[Layer]:
    """The layers one reference names: a layer, every layer of a block use, or every layer of a type."""
    if ref.startswith("type:"):
        t = ref[5:].strip()
        found = [layer for layer in net.layers if layer.type == t]
        if not found:
            raise SolveError(f"no layer of type {t!r} in this network", part.path + (key,))
        return found
    if ref in net.instances:
        names = set(net.instances[ref])
        return [layer for layer in net.layers if layer.name in names]
    return [_layer(net, part, key, ref)]


def _title(layer: Layer) -> str:
    return layer.name if layer.name.startswith(layer.type + "-") else f"{layer.name} ({layer.type})"


def _shape(net: Net, layer: Layer | None) -> str:
    if layer is None:
        return shape_text(net.input_shape, net.input_image, net.channels_last)
    return shape_text(layer.out_shape, layer.image, net.channels_last)


def _shape_math(net: Net, layer: Layer | None) -> F.Math:
    if layer is None:
        return shape_math(net.input_shape, net.input_image, net.channels_last)
    return shape_math(layer.out_shape, layer.image, net.channels_last)


def _pct(x: Fraction) -> F.Math:
    return F.Words(f"{float(x) * 100:.2f}%")  # a percentage, as words: % would begin a LaTeX comment


def _approx(x: Fraction) -> F.Num:
    return F.Num(f"{float(x):.6g}")


# ---------------------------------------------------------------------------------------------
# shared steps


def table_step(nets: Networks) -> list[Step]:
    steps = []
    for name, net in nets.nets.items():
        graph = net.is_graph
        rows = [["input", "", *([""] if graph else []), _shape(net, None), ""]]
        prev = "input"
        for layer in net.layers:
            inputs = ", ".join(layer.inputs) if layer.inputs != [prev] else ""
            params = num_text(layer.params) + (" (frozen)" if layer.frozen and layer.params else "")
            rows.append([layer.name, layer.type, *([inputs] if graph else []), _shape(net, layer), params])
            prev = layer.name
        tot = sum((layer.params for layer in net.layers), 0)
        rows.append(["total", "", *([""] if graph else []), "", num_text(tot)])
        layout = "H×W×C, channels last" if net.channels_last else "C@H×W, channels first"
        what = "node of the graph" if graph else "layer"
        head = f"Shapes after every {what}" if nets.single else f"Network {name}: shapes after every {what}"
        conv = f"; {net.convention} convention" if net.convention != "pytorch" else ""
        title = f"{head} (no batch dimension; feature maps as {layout}{conv})"
        if graph:
            title += "; `from` lists a node's inputs where it is not the node above"
        columns = ["layer", "type", *(["from"] if graph else []), "output shape", "params"]
        steps.append(Step.of(title, table=Table(columns, rows)))
        merges = [Step.of(f"{layer.name} ", *layer.merge_line) for layer in net.layers if layer.merge_line]
        if merges:
            steps.append(Step.of("Where shapes merge:"))
            steps.extend(merges)
    return steps


# ---------------------------------------------------------------------------------------------
# parts


def _sum_line(label: str, items: list[tuple[str, Value]], value: Value) -> Step:
    if len(items) <= 1:
        return Step.of(F.eq(F.Words(label), num(value)))
    return Step.of(F.eq(F.Words(label), F.Add(tuple(num(v) for _, v in items)), num(value)))


def _param_expr(layer: Layer, include_bias: bool, nic: bool = False) -> E | None:
    terms = [e for e, b in layer.param_terms if include_bias or not b]
    if nic and layer.weights_nic is not None:
        terms = [layer.weights_nic] + [e for e, b in layer.param_terms if b and include_bias]
    if not terms:
        return None
    return total(terms)


GROUP_ABOVE = 12  # more layers with parameters than this: one line per block use, not per layer


def units_of(net: Net) -> dict[str, str]:
    """node name -> the outermost block use holding it (a `repeat` counts each repetition)."""
    out: dict[str, str] = {}
    for inst in sorted(net.instances, key=len, reverse=True):
        if net.instance_blocks.get(inst):
            for name in net.instances[inst]:
                out[name] = inst
    return out


def _grouped_steps(net: Net, layers: list[Layer], value_of: Callable[[Layer], Value], what: str,
                   exprs: dict[str, E] | None = None) -> tuple[list[Step], Value]:
    """One line per block use (its layers' counts summed), one per layer outside blocks."""
    units = units_of(net)
    groups: list[tuple[str, list[tuple[Layer, Value]]]] = []
    for layer in layers:
        v = value_of(layer)
        key = units.get(layer.name, layer.name)
        if groups and groups[-1][0] == key:
            groups[-1][1].append((layer, v))
        else:
            groups.append((key, [(layer, v)]))
    steps: list[Step] = []
    items: list[tuple[str, Value]] = []
    k = 0
    while k < len(groups):
        key, members = groups[k]
        block = net.instance_blocks.get(key, "")
        nonzero = [(layer, v) for layer, v in members if v]
        sub: Value = sum((v for _, v in members), 0)
        # consecutive uses of one block with the same counts: one line
        same = [key]
        while (k + len(same) < len(groups) and block and net.instance_blocks.get(groups[k + len(same)][0]) == block
               and [v for _, v in groups[k + len(same)][1]] == [v for _, v in members]):
            same.append(groups[k + len(same)][0])
        if block:
            label = F.Words(", ".join(same) + f" (block {block}" + (", each)" if len(same) > 1 else ")") + f": {what}")
            # each term named by its layer within the block: conv1 1728 + bn1 128
            inner = F.Add(tuple(F.Words(f"{layer.name[len(key) + 1:]} {num_text(v)}") for layer, v in nonzero))
            steps.append(Step.of(F.eq(label, inner, num(sub)) if len(nonzero) > 1 else F.eq(label, num(sub))))
        elif sub:
            expr = (exprs or {}).get(key)
            label_text = f"{_title(members[0][0])}: {what}"
            steps.append(Step.of(equation(label_text, expr) if expr is not None else F.eq(F.Words(label_text), num(sub))))
        for name in same:
            if sub:
                items.append((name, sub))
        k += len(same)
    value = sum((v for _, v in items), 0)
    if len(items) > 1:
        steps.append(_sum_line(f"total {what}", items, value))
    return steps, value


def _param_steps(layers: list[Layer], include_bias: bool, explicit: bool, what: str = "params",
                 net: Net | None = None) -> tuple[list[Step], Value]:
    if not include_bias:
        what = "weights"
    with_params = [layer for layer in layers if _param_expr(layer, include_bias) is not None]
    if net is not None and net.instances and len(with_params) > GROUP_ABOVE:
        exprs = {layer.name: e for layer in layers if (e := _param_expr(layer, include_bias)) is not None}
        return _grouped_steps(net, layers, lambda layer: exprs[layer.name].value if layer.name in exprs else 0, what, exprs)
    steps: list[Step] = []
    notes_shown: set[str] = set()
    items: list[tuple[str, Value]] = []
    empty: list[str] = []
    for layer in layers:
        expr = _param_expr(layer, include_bias)
        if expr is None:
            if explicit:
                note = f" ({layer.param_note})" if layer.param_note else ""
                steps.append(Step.of(f"{_title(layer)}: no {what}{note}"))
                items.append((layer.name, 0))
            else:
                empty.append(layer.name)
            continue
        labelled = [(lab, e) for lab, (e, b) in zip(layer.param_labels, layer.param_terms) if include_bias or not b]
        if len(layer.param_labels) == len(layer.param_terms) and len(labelled) > 4:
            for lab, e in labelled:  # one line per weight matrix / bias vector
                steps.append(Step.of(equation(f"{layer.name} {lab}", e)))
            steps.append(_sum_line(f"{_title(layer)}: {what}", [(lab, e.value) for lab, e in labelled], expr.value))
        else:
            which = ""
            if len(layer.param_labels) == len(layer.param_terms) and len(layer.param_terms) > 2 and include_bias:
                which = " (" + " + ".join(layer.param_labels) + ")"
            elif include_bias and layer.biases and what == "params":
                which = f" ({num_text(layer.weights)} weights + {num_text(layer.biases)} biases)"
            steps.append(Step.of(equation(f"{_title(layer)}: {what}", expr), which))
        if layer.param_note and layer.type not in ("conv2d", "conv1d", "linear") and layer.param_note not in notes_shown:
            notes_shown.add(layer.param_note)
            steps.append(Step.of(layer.param_note))
        items.append((layer.name, expr.value))
    value = sum((v for _, v in items), 0)
    if empty and not explicit:
        steps.append(Step.of(f"{', '.join(empty)}: no {what}"))
    if len(items) > 1:
        steps.append(_sum_line(f"total {what}", items, value))
    return steps, value


def q_output_shape(nets: Networks, part: Part) -> PartSolution:
    net, layer = _named_or_last(nets, part)
    name = part.args.get("layer")
    spatial = bool(part.args.get("spatial"))
    steps = []
    if name is not None and name in net.instances:
        block = net.instance_blocks.get(name)
        what = f"block {block}" if block else "the repeated block"
        steps.append(Step.of(f"The output of {name} (a use of {what}) is the output of its last layer, {layer.name}"))
    sources = [(src, net.find(src) if src != "input" else None) for src in layer.inputs]
    if len(sources) == 1:
        src, prev = sources[0]
        steps.append(Step.of(f"Input to {_title(layer)}: ", _shape_math(net, prev),
                             f" (the output of {src})" if prev else " (the network input)"))
    else:
        listing: list[str | F.Math] = [f"Inputs to {_title(layer)}: "]
        for k, (src, prev) in enumerate(sources):
            listing += [(", " if k else "") + f"{src} ", _shape_math(net, prev)]
        steps.append(Step.of(*listing))
    for k, line in enumerate(layer.shape_lines):
        steps.append(Step.of(f"{layer.name}: ", *line) if k == 0 else Step.of(*line))
    shape = tuple(layer.out_shape)
    value: tuple[Value, ...] = shape
    if spatial:
        if not layer.image:
            raise SolveError(f"{layer.name}'s output {shape_text(shape)} is not a feature map; leave `spatial` out",
                             part.path + ("spatial",))
        value = shape[:-1] if net.channels_last else shape[1:]
        answer = shape_text(value)
        steps.append(Step.of(f"Output size of {layer.name} (without the channels): ", shape_math(value)))
    else:
        answer = _shape(net, layer)
        steps.append(Step.of(f"Output of {layer.name}: ", _shape_math(net, layer)))
    alts: list[Alternative] = []

    def add(mistake: str, alt: tuple[Value, ...]) -> None:
        if tuple(alt) != tuple(value) and all(tuple(a.value) != tuple(alt) for a in alts):
            alts.append(Alternative(mistake, tuple(alt)))

    if layer.image and not spatial and len(shape) in (2, 3):
        if net.channels_last:
            add("layout-chw", shape[-1:] + shape[:-1])
        else:
            add("layout-hwc", shape[1:] + shape[:1])
    if any(other.type == "add" for other in net.layers[:layer.index + 1]):
        concat = nets.variant(net, add_as_concat=True)
        if concat is not None:
            alt_shape = tuple(concat.layers[layer.index].out_shape)
            if spatial:
                alt_shape = alt_shape[:-1] if net.channels_last else alt_shape[1:]
            add("concat-for-add", alt_shape)
    expansion = nets.no_expansion(net)
    if expansion is not None:
        found = expansion.find(layer.name)
        if found is not None:
            alt2 = tuple(found.out_shape)
            add("no-expansion", alt2[:-1] if spatial and net.channels_last else alt2[1:] if spatial else alt2)
    for how in ("exact", "ceil"):
        for which in (layer.index, None):
            other = nets.rerun(net, (how, which), layer.index)
            if other is None or len(other.layers) <= layer.index:
                continue
            o = other.layers[layer.index]
            alt = tuple(o.out_shape)
            if spatial:
                alt = alt[:-1] if net.channels_last else alt[1:]
            add("no-floor", alt)
            if how == "exact" and any(isinstance(v, Fraction) and v.denominator != 1 for v in alt):
                for rounded in _decimal_forms(alt):
                    add("no-floor", rounded)
    return part.solution("shape", tuple(int(v) for v in value), answer=answer, steps=steps, alternatives=alts)


def _decimal_forms(shape: tuple[Value, ...]) -> list[tuple[Value, ...]]:
    """How a student writes a fractional size in decimals: rounded to 1-3 places or cut at 2."""
    out: list[tuple[Value, ...]] = []
    for places in (1, 2, 3):
        scale = 10 ** places
        out.append(tuple(Fraction(int(Fraction(v) * scale + Fraction(1, 2)), scale) for v in shape))
    out.append(tuple(Fraction(int(Fraction(v) * 100), 100) for v in shape))
    return out


def _include_bias(part: Part, default: bool = True) -> bool:
    v = part.args.get("include_bias")
    return default if v is None else bool(v)


def q_params(nets: Networks, part: Part) -> PartSolution:
    net, layers, explicit = _picked(nets, part)
    include_bias = _include_bias(part)
    trainable_only = part.args.get("trainable") is not False
    with_buffers = bool(part.args.get("buffers"))
    frozen = [layer for layer in layers if layer.frozen and layer.params]
    counted = [layer for layer in layers if not (trainable_only and layer.frozen)]
    steps, value = _param_steps(counted, include_bias, explicit, net=net)
    if not include_bias:
        steps.insert(0, Step.of("Weights only (include_bias: false): the biases are not counted"))
    if trainable_only and frozen:
        names = ", ".join(layer.name for layer in frozen)
        steps.insert(0, Step.of(f"Trainable parameters only: {names} (trainable: false) are frozen and not counted"))
    extra: list[tuple[str, Value]] = []
    if not trainable_only:
        for layer in layers:
            if layer.non_trainable:
                extra.append((f"{layer.name} moving mean and variance", layer.non_trainable))
        if frozen or extra:
            head = ("All parameters, trainable or not (Keras' \"Total params\")" if net.convention == "keras"
                    else "All parameters, trainable or not")
            steps.insert(0, Step.of(head))
    if with_buffers:
        for layer in layers:
            if layer.buffers:
                extra.append((f"{layer.name} buffers", layer.buffers))
    if extra:
        for label, v in extra:
            what = ("2·C non-trainable weights (Keras keeps the moving statistics as weights)" if "moving" in label
                    else "running_mean and running_var (C each) + num_batches_tracked (1)")
            steps.append(Step.of(f"{label}: ", num(v), f" ({what})"))
        items = [("params", value)] + extra
        value = sum((v for _, v in items), 0)
        steps.append(_sum_line("total", items, value))
    alts = []
    if include_bias:
        no_bias = sum((layer.weights for layer in counted), 0) + sum((v for _, v in extra), 0)
        if no_bias != value:
            alts.append(Alternative("no-bias", no_bias))
    nic = _nic_total(counted, include_bias) + sum((v for _, v in extra), 0)
    if nic != value:
        alts.append(Alternative("no-input-channels", nic))
    if include_bias and any(layer.biases_other_convention is not None for layer in counted):
        other = sum((layer.weights + (layer.biases if layer.biases_other_convention is None
                                      else layer.biases_other_convention) for layer in counted), 0)
        if other != value:
            alts.append(Alternative("rnn-bias-count", other))
    if frozen and trainable_only:
        alts.append(Alternative("frozen-counted", value + sum((layer.params for layer in frozen), 0)))
    if not trainable_only and any(layer.non_trainable for layer in layers):
        alts.append(Alternative("trainable-only", value - sum((layer.non_trainable for layer in layers), 0)))
    alts += _graph_param_alternatives(nets, net, counted, value, include_bias)
    return part.solution("integer", value, steps=steps, alternatives=alts)


def _graph_param_alternatives(nets: Networks, net: Net, layers: list[Layer], value: Value,
                              include_bias: bool) -> list[Alternative]:
    """The graph mistakes: a projection shortcut counted as free, adds taken for concats, a
    bottleneck's expansion left out (the same layers, counted in the mistaken network)."""
    alts = []
    shortcut = shortcut_layers(net)
    chosen = {layer.name for layer in layers}
    free = sum((_param_value(layer, include_bias) for layer in layers if layer.name in shortcut), 0)
    if free:
        alts.append(Alternative("shortcut-no-params", value - free))
    for mistake, other in (("concat-for-add", nets.variant(net, add_as_concat=True) if any(
            layer.type == "add" for layer in net.layers) else None), ("no-expansion", nets.no_expansion(net))):
        if other is None:
            continue
        alt = sum((_param_value(layer, include_bias) for layer in other.layers if layer.name in chosen), 0)
        if alt != value:
            alts.append(Alternative(mistake, alt))
    return alts


def _param_value(layer: Layer, include_bias: bool) -> Value:
    expr = _param_expr(layer, include_bias)
    return expr.value if expr is not None else 0


def shortcut_layers(net: Net) -> set[str]:
    """Layers on the shortcut branch of an add: of the add's input branches since their last common
    node, the one with the fewest layers (a projection shortcut: a 1×1 conv and its batch norm)."""
    by_name = {layer.name: layer for layer in net.layers}
    ancestors: dict[str, set[str]] = {"input": set()}
    for layer in net.layers:
        acc: set[str] = set()
        for src in layer.inputs:
            acc |= ancestors[src] | {src}
        ancestors[layer.name] = acc
    out: set[str] = set()
    for layer in net.layers:
        if layer.type != "add":
            continue
        reach = [ancestors[src] | {src} for src in layer.inputs]
        common = set.intersection(*reach)
        index = {name: by_name[name].index if name in by_name else -1 for name in common}
        fork = max(common, key=lambda n: index[n]) if common else None
        below = (ancestors[fork] | {fork}) if fork is not None else set()
        branches = [r - below for r in reach]
        shortest = min(branches, key=len)
        if sum(1 for b in branches if len(b) == len(shortest)) == 1:
            out |= {n for n in shortest if n in by_name and by_name[n].params}
    return out


def _nic_total(layers: list[Layer], include_bias: bool) -> Value:
    out: Value = 0
    for layer in layers:
        expr = _param_expr(layer, include_bias, nic=True)
        out += expr.value if expr is not None else 0
    return out


def q_weights(nets: Networks, part: Part) -> PartSolution:
    net, layers, explicit = _picked(nets, part)
    steps, value = _param_steps(layers, False, explicit, what="weights")
    alts = []
    nic = _nic_total(layers, False)
    if nic != value:
        alts.append(Alternative("no-input-channels", nic))
    return part.solution("integer", value, steps=steps, alternatives=alts)


def q_biases(nets: Networks, part: Part) -> PartSolution:
    net, layers, explicit = _picked(nets, part)
    steps = []
    items: list[tuple[str, Value]] = []
    for layer in layers:
        b = [e for e, isb in layer.param_terms if isb]
        if not b and not explicit:
            continue
        if not b:
            steps.append(Step.of(f"{_title(layer)}: no biases"))
            items.append((layer.name, 0))
            continue
        steps.append(Step.of(equation(f"{_title(layer)}: biases", total(b))))
        items.append((layer.name, total(b).value))
    value = sum((v for _, v in items), 0)
    if len(items) > 1:
        steps.append(_sum_line("total biases", items, value))
    if not items:
        steps.append(Step.of("no layer has a bias"))
    return part.solution("integer", value, steps=steps)


def _numel(shape: tuple[Value, ...]) -> Value:
    out: Value = 1
    for v in shape:
        out *= v
    return out


def q_neurons(nets: Networks, part: Part) -> PartSolution:
    net = nets.pick(part)
    layers, explicit = _select(net, part, lambda layer: layer.neurons)
    steps, items = [], []
    for layer in layers:
        if not layer.neurons:
            raise SolveError(f"{layer.name} is a {layer.type} layer: neurons are counted for conv and linear layers "
                             "(their output units)", part.path + ("layers" if part.args.get("layers") else "layer",))
        n = _numel(layer.out_shape)
        units = F.eq(F.Mul(tuple(num(v) for v in layer.out_shape)), num(n)) if len(layer.out_shape) > 1 else num(n)
        steps.append(Step.of(f"{_title(layer)}: ", units, " output units"))
        items.append((layer.name, n))
    value = sum((v for _, v in items), 0)
    if not explicit:
        steps.insert(0, Step.of("Neurons are the output units of the conv and linear layers (the input is not counted)"))
    if len(items) > 1:
        steps.append(_sum_line("total neurons", items, value))
    return part.solution("integer", value, steps=steps)


def q_params_share(nets: Networks, part: Part) -> PartSolution:
    net, layers, _ = _picked(nets, part)
    include_bias = _include_bias(part)
    steps, sel = _param_steps(layers, include_bias, True, net=net)
    all_layers = net.layers
    tot: Value = 0
    for layer in all_layers:
        expr = _param_expr(layer, include_bias)
        tot += expr.value if expr is not None else 0
    if tot == 0:
        raise SolveError("the network has no parameters, so no share can be computed", part.path)
    value = Fraction(sel) / tot
    steps.append(Step.of("all parameters of the network: ", num(tot)))
    steps.append(Step.of(F.eq(F.Words("share"), num(sel) / num(tot), num(value)).approx(_approx(value)).eq(_pct(value))))
    return part.solution("real", value, steps=steps, alternatives=_ratio_alternatives(layers, all_layers, include_bias, value))


def q_params_ratio(nets: Networks, part: Part) -> PartSolution:
    net, layers, _ = _picked(nets, part)
    include_bias = _include_bias(part)
    other = nets.pick(part, "to_network") if (part.args.get("to_network") is not None or nets.single) else net
    to_refs = part.args.get("to_layers")
    if to_refs is None:
        to_layers = list(other.layers)
    else:
        to_layers = []
        for ref in to_refs:
            if ref.startswith("type:"):
                found = [layer for layer in other.layers if layer.type == ref[5:].strip()]
                if not found:
                    raise SolveError(f"no layer of type {ref[5:]!r} in network {other.name}", part.path + ("to_layers",))
            else:
                found = [_layer(other, part, "to_layers", ref)]
            to_layers.extend(layer for layer in found if layer not in to_layers)
    s1, top = _param_steps(layers, include_bias, True, net=net)
    s2, bottom = _param_steps(to_layers, include_bias, True, net=other)
    if bottom == 0:
        raise SolveError("the denominator has no parameters", part.path + ("to_layers",))
    value = Fraction(top) / bottom
    steps = _ratio_steps(nets, (net, s1, top), (other, s2, bottom))
    return part.solution("real", value, steps=steps, alternatives=_ratio_alternatives(layers, to_layers, include_bias, value))


def q_macs_ratio(nets: Networks, part: Part) -> PartSolution:
    net = nets.pick(part)
    other = nets.pick(part, "to_network") if (part.args.get("to_network") is not None or nets.single) else net

    def macs_of(n: Net, key: str) -> tuple[list[Step], Value]:
        refs = part.args.get(key)
        if refs is None:
            chosen = [layer for layer in n.layers if layer.macs is not None]
        else:
            chosen = []
            for ref in refs:
                chosen.extend(layer for layer in _refer(n, part, key, ref) if layer.macs is not None and layer not in chosen)
        values = {layer.name: layer.macs.value for layer in chosen if layer.macs is not None}
        total_macs: Value = sum(values.values(), 0)
        if n.instances and len(values) > GROUP_ABOVE:
            return _grouped_steps(n, chosen, lambda layer: values.get(layer.name, 0), "macs")[0], total_macs
        steps = [Step.of(equation(f"{_title(layer)}: macs", layer.macs)) for layer in chosen if layer.macs is not None]
        if len(values) > 1:
            steps.append(_sum_line("total macs", list(values.items()), total_macs))
        return steps, total_macs

    if part.args.get("layer") is not None:
        raise SolveError("macs_ratio takes `layers:` (and `to_layers:`)", part.path + ("layer",))
    s1, top = macs_of(net, "layers")
    s2, bottom = macs_of(other, "to_layers")
    if bottom == 0:
        raise SolveError("the denominator has no multiply-accumulates", part.path)
    value = Fraction(top) / bottom
    return part.solution("real", value, steps=_ratio_steps(nets, (net, s1, top), (other, s2, bottom)))


def _ratio_steps(nets: Networks, over: tuple[Net, list[Step], Value], under: tuple[Net, list[Step], Value]) -> list[Step]:
    """The numerator's steps, the denominator's, then ratio = top/bottom = value (≈ its decimal)."""
    (net, s1, top), (other, s2, bottom) = over, under
    label1 = net.name if not nets.single else "numerator"
    label2 = other.name if not nets.single else "denominator"
    value = Fraction(top) / bottom
    ratio = F.eq(F.Words("ratio"), num(top) / num(bottom), num(value))
    if value.denominator != 1:
        ratio = ratio.approx(_approx(value))
    return [Step.of(f"{label1}:"), *s1, Step.of(f"{label2}:"), *s2, Step.of(ratio)]


def _ratio_alternatives(top: list, bottom: list, include_bias: bool, value: Fraction) -> list[Alternative]:
    """A ratio of parameter counts (a share, or one network to another) as the network mistakes
    compute it: without the biases, or with conv filters counted k x k."""
    alts = []
    if include_bias:
        w1 = sum((layer.weights for layer in top), 0)
        w2 = sum((layer.weights for layer in bottom), 0)
        if w2 and Fraction(w1) / w2 != value:
            alts.append(Alternative("no-bias", Fraction(w1) / w2))
    n1, n2 = _nic_total(top, include_bias), _nic_total(bottom, include_bias)
    if n2 and Fraction(n1) / n2 != value:
        alts.append(Alternative("no-input-channels", Fraction(n1) / n2))
    return alts


def _count_quantity(nets: Networks, part: Part, what: str) -> PartSolution:
    """connections or macs over the selected layers."""
    net = nets.pick(part)
    if what == "connections":
        layers, explicit = _select(net, part, lambda layer: layer.neurons and layer.conn_units is not None)
    else:
        layers, explicit = _select(net, part, lambda layer: layer.macs is not None)
    include_bias = _include_bias(part) if what == "connections" else False
    steps: list[Step] = []
    items: list[tuple[str, Value]] = []
    nic_total: Value = 0
    plain_total: Value = 0
    if not explicit and part.args.get("layers", part.args.get("layer")) is not None:
        # a block use named as a whole: its layers that have this quantity
        layers = [layer for layer in layers if (layer.conn_units is not None and layer.conn_inner is not None)
                  or (what == "macs" and layer.macs is not None)]
    exprs: dict[str, E] = {}
    for layer in layers:
        if what == "connections":
            if layer.conn_units is None or layer.conn_inner is None:
                raise SolveError(f"{layer.name} is a {layer.type} layer: connections are counted for conv, linear and "
                                 "pooling layers", part.path + ("layers" if part.args.get("layers") else "layer",))
            with_bias = include_bias and layer.has_bias
            expr = _connections(layer.conn_units, layer.conn_inner, with_bias, layer.conn_bias)
            nic = _connections(layer.conn_units, layer.conn_inner_nic or layer.conn_inner, with_bias, layer.conn_bias)
            plain_total += _connections(layer.conn_units, layer.conn_inner, False).value
        else:
            if layer.macs is None:
                steps.append(Step.of(f"{_title(layer)}: 0 MACs (only conv, linear and recurrent weights multiply)"))
                items.append((layer.name, 0))
                continue
            expr = layer.macs
            nic = layer.macs_nic or layer.macs
        steps.append(Step.of(equation(f"{_title(layer)}: {what}", expr)))
        items.append((layer.name, expr.value))
        exprs[layer.name] = expr
        nic_total += nic.value
    value = sum((v for _, v in items), 0)
    if net.instances and sum(1 for _, v in items if v) > GROUP_ABOVE:
        values = dict(items)
        steps, _ = _grouped_steps(net, layers, lambda layer: values.get(layer.name, 0), what, exprs)
        items = []
    if what == "connections":
        biased = include_bias and any(layer.has_bias for layer in layers)
        head = ("Connections as LeNet counts them: for every output unit, one per weight it uses"
                + (" plus one for its bias" if biased else " (no biases here)" if include_bias else " (biases not counted)"))
    else:
        head = "MACs: one multiply-accumulate per weight use (output units × weights per unit); bias additions not counted"
    steps.insert(0, Step.of(head))
    if len(items) > 1:
        steps.append(_sum_line(f"total {what}", items, value))
    alts = []
    if what == "connections" and include_bias and plain_total != value:
        alts.append(Alternative("no-bias", plain_total))
    if nic_total != value:
        alts.append(Alternative("no-input-channels", nic_total))
    if not explicit and not layers:
        raise SolveError(f"this network has no layer with {what}", part.path)
    return part.solution("integer", value, steps=steps, alternatives=alts)


def _connections(units: list[E], inner: E, bias: bool, per_position_bias: E | None = None) -> E:
    """units·(weights per unit + 1), or units·(weights per unit)."""
    if bias:
        return Prod([*units, Sum([inner, per_position_bias or N(1)])])
    if isinstance(inner, Prod):
        inner = Prod(inner.items, group=len(units) > 0)
    return Prod([*units, inner]) if units else inner


def q_connections(nets: Networks, part: Part) -> PartSolution:
    return _count_quantity(nets, part, "connections")


def q_macs(nets: Networks, part: Part) -> PartSolution:
    return _count_quantity(nets, part, "macs")


def q_receptive_field(nets: Networks, part: Part) -> PartSolution:
    from .receptive import receptive_field

    net, target = _named_or_last(nets, part)
    return receptive_field(net, target, part, part.args.get("axis"))


def q_fan_in(nets: Networks, part: Part) -> PartSolution:
    net = nets.pick(part)
    layer = _layer(net, part, "layer", part.args["layer"])
    if layer.fan_in is None:
        raise SolveError(f"{layer.name} is a {layer.type} layer: fan-in is defined for conv and linear layers",
                         part.path + ("layer",))
    include_bias = _include_bias(part, default=False)
    value = layer.fan_in.value + (1 if include_bias and layer.has_bias else 0)
    steps = [Step.of(equation(f"{_title(layer)}: weights per output unit", layer.fan_in))]
    if include_bias and layer.has_bias:
        steps.append(Step.of("plus its bias: ", F.eq(num(layer.fan_in.value) + 1, num(value))))
    alts = []
    if layer.fan_in_nic is not None:
        nic = layer.fan_in_nic.value + (1 if include_bias and layer.has_bias else 0)
        if nic != value:
            alts.append(Alternative("no-input-channels", nic))
    if include_bias and layer.has_bias:
        alts.append(Alternative("no-bias", layer.fan_in.value))
    return part.solution("integer", value, steps=steps, alternatives=alts)


QUANTITY_SOLVERS: dict[str, Callable[[Networks, Part], PartSolution]] = {
    "output_shape": q_output_shape,
    "params": q_params,
    "weights": q_weights,
    "biases": q_biases,
    "neurons": q_neurons,
    "params_share": q_params_share,
    "params_ratio": q_params_ratio,
    "macs_ratio": q_macs_ratio,
    "connections": q_connections,
    "macs": q_macs,
    "receptive_field": q_receptive_field,
    "fan_in": q_fan_in,
}


def solve(problem: Problem) -> Solution:
    nets = Networks(problem.given)
    sol = Solution(problem.id, problem.kind, problem.title)
    sol.steps = table_step(nets)
    for part in problem.parts:
        sol.parts.append(QUANTITY_SOLVERS[part.ask](nets, part))
    return sol
