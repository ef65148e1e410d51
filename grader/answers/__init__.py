"""Answers: types, the safe parser, comparison, symbolic equivalence and mistake matching.

Everything here is shared by all kinds. Nothing in this package evaluates text as code: the
parser reads a whitelisted grammar into a small tree, and only that tree is ever computed.
"""
