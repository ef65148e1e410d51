"""Renderers: each turns Solution / CheckResult data into one output format. None knows math.

text: plain (pipes, NO_COLOR) or terminal (rich); json; markdown; latex.
"""
