"""The `network` kind: shapes, parameters, connections, MACs and receptive fields of a layer stack.

Everything is exact integer arithmetic (fractions only for shares and for the `no-floor` mistake);
this module imports neither sympy nor numpy.

Graphs (CONTRACT §1.1): a layer may name its input with `from:` (a layer, `input`, or a list for the
merges add / concat / multiply); `blocks:` define reusable blocks used as {block:, name:, repeat:,
args:} (see graph.py); block uses are named like torchvision's modules (layer1.0.conv1).

Conventions (contract §1.2): shapes have no batch dimension and are channels-first ([C, H, W]) unless
`data_format: channels_last` (the default with `convention: keras`). Layers are named by `name:`
or, when unnamed, `<type>-<k>` (k counts the layers of that type from 1: conv2d-1, relu-2); parts
refer to layers by these names only. `linear` acts on the last dimension as in PyTorch. Recurrent
layers: PyTorch has two bias vectors per gate group (b_ih, b_hh) and returns every time step;
Keras has one bias vector (a GRU with Keras' default reset_after=True has two) and returns only the
last step unless `return_sequences: true`. Batch-norm running statistics are buffers, not params.
"""

from __future__ import annotations

from ...spec.schema import Bool, Custom, Field, Quantity, Str
from .. import Kind, Mistake, register
from . import more_layers  # noqa: F401  (registers the graph and modern layers in model.HANDLERS)
from .graph import GIVEN
from .parts import solve
from .spec import layer_refs

_NETWORK = Field(Str(), doc="which network, when `given` has several `networks`")
_LAYER = Field(Str(), doc="a layer name (`name:` or the default <type>-<k>)")
_LAYERS = Field(Custom(layer_refs, "a layer name or a list of names (\"type:conv2d\" selects every conv2d)"),
                doc="default: every layer")
_BIAS = Field(Bool(), doc="count the biases (default true)")

QUANTITIES = [
    Quantity("output_shape", "shape", "the output shape of a layer, without the batch dimension (default: the last layer)",
             {"layer": _LAYER, "network": _NETWORK,
              "spatial": Field(Bool(), default=False, doc="only the spatial size (H×W or L), without the channels")}),
    Quantity("params", "integer", "trainable parameters of the listed layers or block uses (all when omitted)",
             {"layers": _LAYERS, "layer": _LAYER, "network": _NETWORK, "include_bias": _BIAS,
              "trainable": Field(Bool(), doc="false: every parameter, trainable or not (frozen layers; Keras' batch-norm "
                                             "moving statistics): Keras' \"Total params\" (default true: trainable only)"),
              "buffers": Field(Bool(), doc="true: add PyTorch's buffers (batch norm's running statistics and "
                                           "num_batches_tracked), as sum(b.numel() for b in model.buffers())")}),
    Quantity("weights", "integer", "parameters that are not biases (all layers when omitted)",
             {"layers": _LAYERS, "layer": _LAYER, "network": _NETWORK}),
    Quantity("biases", "integer", "bias parameters (all layers when omitted)",
             {"layers": _LAYERS, "layer": _LAYER, "network": _NETWORK}),
    Quantity("neurons", "integer", "output units of the conv and linear layers (all of them when omitted; the input is not counted)",
             {"layers": _LAYERS, "layer": _LAYER, "network": _NETWORK}),
    Quantity("params_share", "real", "the listed layers' fraction of all the network's parameters",
             {"layers": _LAYERS, "layer": _LAYER, "network": _NETWORK, "include_bias": _BIAS}),
    Quantity("params_ratio", "real", "parameters of `layers` (of `network`) divided by those of `to_layers` (of `to_network`)",
             {"layers": _LAYERS, "layer": _LAYER, "network": _NETWORK, "include_bias": _BIAS,
              "to_network": Field(Str(), doc="the denominator's network (default: the same)"),
              "to_layers": Field(Custom(layer_refs, "a layer name or a list of names"), doc="default: every layer")}),
    Quantity("macs_ratio", "real", "MACs of `layers` (of `network`) divided by those of `to_layers` (of `to_network`)",
             {"layers": _LAYERS, "layer": _LAYER, "network": _NETWORK,
              "to_network": Field(Str(), doc="the denominator's network (default: the same)"),
              "to_layers": Field(Custom(layer_refs, "a layer name or a list of names"), doc="default: every layer")}),
    Quantity("connections", "integer", "connections as LeNet counts them: per output unit, one per weight use plus one "
             "for the bias (conv, linear and pooling layers; all conv and linear layers when omitted)",
             {"layer": _LAYER, "layers": _LAYERS, "network": _NETWORK,
              "include_bias": Field(Bool(), doc="count one bias connection per output unit (default true)")}),
    Quantity("macs", "integer", "multiply-accumulates of the conv, linear and recurrent weights (bias additions, "
             "activations, pooling and normalisation not counted; all layers when omitted)",
             {"layer": _LAYER, "layers": _LAYERS, "network": _NETWORK}),
    Quantity("receptive_field", "integer", "side, in input pixels, of the input region one output unit of the layer sees "
             "(r += (k − 1)·d·jump; borders ignored). On a graph: the union over the paths from the input, which for "
             "centred branches is the receptive field along the path with the largest one; through transposed "
             "convolutions, the most inputs one unit reads",
             {"layer": _LAYER, "network": _NETWORK,
              "axis": Field(Str(choices=("d", "h", "w", "l")), doc="for a non-square receptive field")}),
    Quantity("fan_in", "integer", "weights of one output unit of a conv or linear layer (its fan-in)",
             {"layer": Field(Str(), required=True, doc="a layer name"), "network": _NETWORK,
              "include_bias": Field(Bool(), doc="add the unit's bias (default false)")}),
]

