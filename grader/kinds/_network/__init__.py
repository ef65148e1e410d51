"""Support code of the `network` kind: layer schemas, shape/parameter arithmetic and steps.

Everything here is exact integer (or `fractions.Fraction`) arithmetic; nothing imports sympy or
numpy, so checking an answer to a network problem stays fast.
"""
