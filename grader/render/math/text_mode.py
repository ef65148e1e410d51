"""Prose inside LaTeX (text mode): special characters escaped, the Unicode that steps write (≈, ·,
θ, ‖) as the LaTeX commands pdflatex knows. Used for prose around formulas and for whole documents."""

from __future__ import annotations

_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
            "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
            # pdflatex's default (OT1) text font has no | < >: they would print as — ¡ ¿
            "|": r"\textbar{}", "<": r"\textless{}", ">": r"\textgreater{}"}


# Unicode that steps write in prose (≈, ·, θ, ‖ ...): pdflatex reads none of it in text mode, so
# each becomes its LaTeX command in math mode; Latin-1 letters (é, ü) are left to inputenc
_UNICODE = {
    "≈": r"\approx", "·": r"\cdot", "×": r"\times", "−": "-", "‖": r"\|", "Σ": r"\Sigma", "∑": r"\sum",
    "∏": r"\prod", "∫": r"\int", "∂": r"\partial", "∇": r"\nabla", "√": r"\surd", "∞": r"\infty",
    "→": r"\to", "←": r"\leftarrow", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow", "↦": r"\mapsto",
    "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "∈": r"\in", "∉": r"\notin", "⊆": r"\subseteq", "∪": r"\cup",
    "∩": r"\cap", "±": r"\pm", "∝": r"\propto", "⊙": r"\odot", "⊗": r"\otimes", "∘": r"\circ", "…": r"\ldots",
    "⋯": r"\cdots", "°": r"^\circ", "ᵀ": r"^{\top}", "⁻": "^{-}", "⁺": "^{+}", "✓": r"\checkmark",
    "✗": r"\times", "∀": r"\forall", "∃": r"\exists", "¬": r"\neg", "∧": r"\wedge", "∨": r"\vee",
    "⌈": r"\lceil", "⌉": r"\rceil", "⌊": r"\lfloor", "⌋": r"\rfloor", "⟨": r"\langle", "⟩": r"\rangle",
    "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}", "∅": r"\emptyset", "≡": r"\equiv",
    "≪": r"\ll", "≫": r"\gg", "∼": r"\sim", "⊥": r"\perp", "†": r"\dagger", "ℓ": r"\ell", "ε": r"\varepsilon",
    "•": r"\bullet", "★": r"\star", "↑": r"\uparrow", "↓": r"\downarrow"
}
_GREEK = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega".split()
for _i, _name in enumerate(_GREEK):
    if _name != "omicron":
        _UNICODE.setdefault(chr(0x3B1 + _i + (1 if _i >= 17 else 0)), "\\" + _name)
        if _name[0] in "gdtlxpsuo" and _name not in ("tau", "upsilon"):
            _UNICODE.setdefault(chr(0x391 + _i + (1 if _i >= 17 else 0)), "\\" + _name.capitalize())
_UNICODE["ς"] = r"\varsigma"
_UNICODE["Υ"] = r"\Upsilon"
_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹ⁿⁱ", "0123456789ni"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉ₙᵢⱼₖₜ", "0123456789nijkt"))
_LATIN1 = set(range(0xA0, 0x100)) - {0xB7, 0xD7, 0xB1, 0xAC, 0xB0, 0xB2, 0xB3, 0xB9}


_TEXT = {"—": "---", "–": "--", "‘": "`", "’": "'", "“": "``", "”": "''", "\u2009": r"\,", "\u202f": r"\,",
         "\u00a0": "~", "‐": "-", "‑": "-", "′": "'", "″": "''", "„": ",,", "‹": "<", "›": ">"}


def _char(ch: str) -> str:
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if ch in _TEXT:
        return _TEXT[ch]
    if ord(ch) < 128 or ord(ch) in _LATIN1:
        return ch
    if ch in _UNICODE:
        return rf"\ensuremath{{{_UNICODE[ch]}}}"
    if ch in _SUPER:
        return rf"\textsuperscript{{{_SUPER[ch]}}}"
    if ch in _SUB:
        return rf"\textsubscript{{{_SUB[ch]}}}"
    if ch in "\u0302\u0303\u0304\u0307\u0308":  # combining accents (θ̂): dropped in text mode
        return ""
    return rf"\texttt{{[U+{ord(ch):04X}]}}"  # anything else: named, never a compile error


def escape(text: str) -> str:
    return "".join(_char(ch) for ch in text)