# the words a student may write after a number ("10416 parameters"); singular or plural
_UNIT_WORDS = {
    "params": ("parameters", "params", "weights"), "weights": ("weights", "parameters", "params"),
    "biases": ("biases", "parameters", "params"), "neurons": ("neurons", "units"),
    "connections": ("connections",), "macs": ("macs", "multiply-accumulates"),
    "receptive_field": ("px", "pixels"), "fan_in": ("weights", "inputs", "connections"),
}
for _q in QUANTITIES:
    _q.units = _UNIT_WORDS.get(_q.name, ())

MISTAKES = [
    Mistake("no-bias", "left out the bias terms",
            "You left out the bias terms: every filter of a conv layer and every output unit of a linear layer "
            "also has one bias (layers have biases unless the problem says bias=False). Adding them gives {expected}."),
    Mistake("no-input-channels", "counted a conv filter as k×k, not k×k×C_in",
            "A convolution filter spans every input channel: it has C_in/groups × k_h × k_w weights, not just "
            "k_h × k_w. Counting the input channels gives {expected}."),
    Mistake("layout-hwc", "wrote the shape as H×W×C where C×H×W was asked",
            "Right sizes, wrong order: shapes here are written channels first (C×H×W, PyTorch's layout), "
            "so the answer is {expected}, not {given} (that is H×W×C)."),
    Mistake("layout-chw", "wrote the shape as C×H×W where H×W×C (channels last, Keras) was asked",
            "Right sizes, wrong order: this network is channels last (H×W×C, Keras' layout), so the answer is "
            "{expected}, not {given}."),
    Mistake("rnn-bias-count", "counted the other framework's recurrent biases (PyTorch: b_ih and b_hh; Keras: one vector)",
            "Recurrent layers count biases differently by framework: PyTorch keeps two bias vectors per gate "
            "(b_ih and b_hh), Keras one (a GRU with reset_after=True: two). With this problem's convention the "
            "count is {expected}."),
    Mistake("shortcut-no-params", "counted a projection shortcut as parameter-free",
            "A residual shortcut is free only when it is the identity. Here the shortcut changes the shape, so it is "
            "a 1×1 convolution (and its batch norm) with parameters of its own; counting them gives {expected}."),
    Mistake("concat-for-add", "concatenated where the branches are added (channel count)",
            "A residual connection adds the branches elementwise: the channel count stays the same, it does not "
            "sum as in a concatenation. The answer is {expected}."),
    Mistake("no-expansion", "left out the bottleneck's expansion factor",
            "A bottleneck block widens its output again: its last 1×1 convolution has planes × expansion channels "
            "(4 in ResNet-50), not planes. With the expansion the answer is {expected}."),
    Mistake("frozen-counted", "counted the frozen (trainable: false) layers as trainable",
            "Layers marked trainable: false keep their parameters fixed; only the others are trainable. "
            "The trainable count is {expected}."),
    Mistake("trainable-only", "left out the non-trainable parameters (Keras' Total params counts them)",
            "Keras' \"Total params\" includes the non-trainable ones, such as batch normalization's moving mean and "
            "variance (2 per channel). With them the total is {expected}."),
    Mistake("no-floor", "did not round the output size down (or wrote a fraction)",
            "An output size is a whole number of window positions: ⌊(W + 2P − D·(K − 1) − 1)/S⌋ + 1 rounds the "
            "division down (a window that does not fit is dropped). The answer is {expected}, not {given}."),
]

EXAMPLE = """\
given:
  input: [3, 128, 128]          # C, H, W (no batch); "3@128x128" also works
  bias: true
  layers:
    - {name: maxpool-1, type: maxpool2d, kernel_size: 2, stride: 2}
    - {name: conv, type: conv2d, out_channels: 12, kernel_size: 17}
    - {name: maxpool-2, type: maxpool2d, kernel_size: 3}
    - {name: flatten, type: flatten}
    - {name: fully-connected-1, type: linear, out_features: 128}
    - {type: relu}                # called relu-1
    - {name: fully-connected-2, type: linear, out_features: 10}
    - {type: softmax}
parts:
  - {id: a, ask: output_shape, layer: maxpool-1}
  - {id: conv_params, ask: params, layers: [conv]}
  - {id: conv_share, ask: params_share, layers: [conv]}
  - {id: rf, ask: receptive_field, layer: maxpool-2}
"""

register(Kind(
    "network",
    "feed-forward and recurrent nets: output shapes, parameters, connections, MACs, receptive fields",
    GIVEN, QUANTITIES, solve, MISTAKES, EXAMPLE,
))
