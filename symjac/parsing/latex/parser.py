r"""LaTeX answers, read safely and as matrix mathematics.

``parse_latex(text, shapes)`` turns a student's LaTeX into a SymPy tree in
which every declared name is a ``MatrixSymbol`` of its declared shape (a
scalar ``Symbol`` for shape (1, 1)), products keep their order, and entries
such as ``A_{11}`` are symjac's entry symbols (``A_11``, real).  The pipeline:

1. **guard** (:mod:`.latex_guard`): size, nesting, cells, balance, dots — on the raw string;
2. **rewrite**: spelling variants to one form (``^\top``, ``^{\mathsf{T}}``, ``'`` → ``^{T}``;
   ``\mathbf{x}`` → ``x``; ``\left``/``\right``, spacing and ``$`` dropped; ``\frac12``);
3. **scan**: a tokenizer walks the text; every construct latex2sympy2-extended
   gets wrong is built here and replaced by a placeholder atom
   (``\text{zqN}``, declared to the library as a ``MatrixSymbol`` of the
   right kind through ``variable_values`` — objects, never strings): names and
   entries, parenthesised groups, functions (``\sigma``, ``\operatorname{diag}``,
   ``\tr``, ``\det``, ``\operatorname{vec}``, ``\operatorname{adj}``…), norms,
   matrix environments and ``cases``, ``I``/``I_n``, ``K_{mn}``, ``\delta_{ij}``,
   ``^{-1}``/``^{-T}``/powers of matrices, and ``\otimes``/``\odot``/``\circ``
   (which bind looser than juxtaposition and tighter than ``+``);
4. **parse** what is left — sums, products, fractions, numbers, ``^{T}`` — with
   latex2sympy2-extended (``lowercase_symbols=False``, no normaliser, no
   equation solving), and **lift** its result: placeholders replaced, products
   rebuilt in order, powers of matrices made ``MatPow``/``Inverse``;
5. **limits**, checked as the tree is built (here and in :mod:`~symjac.parsing.latex.guard`):
   only the constructs above, no power above 64, no towers, no factorial above 100.

Unknown commands, undeclared names and anything unexpected are refused with
one line.  Student text never reaches ``eval``, ``exec``, ``sympify`` or
``parse_expr``; no ``str()`` of a parsed result is ever re-parsed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp
from sympy.core.sympify import _sympify

from symjac.errors import ParseError, ShapeError, SymjacError, UnsupportedError
from symjac import elementwise as registry
from symjac.symbols import entry_symbol, exactly_equal
from symjac.parsing.latex.guard import MAX_TOKENS, InvalidAnswer, guard
from symjac.parsing.latex.document import extract_answer
from symjac.parsing.latex.dotsums import expand_dot_sums
from sympy.core.symbol import Str

from symjac.parsing.latex.nodes import Adjugate, Commutation, Diag, Hadamard, Norm, SingleEntry, Vec
from symjac.parsing.nodes import ELEMENTWISE_NODES, elementwise_node
from symjac.parsing.nodes import hadamard, kron
from symjac.parsing.nodes import dims

MAX_POWER = 64
MAX_FACTORIAL = 100

# --- 2. rewrite ---------------------------------------------------------------

_TOP = r"(?:\\top|\\intercal|\\mathsf\s*\{\s*T\s*\}|\\mathrm\s*\{\s*T\s*\}|\\text\s*\{\s*T\s*\}|\\textsf\s*\{\s*T\s*\}|\\rm\s*T|T)"
_REWRITES = [
    (re.compile(r"\$"), " "),
    (re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)(?![A-Za-z])\s*\.?"), " "),
    (re.compile(r"\\[,;:!>]"), " "),
    (re.compile(r"\\(?:quad|qquad|displaystyle|textstyle|limits|nolimits|nonumber|notag)(?![A-Za-z])"), " "),
    (re.compile(r"\\(?:label|tag)\s*\{[^{}]*\}"), " "),
    (re.compile(r"\\(?:mathbf|mathbb|boldsymbol|bm)\s*\{\s*1\s*\}|\\mathbb\s*1(?![0-9])"), r" \\onevec "),
    (re.compile(r"\\(?:mathbf|mathbb|boldsymbol|bm)\s*\{\s*0\s*\}"), r" \\zerovec "),
    # a layer tag and a transpose or inverse in one superscript: W^{(2)\top} → W^{(2)}^{\top}
    (re.compile(r"\^\s*\{\s*\(\s*(\d+)\s*\)\s*([^{}\s][^{}]*?)\s*\}"), r"^{(\1)}^{\2}"),
    (re.compile(r"\\ "), " "),
    (re.compile(r"~"), " "),
    (re.compile(r"\\(?:lVert|rVert|Vert)(?![A-Za-z])"), r"\\|"),
    (re.compile(r"\\(?:lvert|rvert|vert)(?![A-Za-z])"), "|"),
    (re.compile(r"\\(?:dfrac|tfrac)(?![A-Za-z])"), r"\\frac"),
    (re.compile(r"\\frac\s*(\d)\s*(\d)"), r"\\frac{\1}{\2}"),
    (re.compile(r"\\frac\s*(\d)\s*\{"), r"\\frac{\1}{"),
    (re.compile(r"\\operatorname\*"), r"\\operatorname"),
    (re.compile(r"\^\s*\{\s*\\prime\s*\}|\^\s*\\prime(?![A-Za-z])"), "'"),
    (re.compile(r"\\ast(?![A-Za-z])"), "*"),
    (re.compile(r"\\(?:mathbf|boldsymbol|bm|vec|underline|mathbfit|pmb|overrightarrow|mathit)\s*\{\s*(\\?[A-Za-z]+)\s*\}"), r" \1 "),
    (re.compile(r"\\(?:mathbf|boldsymbol|bm|vec)\s+(\\?[A-Za-z])"), r" \1 "),
    (re.compile(r"\^\s*\{\s*-\s*" + _TOP + r"\s*\}"), "^{-T}"),
    (re.compile(r"\^\s*\{\s*" + _TOP + r"\s*\}"), "^{T}"),
    (re.compile(r"\^\s*(?:\\top|\\intercal|\\mathsf\s*\{\s*T\s*\}|\\mathrm\s*\{\s*T\s*\})"), "^{T}"),
    (re.compile(r"(?<![A-Za-z\\])(\d+(?:\.\d+)?)[eE]([+-]?\d+)(?![A-Za-z0-9])"), r"\1\\times10^{\2}"),
]


def rewrite(text: str) -> str:
    """Spelling variants → one form (see the module docstring)."""
    text = text.replace("\\\\", "\x01")      # protect row separators
    for pat, rep in _REWRITES:
        text = pat.sub(rep, text)
    return text.replace("\x01", " \\\\ ")


# --- tokens ---------------------------------------------------------------------

@dataclass
class Tok:
    kind: str   # cmd, sym, letter, num, char, rowsep, ph
    text: str
    pos: int


_TOKEN = re.compile(
    r"(?P<rowsep>\\\\)|(?P<cmd>\\[A-Za-z]+)|(?P<sym>\\[^A-Za-z\s])|(?P<num>\d+(?:\.\d+)?|\.\d+)"
    r"|(?P<letter>[A-Za-z])|(?P<space>\s+)|(?P<char>.)",
    re.S,
)


def tokenize(text: str) -> list[Tok]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "space":
            continue
        out.append(Tok(kind, m.group(), m.start()))
    return out


# --- names and functions ----------------------------------------------------------

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta",
    "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi",
    "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma",
    "Upsilon", "Phi", "Psi", "Omega",
}
# function name as written → canonical; the elementwise ones come from the registry
FUNC_ALIASES = {
    **{n: d.name for n, d in registry.latex_names().items()},
    "sigma": "sigma",
    "tr": "trace", "Tr": "trace", "trace": "trace", "det": "det", "diag": "diag", "Diag": "diag",
    "vec": "vec", "adj": "adj", "inv": "inv", "max": "max",
}
_WORD_CMDS = {"operatorname", "mathrm", "text", "textrm", "mathsf", "textit", "mbox", "rm"}
# commands passed through to latex2sympy2-extended unchanged
_PASS_CMDS = {"\\frac", "\\cdot", "\\times", "\\div", "\\pi"}
_KRON_OPS = {"\\otimes": kron, "\\odot": hadamard, "\\circ": hadamard}
_REFUSED = {
    "\\partial": "derivative notation", "\\nabla": "derivative notation", "\\sum": "sums with \\sum",
    "\\prod": "products with \\prod", "\\int": "integrals", "\\lim": "limits", "\\in": "'\\in'",
    "\\infty": "infinity", "\\mathbb": "sets",
}
MAX_SUM_LIMIT = 64       # a numeric limit of \sum_{n=1}^{64} in index notation
MAX_SUM_NESTING = 3      # \sum inside \sum inside \sum
MATRIX_ENVS = {"bmatrix", "pmatrix", "matrix", "Bmatrix", "smallmatrix", "array", "vmatrix", "cases", "Vmatrix"}


@dataclass
class LatexContext:
    """What an answer may refer to.

    shapes: name → (rows, cols), each an int or a SymPy dimension symbol.
    indices: letters allowed as generic indices (index notation), or ().
    sigma: what ``\\sigma`` means ("sigmoid" or "tanh").
    """

    shapes: dict
    indices: tuple = ()
    sigma: str = "sigmoid"
    dims: dict = field(default_factory=dict)  # dimension name → Symbol
    single_entry: tuple | None = None   # (X, i, j): E_{ij}, J^{ij}, e_i, e_j are unit matrices/vectors of X's shape
    integers: tuple = ()   # scalar names declared integer: a matrix power X^{p-1} may use them

    def __post_init__(self):
        norm = {}
        for name, (r, c) in self.shapes.items():
            norm[name] = (self._dim(r), self._dim(c))
        self.shapes = norm
        self.index_symbols = {n: sp.Symbol(n, integer=True, positive=True) for n in self.indices}

    def _dim(self, d):
        if isinstance(d, int):
            return sp.Integer(d)
        if isinstance(d, str):
            if d not in self.dims:
                self.dims[d] = sp.Symbol(d, integer=True, positive=True)
            return self.dims[d]
        return _sympify(d) if not isinstance(d, sp.Basic) else d  # strict: never text

    def value_of(self, name: str):
        r, c = self.shapes[name]
        if r == 1 and c == 1:
            return sp.Symbol(name, real=True)
        return sp.MatrixSymbol(name, r, c)


def shape(v) -> tuple:
    """(rows, cols) of a parsed value; scalars are (1, 1)."""
    return dims(v)


def is_matrix(v) -> bool:
    s = shape(v)
    return not (s[0] == 1 and s[1] == 1)


# --- 3. the scanner --------------------------------------------------------------------

class _Scanner:
    def __init__(self, ctx: LatexContext):
        self.ctx = ctx
        self.ph: dict[str, object] = {}
        self.calls = 0

    # placeholders
    def placeholder(self, value) -> Tok:
        name = f"zq{len(self.ph)}"
        self.ph[name] = value
        return Tok("ph", "\\text{" + name + "}", -1)

    # helpers on token lists ------------------------------------------------
    @staticmethod
    def match(toks, i):
        """Index of the token closing the group opened at toks[i]."""
        opener = toks[i].text
        closer = {"(": ")", "[": "]", "{": "}"}[opener]
        depth = 0
        for j in range(i, len(toks)):
            t = toks[j].text
            if toks[j].kind == "char":
                if t in "([{":
                    depth += 1
                elif t in ")]}":
                    depth -= 1
                    if depth == 0:
                        if t != closer:
                            raise ParseError(f"'{opener}' closed by '{t}'", toks[j].pos)
                        return j
        raise ParseError(f"unclosed '{opener}'", toks[i].pos)

    def env_end(self, toks, i, name):
        depth = 0
        j = i
        while j < len(toks):
            t = toks[j]
            if t.kind == "cmd" and t.text in ("\\begin", "\\end"):
                if t.text == "\\begin":
                    depth += 1
                else:
                    depth -= 1
                    if depth == 0:
                        _, after = self.braced_word(toks, j + 1)
                        return after - 1
            j += 1
        raise ParseError(f"\\begin{{{name}}} without \\end", toks[i].pos)

    def braced_word(self, toks, i):
        """toks[i] is '{': return (word, index after '}') for a {word} group of letters/digits."""
        if i >= len(toks) or toks[i].text != "{":
            raise ParseError("expected '{'", toks[i].pos if i < len(toks) else None)
        j = self.match(toks, i)
        word = "".join(t.text for t in toks[i + 1:j])
        return word, j + 1

    def top_level(self, toks):
        """Yield (index, tok) of tokens at brace depth 0."""
        depth = 0
        k = 0
        while k < len(toks):
            t = toks[k]
            if t.kind == "cmd" and t.text == "\\begin":
                name = self._env_name(toks, k)
                k = self.env_end(toks, k, name) + 1
                continue
            if t.kind == "char" and t.text in "([{":
                depth += 1
            elif t.kind == "char" and t.text in ")]}":
                depth -= 1
            elif depth == 0:
                yield k, t
            k += 1

    def _env_name(self, toks, k):
        word, _ = self.braced_word(toks, k + 1)
        return word

    # the recursive entry ------------------------------------------------------
    def parse(self, toks: list[Tok]):
        if not toks:
            raise ParseError("empty expression")
        # '=': accept "∇f = answer" (take the right-hand side), refuse other equations
        eqs = [k for k, t in self.top_level(toks) if t.text in ("=",) or t.text in ("\\neq", "\\leq", "\\geq", "<", ">", "\\approx")]
        if eqs:
            k = eqs[-1]
            lhs = toks[:k]
            if toks[k].text == "=" and any(t.text in ("\\nabla", "\\partial") or t.text == "J" for t in lhs):
                toks = toks[k + 1:]
                if not toks:
                    raise ParseError("nothing after '='", None)
            else:
                raise InvalidAnswer(
                    f"write only the answer, not an equation or relation ('{toks[k].text}')", toks[k].pos
                )
        kron_ops = [(k, t) for k, t in self.top_level(toks) if t.text in _KRON_OPS]
        if kron_ops:
            return self.parse_kron_sum(toks)
        return self.parse_plain(toks)

    def parse_kron_sum(self, toks):
        # split into additive terms at top level; '-' directly after an operator is unary
        terms, start = [], 0
        signs = [1]
        for k, t in self.top_level(toks):
            prev = toks[k - 1] if k > start else None      # the token just before, at any depth: a^{T} - b
            if t.text in "+-" and t.kind == "char" and prev is not None and prev.text not in _KRON_OPS \
                    and prev.text not in ("+", "-", "\\cdot", "\\times", "*", "/", "^", "_"):
                terms.append(toks[start:k])
                signs.append(1 if t.text == "+" else -1)
                start = k + 1
        terms.append(toks[start:])
        values = []
        for sign, term in zip(signs, terms):
            v = self.parse_kron_term(term)
            values.append(v if sign == 1 else -v if not is_matrix(v) else sp.MatMul(sp.S.NegativeOne, v))
        if len(values) == 1:
            return values[0]
        mats = [v for v in values if is_matrix(v)]
        if mats and len(mats) < len(values):
            # a constant beside elementwise terms (2 - a ⊙ a) is that constant in every entry
            if not all(isinstance(_unsigned(v), (*ELEMENTWISE_NODES, Hadamard)) for v in mats) or \
                    not all(_as_expr_number(v) for v in values if not is_matrix(v)):
                raise ShapeError("cannot add a matrix and a scalar")
            ones = sp.OneMatrix(*shape(mats[0]))
            values = [v if is_matrix(v) else sp.MatMul(v, ones) for v in values]
        if mats:
            return sp.MatAdd(*values, evaluate=False)
        return sp.Add(*values, evaluate=False)

    def parse_kron_term(self, toks):
        parts, ops, start = [], [], 0
        for k, t in self.top_level(toks):
            if t.text in _KRON_OPS:
                parts.append(toks[start:k])
                ops.append(_KRON_OPS[t.text])
                start = k + 1
        parts.append(toks[start:])
        if any(not p for p in parts):
            raise ParseError("'\\otimes' / '\\odot' needs an operand on each side")
        acc = self.parse_plain(parts[0])
        for op, part in zip(ops, parts[1:]):
            rhs = self.parse_plain(part)
            if op is hadamard:   # operands of ⊙ are elementwise: 1 - h means 1 - h entry by entry
                acc, rhs = _broadcast_sum(acc), _broadcast_sum(rhs)
            if op is hadamard and not is_matrix(acc) and not is_matrix(rhs):
                acc = sp.Mul(acc, rhs, evaluate=False)
            else:
                acc = op(_as_mat(acc), _as_mat(rhs))
        return acc

    def parse_plain(self, toks):
        out: list[Tok] = []
        i = 0
        n = len(toks)
        while i < n:
            t = toks[i]
            if t.kind == "char" and t.text in "([":
                j = self.match(toks, i)
                inner = toks[i + 1:j]
                if not inner:
                    raise ParseError("empty brackets", t.pos)
                value = self.parse(inner)
                i = self.emit_with_postfix(value, toks, j + 1, out)
                continue
            if t.kind == "char" and t.text == "{":
                j = self.match(toks, i)
                inner = toks[i + 1:j]
                prev = toks[i - 1].text if i else ""
                if inner and prev not in ("^", "_", "}") and not (toks[i - 1].kind == "cmd" if i else False):
                    # a braced group in an operand's place is a group: {a^{(0)}}^{\top}, 2 {W^{(1)}_{im}}
                    value = self.parse(inner)
                    i = self.emit_with_postfix(value, toks, j + 1, out)
                    continue
                if any(tt.text in _KRON_OPS for _, tt in self.top_level(inner)):
                    out.append(Tok("char", "{", t.pos))
                    out.append(self.placeholder(self.parse(inner)))
                    out.append(Tok("char", "}", t.pos))
                    i = j + 1
                    continue
                value = self.matrix_group(inner)
                if value is not None:       # {x^T x}: read on its own, so a 1×1 product is a scalar
                    out.append(Tok("char", "{", t.pos))
                    out.append(self.placeholder(value))
                    out.append(Tok("char", "}", t.pos))
                    i = j + 1
                    continue
                out.append(t)
                i += 1
                continue
            if t.kind == "cmd" and t.text == "\\begin":
                name = self._env_name(toks, i)
                j = self.env_end(toks, i, name)
                value = self.environment(name, toks, i, j)
                i = self.emit_with_postfix(value, toks, j + 1, out)
                continue
            if (t.kind == "num" and t.text == "0" or t.text == "\\zerovec") and i + 1 < n and toks[i + 1].text == "_":
                sub, k = self.superscript(toks, i + 2)
                r_, c_ = self.size_pair(sub, t, "0")
                i = self.emit_with_postfix(sp.ZeroMatrix(r_, c_), toks, k, out)
                continue
            if t.text == "\\zerovec":
                out.append(Tok("num", "0", t.pos))
                i += 1
                continue
            if t.text == "\\onevec":
                if i + 1 < n and toks[i + 1].text == "_":
                    sub, k = self.superscript(toks, i + 2)
                    r_, c_ = self.size_pair(sub, t, "\\mathbf{1}")
                else:
                    r_, c_, k = sp.Dummy("n1", integer=True, positive=True), sp.S.One, i + 1
                i = self.emit_with_postfix(sp.OneMatrix(r_, c_), toks, k, out)
                continue
            if t.kind == "cmd" and t.text == "\\end":
                raise ParseError("\\end without \\begin", t.pos)
            if t.kind == "sym" and t.text == "\\|" or (t.kind == "char" and t.text == "|"):
                i = self.norm(toks, i, out)
                continue
            if t.kind == "cmd" and t.text in _KRON_OPS:
                raise ParseError(f"put the operands of '{t.text}' in parentheses here", t.pos)
            if t.text == "\\frac" and "".join(x.text for x in toks[i + 1:i + 6]).startswith("{d}{d"):
                raise InvalidAnswer("derivative notation (d/dx) cannot be used in an answer: write the result", t.pos)
            if t.kind == "cmd" and t.text == "\\sum" and self.ctx.indices:
                i = self.index_sum(toks, i, out, t)
                continue
            if t.kind == "cmd" and t.text in _REFUSED:
                raise InvalidAnswer(f"{_REFUSED[t.text]} ({t.text}) cannot be used in an answer: write the result", t.pos)
            if t.kind == "cmd" and t.text == "\\sqrt":
                if i + 1 < n and toks[i + 1].text == "[":
                    raise UnsupportedError("only square roots are supported (\\sqrt[n] is not)")
                i = self.function("sqrt", toks, i + 1, out, t)
                continue
            if t.kind in ("cmd",) and t.text[1:] in _WORD_CMDS:
                word, k = self.braced_word(toks, i + 1) if i + 1 < n and toks[i + 1].text == "{" else ("", i + 1)
                if t.text == "\\rm" or not word:
                    raise ParseError(f"{t.text} needs a braced word", t.pos)
                i = self.word(word, toks, k, out, t)
                continue
            if t.kind == "cmd":
                name = t.text[1:]
                if name in FUNC_ALIASES and not (name in self.ctx.shapes and name in GREEK):
                    i = self.function(FUNC_ALIASES[name], toks, i + 1, out, t)
                    continue
                if name in GREEK:
                    i = self.name(name, toks, i + 1, out, t)
                    continue
                if t.text in _PASS_CMDS:
                    out.append(t)
                    i += 1
                    continue
                raise InvalidAnswer(f"unknown command {t.text}", t.pos)
            if t.kind == "letter":
                i = self.name(t.text, toks, i + 1, out, t)
                continue
            if t.kind == "num":
                if "." in t.text:
                    frac = Fraction(t.text if not t.text.startswith(".") else "0" + t.text)
                    out.append(self.placeholder(sp.Rational(frac.numerator, frac.denominator)))
                else:
                    if len(t.text) > 40:
                        raise InvalidAnswer("number too long", t.pos)
                    out.append(t)
                i += 1
                continue
            if t.kind == "sym":
                if t.text in ("\\{", "\\}"):
                    raise UnsupportedError("sets are not supported in answers")
                raise InvalidAnswer(f"unexpected '{t.text}'", t.pos)
            if t.kind == "rowsep" or t.text == "&":
                raise ParseError(f"'{t.text}' outside a matrix", t.pos)
            if t.text == "'":
                raise ParseError("a prime (') must follow a name, a function or a bracket", t.pos)
            if t.text in ("+", "-", "*", "/", "^", "_", "!", ")", "]", "}", ","):
                if t.text == ",":
                    raise ParseError("unexpected ','", t.pos)
                out.append(t)
                i += 1
                continue
            raise InvalidAnswer(f"unexpected character {t.text!r}", t.pos)
        return self.finish(out)

    def matrix_group(self, inner):
        """The value of a brace group naming a declared vector or matrix at its top level (as in
        ``\\frac{1}{x^T x}``, ``e^{x^T x}``), read on its own; None if it names none or cannot be read
        alone (then it is left to the library, as before).  At most 32 such attempts per answer."""
        shapes = self.ctx.shapes
        if not any(tt.kind == "letter" and tt.text in shapes and tuple(shapes[tt.text]) != (1, 1)
                   for _, tt in self.top_level(inner)):
            return None
        self.group_budget = getattr(self, "group_budget", 32) - 1
        if self.group_budget < 0:
            return None
        try:
            return self.parse(inner)
        except SymjacError:
            return None

    # index notation: \sum_{n=1}^{N} body ------------------------------------------------
    def index_sum(self, toks, i, out, tok):
        r"""``\sum_{n=lo}^{hi} body`` in index notation: n is bound (a new letter, not a free index,
        a variable or a size); the body runs to the next top-level + or − or the end of its group."""
        n = len(toks)
        k = i + 1
        if k + 1 >= n or toks[k].text != "_":
            raise InvalidAnswer("write a sum with its limits, e.g. \\sum_{n=1}^{N}", tok.pos)
        sub, k = self.superscript(toks, k + 1)
        if k + 1 >= n or toks[k].text != "^":
            raise InvalidAnswer("write a sum with its limits, e.g. \\sum_{n=1}^{N}", tok.pos)
        sup, k = self.superscript(toks, k + 1)
        m = re.fullmatch(r"([A-Za-z])=(\w+)", sub)
        if m is None:
            raise InvalidAnswer(f"write the sum's index and lower limit as _{{n=1}}, not _{{{sub}}}", tok.pos)
        letter = m.group(1)
        if letter in self.ctx.index_symbols or letter in self.ctx.shapes or letter in self.ctx.dims:
            raise InvalidAnswer(f"the summation index {letter} is already a name in this answer", tok.pos)
        lo, hi = self.sum_limit(m.group(2), tok), self.sum_limit(sup, tok)
        depth, j, prev = 0, k, None
        while j < n:
            tt = toks[j]
            if tt.kind == "cmd" and tt.text == "\\begin":
                j = self.env_end(toks, j, self._env_name(toks, j)) + 1
                prev = tt
                continue
            if tt.kind == "char" and tt.text in "([{":
                depth += 1
            elif tt.kind == "char" and tt.text in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (tt.kind == "rowsep" or tt.text == "&"):
                break
            elif depth == 0 and tt.kind == "char" and tt.text in "+-" and j > k and prev is not None \
                    and prev.text not in ("+", "-", "*", "/", "^", "_", "\\cdot", "\\times"):
                break
            prev = tt
            j += 1
        if j == k:
            raise ParseError("\\sum without a summand", tok.pos)
        if sum(1 for v in self.ctx.index_symbols if v not in self.ctx.indices) >= MAX_SUM_NESTING:
            raise InvalidAnswer(f"sums nested more than {MAX_SUM_NESTING} deep", tok.pos)
        sym = sp.Symbol(letter, integer=True, positive=True)
        self.ctx.index_symbols[letter] = sym
        try:
            body = self.parse(toks[k:j])
        finally:
            del self.ctx.index_symbols[letter]
        if is_matrix(body):
            raise InvalidAnswer("in index notation a sum's summand is a scalar entry", tok.pos)
        out.append(self.placeholder(sp.Sum(body, (sym, lo, hi))))
        return j

    def sum_limit(self, text, tok):
        text = text.replace(" ", "")
        if text.isdigit():
            if not 0 <= int(text) <= MAX_SUM_LIMIT:
                raise InvalidAnswer(f"sum limit {text} out of range", tok.pos)
            return sp.Integer(int(text))
        if text in self.ctx.dims:
            return self.ctx.dims[text]
        raise InvalidAnswer(f"unknown sum limit {text!r}: use a number or one of the sizes "
                            f"{', '.join(sorted(self.ctx.dims)) or '(none)'}", tok.pos)

    # postfix on a matrix-valued operand: ^T ' ^{-1} ^{-T} ^{k} --------------------------
    def emit_with_postfix(self, value, toks, i, out):
        value, i = self.postfix(value, toks, i)
        out.append(self.placeholder(value))
        return i

    def postfix(self, value, toks, i):
        n = len(toks)
        while i < n:
            t = toks[i]
            if t.text == "'":
                value = sp.Transpose(value) if is_matrix(value) else value
                i += 1
                continue
            if t.text == "^" and i + 1 < n:
                sup, k = self.superscript(toks, i + 1)
                if sup == "T":
                    value = sp.Transpose(value) if is_matrix(value) else value
                elif sup == "-T":
                    inverse = self.power(value, -1, t)
                    value = sp.Transpose(inverse) if is_matrix(value) else inverse  # a scalar is its own transpose
                elif is_matrix(value) and self.integer_exponent(sup) is not None:
                    value = sp.MatPow(value, self.integer_exponent(sup))
                elif is_matrix(value):
                    if not re.fullmatch(r"-?\d+", sup):
                        raise UnsupportedError(f"the power ^{{{sup}}} of a matrix is not supported", t.pos)
                    value = self.power(value, int(sup), t)
                else:
                    break  # scalar powers: latex2sympy2-extended reads them
                i = k
                continue
            break
        return value, i

    def integer_exponent(self, sup: str):
        """p, p-1, p+2, 2p (p an integer-declared scalar) as a SymPy integer expression, else None."""
        m = re.fullmatch(r"(\d*)([A-Za-z])([+-]\d+)?", sup)
        if m is None or m.group(2) not in self.ctx.integers:
            return None
        p = sp.Symbol(m.group(2), real=True)
        return int(m.group(1) or 1) * p + int(m.group(3) or 0)

    def superscript(self, toks, i):
        """Text of a superscript starting at toks[i] ({…} or one token) and the index after it."""
        if toks[i].text == "{":
            j = self.match(toks, i)
            return "".join(t.text for t in toks[i + 1:j]).replace(" ", ""), j + 1
        return toks[i].text, i + 1

    def power(self, value, k, tok):
        if abs(k) > MAX_POWER:
            raise InvalidAnswer(f"power {k} is larger than {MAX_POWER}", tok.pos)
        if not is_matrix(value):
            return sp.Pow(_scalar(value), k, evaluate=False)
        if k == -1:
            return sp.Inverse(value)
        if k == 1:
            return value
        if k == 0:
            raise UnsupportedError("A^0 is not supported: write I", tok.pos)
        if k < 0:
            return sp.MatPow(sp.Inverse(value), -k)
        return sp.MatPow(value, k)

    # names -------------------------------------------------------------------
    def name(self, base: str, toks, i, out, tok):
        """A name (letter or Greek) with optional layer tag ^{(k)} and subscript."""
        n = len(toks)
        ctx = self.ctx
        layer = None
        sub = None
        transposed = False
        for _ in range(2):
            if i + 1 < n and toks[i].text == "^" and toks[i + 1].text == "{" and i + 2 < n and toks[i + 2].text == "(":
                sup, k = self.superscript(toks, i + 1)
                m = re.fullmatch(r"\((\d+)\)(\\top|T|\\intercal)?", sup)
                if not m:
                    raise ParseError(f"unreadable superscript ^{{{sup}}}", toks[i].pos)
                layer, i = m.group(1), k
                transposed = m.group(2) is not None      # a^{(0)\top}: layer 0, transposed
                if transposed:
                    break
                continue
            if i < n and toks[i].text == "_" and sub is None:
                if i + 1 >= n:
                    raise ParseError("'_' at the end", toks[i].pos)
                sub, i = self.superscript(toks, i + 1)
                continue
            break
        full = base + (layer or "")
        if ctx.single_entry and layer is None and full not in ctx.shapes:
            unit = self.single_entry(base, sub, toks, i, tok)
            if unit is not None:
                value, i = unit
                value, i = self.postfix(value, toks, i)
                out.append(self.placeholder(value))
                return i
        if base == "e" and full not in ctx.shapes and sub is None:
            out.append(Tok("letter", "e", tok.pos))  # Euler's number; e^{x} is read by the library
            return i
        # undeclared base with a digit subscript naming a declared layer: W_1 for W1
        if full not in ctx.shapes and sub is not None and re.fullmatch(r"\d", sub) and base + sub in ctx.shapes and layer is None:
            full, sub = base + sub, None
        if full in ctx.shapes:
            if sub is None:
                value = ctx.value_of(full)
            else:
                value = self.entry(full, sub, tok)
            if transposed and is_matrix(value):
                value = sp.Transpose(value)
            value, i = self.postfix(value, toks, i)
            out.append(self.placeholder(value))
            return i
        if base == "I" and layer is None:
            size = self.dim_of(sub, tok) if sub is not None else sp.Dummy("nI", integer=True, positive=True)
            value, i = self.postfix(sp.Identity(size), toks, i)
            out.append(self.placeholder(value))
            return i
        if base == "K" and layer is None and sub is not None:
            m_, n_ = self.two_dims(sub, tok)
            value, i = self.postfix(Commutation(m_, n_), toks, i)
            out.append(self.placeholder(value))
            return i
        if base == "delta" and sub is not None:
            a, b = self.two_indices(sub, tok)
            out.append(self.placeholder(sp.KroneckerDelta(a, b)))
            return i
        declared = ", ".join(sorted(ctx.shapes)) or "nothing"
        shown = ("\\" + base if base in GREEK else base) + (f"^{{({layer})}}" if layer else "") + (f"_{{{sub}}}" if sub else "")
        raise InvalidAnswer(f"unknown symbol {shown}: the problem declares {declared}", tok.pos)

    def single_entry(self, base, sub, toks, i, tok):
        """E_{ij}, J^{ij} (X's shape, 1 at (i, j)) and e_i, e_j (unit columns of X's row / column count)
        in an entry-convention answer; (node, next token index) or None."""
        name, li, lj = self.ctx.single_entry
        rows, cols = self.ctx.shapes[name]
        if base in ("E", "J") and sub is None and i + 1 < len(toks) and toks[i].text == "^":
            sup, k = self.superscript(toks, i + 1)
            sub, i = sup, k
            if base == "E":
                return None
        elif base in ("E", "J") and sub is not None:
            pass
        elif base == "e" and sub is not None:
            s = sub.replace(" ", "")
            if s == li or (cols == 1 and s == lj):
                return SingleEntry(self._index(s, tok), 1, rows, 1), i
            if s == lj:
                return SingleEntry(self._index(s, tok), 1, cols, 1), i
            return None
        else:
            return None
        s = sub.replace(" ", "")
        parts = s.split(",") if "," in s else list(s) if len(s) == 2 else None
        if not parts or len(parts) != 2:
            raise InvalidAnswer(f"{base}^{{{sub}}}: the single-entry matrix takes two indices", tok.pos)
        if parts == [lj, li] and li != lj:   # J^{ji} = (J^{ij})ᵀ, of Xᵀ's shape (Matrix Cookbook §9.7)
            return SingleEntry(self._index(lj, tok), self._index(li, tok), cols, rows), i
        a, b = (self._index(p, tok) for p in parts)
        return SingleEntry(a, b, rows, cols), i

    def _index(self, part: str, tok):
        if part.isdigit():
            return int(part)
        if part in self.ctx.index_symbols:
            return self.ctx.index_symbols[part]
        raise InvalidAnswer(f"unknown index {part!r} in a subscript", tok.pos)

    def entry(self, name, sub, tok):
        rows, cols = self.ctx.shapes[name]
        if rows == 1 and cols == 1:
            raise InvalidAnswer(f"{name} is a scalar: it has no entries", tok.pos)
        sub = sub.replace(" ", "")
        if "," in sub:
            parts = sub.split(",")
        elif cols == 1 or rows == 1:
            parts = [sub]
        elif len(sub) == 2:
            parts = [sub[0], sub[1]]
        else:
            raise InvalidAnswer(f"write the indices of {name}_{{{sub}}} with a comma, e.g. {name}_{{1,10}}", tok.pos)
        idx = [self._index(p, tok) for p in parts]
        if (cols == 1 or rows == 1) and len(idx) == 2:
            # x_{i,1} for a column vector
            if cols == 1 and idx[1] == 1:
                idx = [idx[0]]
            elif rows == 1 and idx[0] == 1:
                idx = [idx[1]]
        if len(idx) == 1 and not (cols == 1 or rows == 1):
            raise InvalidAnswer(f"{name} is a matrix: its entries need two indices", tok.pos)
        if len(idx) > 2:
            raise InvalidAnswer(f"too many indices in {name}_{{{sub}}}", tok.pos)
        bounds = [rows if cols == 1 else cols] if len(idx) == 1 and rows == 1 else ([rows] if len(idx) == 1 else [rows, cols])
        for k, b in zip(idx, bounds):
            if isinstance(k, int):
                if k < 1:
                    raise InvalidAnswer(f"indices start at 1: {name}_{{{sub}}}", tok.pos)
                if k > MAX_ENTRY_INDEX:
                    raise InvalidAnswer(f"{name}_{{{_short(sub, 24)}}}: index {_short(k, 24)} is larger than any size "
                                        f"an answer is checked at (at most {MAX_ENTRY_INDEX})", tok.pos)
                if b.is_Integer and k > int(b):
                    raise InvalidAnswer(f"{name}_{{{sub}}} is outside {name}'s shape {rows}x{cols}", tok.pos)
        if all(isinstance(k, int) for k in idx):
            return entry_symbol(name, *idx)
        return sp.Indexed(sp.IndexedBase(name), *[sp.Integer(k) if isinstance(k, int) else k for k in idx])

    def dim_of(self, sub, tok):
        """A size written in a subscript: 3, n, n^2, mn, 2n, m+1 (dimension names of the problem)."""
        sub = sub.replace(" ", "")
        if sub.isdigit():
            if not 1 <= int(sub) <= 64:
                raise InvalidAnswer(f"size {sub} out of range", tok.pos)
            return sp.Integer(int(sub))
        if sub in self.ctx.dims:
            return self.ctx.dims[sub]
        value = _size_expr(sub, self.ctx.dims)
        if value is None:
            raise InvalidAnswer(f"unknown size {_short(sub)}: the problem's dimensions are "
                                f"{', '.join(sorted(self.ctx.dims)) or 'all numbers'}", tok.pos)
        return value

    def size_pair(self, sub, tok, what):
        """Rows and columns written m\\times n or m,n (one size: a column of that length)."""
        parts = [p for p in re.split(r"\\times|\\cdot|,", sub.replace(" ", ""))]
        if len(parts) == 1:
            return self.dim_of(parts[0], tok), sp.S.One
        if len(parts) != 2 or not all(parts):
            raise InvalidAnswer(f"write the size of {what} as {what}_{{m\\times n}} or {what}_n", tok.pos)
        return self.dim_of(parts[0], tok), self.dim_of(parts[1], tok)

    def two_dims(self, sub, tok):
        sub = sub.replace(" ", "")
        parts = sub.split(",") if "," in sub else list(sub) if len(sub) == 2 else None
        if not parts or len(parts) != 2:
            raise InvalidAnswer(f"K_{{{sub}}}: write the commutation matrix as K_{{mn}} or K_{{m,n}}", tok.pos)
        return tuple(self.dim_of(p, tok) for p in parts)

    def two_indices(self, sub, tok):
        sub = sub.replace(" ", "")
        parts = sub.split(",") if "," in sub else list(sub) if len(sub) == 2 else None
        if not parts or len(parts) != 2:
            raise InvalidAnswer(f"\\delta_{{{sub}}} needs two indices", tok.pos)
        return tuple(sp.Integer(k) if isinstance(k, int) else k for k in (self._index(p, tok) for p in parts))

    # words: \operatorname{tr}, \mathrm{diag}, \text{Phi} ------------------------------
    def word(self, word, toks, i, out, tok):
        w = word.strip()
        if w in FUNC_ALIASES:
            return self.function(FUNC_ALIASES[w], toks, i, out, tok)
        if w in self.ctx.shapes or (len(w) == 1 and w.isalpha()):
            return self.name(w, toks, i, out, tok)
        if w in ("softmax", "Softmax"):
            raise UnsupportedError("softmax is not supported in answers", tok.pos)
        raise InvalidAnswer(f"unknown name {tok.text}{{{_short(w)}}}", tok.pos)

    # functions ----------------------------------------------------------------------
    def function(self, fname, toks, i, out, tok):
        n = len(toks)
        order = 0
        fpow = None
        while i < n and (toks[i].text == "'" or toks[i].text == "^"):
            if toks[i].text == "'":
                order += 1
                i += 1
            else:
                sup, i = self.superscript(toks, i + 1)
                if not re.fullmatch(r"\d", sup):
                    raise UnsupportedError(f"{tok.text}^{{{sup}}}: only small integer powers of a function", tok.pos)
                fpow = int(sup)
        if order > 1:
            raise UnsupportedError("only first derivatives (one prime) are supported", tok.pos)
        if i >= n:
            raise ParseError(f"{tok.text} needs an argument", tok.pos)
        if toks[i].text in ("(", "[", "{"):
            j = self.match(toks, i)
            inner = toks[i + 1:j]
            i = j + 1
        else:  # a bare argument: one name with its sub/superscripts (\det A, \ln x)
            j = i + 1
            while j < n and toks[j].text in ("_", "^"):
                if j + 1 < n and toks[j + 1].text == "{":
                    j = self.match(toks, j + 1) + 1
                else:
                    j += 2
            inner = toks[i:j]
            i = j
        if not inner:
            raise ParseError(f"{tok.text} needs an argument", tok.pos)
        if fname == "max":
            args = self.split_commas(inner)
            vals = [self.parse(a) for a in args]
            if len(vals) != 2 or any(is_matrix(v) for v in vals):
                raise UnsupportedError("\\max takes two scalars, e.g. \\max(0, x)", tok.pos)
            if vals[0] == 0 or vals[1] == 0:
                value = self.apply("relu", vals[1] if vals[0] == 0 else vals[0], 0, tok)
            else:
                value = sp.Max(*vals, evaluate=False)
        elif fname == "diag" and any(t.text == "," for _, t in self.top_level(inner)):
            vals = [self.parse(a) for a in self.split_commas(inner)]
            if any(is_matrix(v) for v in vals):
                value = sp.BlockDiagMatrix(*[v if is_matrix(v) else sp.ImmutableMatrix([[v]]) for v in vals])
            else:
                value = Diag(sp.ImmutableMatrix(len(vals), 1, vals))
        else:
            parts = self.split_commas(inner)
            nparams = len(registry.get(fname).params) if fname in registry.REGISTRY else 0
            if len(parts) > 1 + nparams:
                raise ParseError(f"{tok.text} takes {'one argument' if not nparams else f'at most {1 + nparams} arguments'}",
                                 tok.pos)
            arg = self.parse(parts[0])
            value = self.apply(fname, arg, order, tok, [self.number(p, tok) for p in parts[1:]])
        if fpow is not None:
            value = hadamard(value, value) if is_matrix(value) and fpow == 2 else self.power(value, fpow, tok)
        value, i = self.postfix(value, toks, i)
        out.append(self.placeholder(value))
        return i

    def split_commas(self, toks):
        parts, start = [], 0
        for k, t in self.top_level(toks):
            if t.text == ",":
                parts.append(toks[start:k])
                start = k + 1
        parts.append(toks[start:])
        return parts

    def number(self, toks, tok):
        """A function's numeric parameter (leaky ReLU's slope): a real number, exactly."""
        v = self.parse(toks) if toks else None
        if v is None or is_matrix(v) or not getattr(v, "is_number", False) or not v.is_real:
            raise ParseError(f"the parameters of {tok.text} must be numbers", tok.pos)
        return v

    def apply(self, fname, arg, order, tok, params=()):
        if fname == "sigma":
            fname = self.ctx.sigma
        if fname in registry.REGISTRY:
            d = registry.get(fname)
            params = d.with_defaults(params)
            if is_matrix(arg) or isinstance(arg, (sp.MatrixExpr, sp.MatrixBase)):
                return elementwise_node(d, _as_mat(arg), order, params)
            f = d(arg, *params)
            return d.derivative(f, arg, *params) if order else f
        if order:
            raise UnsupportedError(f"a prime on {tok.text} is not supported", tok.pos)
        if fname in ("trace", "det", "adj", "inv"):
            if not is_matrix(arg):
                return arg if fname in ("trace", "det") else (sp.S.One if fname == "adj" else sp.Pow(arg, -1, evaluate=False))
            return {"trace": sp.Trace, "det": sp.Determinant, "adj": Adjugate, "inv": sp.Inverse}[fname](_as_mat(arg))
        if fname == "diag":
            if not is_matrix(arg):
                return arg
            return Diag(_as_mat(arg))
        if fname == "vec":
            return Vec(_as_mat(arg)) if is_matrix(arg) else arg
        raise UnsupportedError(f"function {tok.text} is not supported", tok.pos)  # pragma: no cover

    # norms and absolute values -------------------------------------------------------
    def norm(self, toks, i, out):
        t = toks[i]
        closer = t.text
        depth = 0
        j = i + 1
        while j < len(toks):
            tt = toks[j]
            if tt.kind == "char" and tt.text in "([{":
                depth += 1
            elif tt.kind == "char" and tt.text in ")]}":
                depth -= 1
            elif tt.text == closer and depth == 0:
                break
            j += 1
        else:
            raise ParseError(f"unclosed '{closer}'", t.pos)
        inner = toks[i + 1:j]
        if not inner:
            raise ParseError("empty norm", t.pos)
        arg = self.parse(inner)
        i = j + 1
        kind = "2"
        if i < len(toks) and toks[i].text == "_":
            sub, i = self.superscript(toks, i + 1)
            if sub not in ("2", "F"):
                raise UnsupportedError(f"norm subscript {sub!r}: use _2 or _F", t.pos)
            kind = sub
        if is_matrix(arg):
            value = Norm(_as_mat(arg), Str(kind))
        else:
            value = sp.Abs(arg, evaluate=False)
        out.append(self.placeholder(value))
        return i

    # environments ----------------------------------------------------------------------
    def environment(self, name, toks, i, j):
        if name not in MATRIX_ENVS:
            raise UnsupportedError(f"environment {name} is not supported", toks[i].pos)
        _, k = self.braced_word(toks, i + 1)
        if name == "array" and k < j and toks[k].text == "{":
            k = self.match(toks, k) + 1
        end = max(q for q in range(i, j) if toks[q].text == "\\end")
        body = toks[k:end]
        rows = self.split_rows(body)
        if name == "cases":
            return self.cases(rows, toks[i])
        cells = [[self.parse(c) if c else _empty(toks[i]) for c in row] for row in rows]
        if not cells:
            raise ParseError("empty matrix", toks[i].pos)
        width = len(cells[0])
        for r, row in enumerate(cells):
            if len(row) != width:
                raise ParseError(f"ragged matrix: row 1 has {width} entries, row {r + 1} has {len(row)}", toks[i].pos)
        if any(is_matrix(v) for row in cells for v in row):
            if name in ("vmatrix", "Vmatrix"):
                raise UnsupportedError("determinants of block matrices are not supported", toks[i].pos)
            return _block_matrix(cells, toks[i])
        M = sp.ImmutableMatrix(cells)
        if name in ("vmatrix", "Vmatrix"):
            if M.rows != M.cols:
                raise ShapeError(f"a determinant needs a square matrix, got {M.rows}x{M.cols}")
            return sp.Determinant(M)
        return M

    def split_rows(self, body):
        rows, row, cell = [], [], []
        depth = 0
        k = 0
        while k < len(body):
            t = body[k]
            if t.kind == "cmd" and t.text == "\\begin":
                name = self._env_name(body, k)
                e = self.env_end(body, k, name)
                cell.extend(body[k:e + 1])
                k = e + 1
                continue
            if t.kind == "char" and t.text in "([{":
                depth += 1
            elif t.kind == "char" and t.text in ")]}":
                depth -= 1
            if depth == 0 and t.text == "&":
                row.append(cell)
                cell = []
            elif depth == 0 and t.kind == "rowsep":
                row.append(cell)
                rows.append(row)
                row, cell = [], []
            elif t.kind == "cmd" and t.text in ("\\hline",) or (t.kind == "char" and t.text == "|" and False):
                pass
            else:
                cell.append(t)
            k += 1
        if cell or row:
            row.append(cell)
            rows.append(row)
        # a trailing \\ leaves an empty last row
        while rows and all(not c for c in rows[-1]) and len(rows) > 1:
            rows.pop()
        return rows

    def cases(self, rows, tok):
        pieces = []
        for row in rows:
            if len(row) != 2 or not row[0]:
                raise ParseError("each case needs 'value & condition'", tok.pos)
            value = self.parse(row[0])
            if is_matrix(value):
                raise UnsupportedError("cases must have scalar values", tok.pos)
            pieces.append((value, self.condition(row[1], tok)))
        if not any(c is sp.true for _, c in pieces):
            pieces.append((sp.S.Zero, sp.true))
        return sp.Piecewise(*pieces, evaluate=False)

    def condition(self, toks, tok):
        if not toks:
            raise ParseError("empty condition in cases", tok.pos)
        text = self.src[toks[0].pos:toks[-1].pos + len(toks[-1].text)]
        text = re.sub(r"\\(?:text|mathrm|textrm|mbox)\s*\{([^{}]*)\}", r" \1 ", text)
        text = re.sub(r"\\(?:land|wedge)|&", " , ", text)
        low = re.sub(r"\s+", " ", text).strip()
        if re.fullmatch(r"(?:\s*(?:otherwise|else|elsewhere|other\s*wise|o\s*\.\s*w\s*\.?)\s*)", low.replace(" ", " ")):
            return sp.true
        low = re.sub(r"\b(?:if|when|for|where|but|and|only)\b", ",", low)
        parts = [p.strip() for p in low.split(",") if p.strip()]
        if not parts:
            raise ParseError("empty condition in cases", tok.pos)
        conds = []
        for p in parts:
            # a chain i = j = k, j = p \neq q: each neighbouring pair is one condition
            chain = re.split(r"\s*(=|\\neq|\\ne(?![a-z])|!\s*=)\s*", p.strip())
            if len(chain) < 3 or len(chain) % 2 == 0 or not all(
                    re.fullmatch(r"[A-Za-z]|\d+", x) for x in chain[0::2]):
                raise UnsupportedError(f"cannot read the condition {_short(p)!r}: use i = j, i \\neq j, otherwise", tok.pos)
            terms = [self._index(x, tok) for x in chain[0::2]]
            terms = [sp.Integer(x) if isinstance(x, int) else x for x in terms]
            for a_, op, b_ in zip(terms, chain[1::2], terms[1:]):
                conds.append(sp.Eq(a_, b_) if op == "=" else sp.Ne(a_, b_))
        return sp.And(*conds) if len(conds) > 1 else conds[0]

    # 4. hand the flattened text to latex2sympy2-extended, then lift ---------------------
    def finish(self, out: list[Tok]):
        if len(out) == 1 and out[0].kind == "ph":
            return self.ph[out[0].text[6:-1]]
        if not out:
            raise ParseError("empty expression")
        out = self.broadcast_constants(out)
        try:
            raw = _call_library(*self.library_input(out))
        except ShapeError:
            # w^T x + b: a 1×1 product beside scalars; retry with each scalar term as a 1×1 matrix
            raw = _call_library(*self.library_input(self.scalar_terms_as_matrices(out), one_by_one_as_matrix=True))
        return self.lift(raw)

    def library_input(self, out: list[Tok], one_by_one_as_matrix: bool = False):
        """The flattened text and the placeholders to declare as matrices (a 1×1 matrix expression is a
        scalar to a student, unless ``one_by_one_as_matrix``: the retry that reads w^T x + b)."""
        variables = {}
        for t in out:
            if t.kind == "ph":
                key = t.text[6:-1]
                v = self.ph[key]
                if is_matrix(v) or (one_by_one_as_matrix and isinstance(v, sp.MatrixExpr)):
                    variables[key] = sp.MatrixSymbol(key, 2, 2)
        return " ".join(t.text for t in out), variables

    def scalar_terms_as_matrices(self, out: list[Tok]) -> list[Tok]:
        """Each top-level term without a matrix gets a 1×1 factor, so that the library adds it to a
        1×1 product; a real size mismatch (x + 1 for a vector x) is still refused when evaluated."""
        new, cur, depth = [], [], 0

        def flush():
            if cur and not any(t.kind == "ph" and is_matrix(self.ph[t.text[6:-1]]) for t in cur):
                cur.append(self.placeholder(sp.OneMatrix(1, 1)))
            new.extend(cur)

        for t in out:
            if t.kind == "char" and t.text in "{(":
                depth += 1
            elif t.kind == "char" and t.text in "})":
                depth -= 1
            if depth == 0 and t.kind == "char" and t.text in "+-":
                flush()
                cur = []
                new.append(t)
                continue
            cur.append(t)
        flush()
        return new

    def broadcast_constants(self, out: list[Tok]) -> list[Tok]:
        """In a sum whose matrix terms are all elementwise (σ(z), tanh²(z), a ⊙ b), a constant term
        means that constant in every entry: 1 - tanh²(z) is 1 - tanh(z)⊙tanh(z) entry by entry."""
        terms, cur, depth = [], [], 0
        for t in out:
            if t.kind == "char" and t.text in "{(":
                depth += 1
            elif t.kind == "char" and t.text in "})":
                depth -= 1
            if depth == 0 and t.kind == "char" and t.text in "+-":
                terms.append(cur)
                cur = []
                continue
            cur.append(t)
        terms.append(cur)
        const, elementwise, shape_ = [], 0, None
        for term in terms:
            mats = [self.ph[t.text[6:-1]] for t in term if t.kind == "ph" and is_matrix(self.ph[t.text[6:-1]])]
            others = [t for t in term if t.kind not in ("num", "ph") and t.text not in ("\\frac", "{", "}", "\\cdot", "*", "/")]
            scalars_only = all(t.kind != "ph" or _as_expr_number(self.ph[t.text[6:-1]]) for t in term)
            if not mats:
                if term and scalars_only and not others:
                    const.append(term)
                elif term:
                    return out
                continue
            if len(mats) != 1 or others or not isinstance(mats[0], (*ELEMENTWISE_NODES, Hadamard)):
                return out
            elementwise += 1
            shape_ = shape(mats[0])
        if not (const and elementwise):
            return out
        ones = {id(term[-1]) for term in const}
        new = []
        for t in out:
            new.append(t)
            if id(t) in ones:
                new.append(self.placeholder(sp.OneMatrix(*shape_)))
        return new

    def lift(self, e):
        if isinstance(e, sp.MatrixSymbol) and e.name in self.ph:
            return self.ph[e.name]
        if isinstance(e, sp.Symbol):
            if e.name in self.ph:
                return self.ph[e.name]
            raise InvalidAnswer(f"unknown symbol {_short(e.name)}")
        if isinstance(e, sp.MatrixBase):
            return sp.ImmutableMatrix(e.rows, e.cols, [self.lift(x) for x in e])
        if isinstance(e, (sp.Integer, sp.Rational)):
            return e
        if isinstance(e, sp.Float):
            raise InvalidAnswer("unexpected decimal number")
        if e in (sp.E, sp.pi):
            return e
        if isinstance(e, (sp.Mul, sp.MatMul)):
            args = [self.lift(a) for a in e.args]
            return _product(args)
        if isinstance(e, (sp.Add, sp.MatAdd)):
            args = [self.lift(a) for a in e.args]
            mats = [a for a in args if is_matrix(a) or isinstance(a, sp.MatrixExpr)]
            if mats and len(mats) < len(args) and all(tuple(a.shape) == (1, 1) for a in mats):
                return sp.Add(*[_scalar(a) for a in args], evaluate=False)   # x^T x + 1: a 1×1 is a scalar
            if mats:
                return sp.MatAdd(*[_as_mat(a) if is_matrix(a) else a for a in args], evaluate=False)
            return sp.Add(*args, evaluate=False)
        if isinstance(e, sp.Pow):
            base = self.lift(e.args[0])
            if not is_matrix(base):
                base = _scalar(base)
            ex = self.lift(e.args[1])
            if not ex.is_Number and ex.free_symbols and not is_matrix(ex) \
                    and {x.name for x in ex.free_symbols} <= set(self.ctx.integers):
                # det(X)^{k}, X^{p-1}: an integer parameter in the exponent, evaluated at each drawn value
                return sp.MatPow(base, ex) if is_matrix(base) else sp.Pow(base, ex, evaluate=False)
            if not ex.is_Number:
                if base is sp.E:
                    return sp.exp(ex)
                raise InvalidAnswer("exponents must be numbers (no towers like x^{y^{z}})")
            if abs(ex) > MAX_POWER:
                raise InvalidAnswer(f"exponent {ex} is larger than {MAX_POWER}")
            if is_matrix(base):
                if not ex.is_Integer:
                    raise UnsupportedError("fractional powers of matrices are not supported")
                return self.power(base, int(ex), Tok("", "", None))
            if base.is_Number and ex.is_Number and base == 0 and ex < 0:
                raise InvalidAnswer("division by zero")
            return sp.Pow(base, ex, evaluate=False)
        if isinstance(e, sp.exp):
            arg = _scalar(self.lift(e.args[0]))
            if is_matrix(arg):
                raise UnsupportedError("e^{matrix} is not supported")
            return sp.exp(arg, evaluate=False)
        if isinstance(e, sp.Transpose):
            arg = self.lift(e.args[0])
            return sp.Transpose(arg) if is_matrix(arg) else arg
        if isinstance(e, sp.factorial):
            arg = self.lift(e.args[0])
            if not (arg.is_Integer and 0 <= arg <= MAX_FACTORIAL):
                raise InvalidAnswer(f"factorials only of integers up to {MAX_FACTORIAL}")
            return sp.factorial(arg)
        raise UnsupportedError(f"unsupported construct in the answer ({type(e).__name__})")


MAX_ENTRY_INDEX = 64   # the largest size (parsing.shapes.MAX_DIM) at which anything is checked


_SIZE_TOKEN = re.compile(r"\d+|[A-Za-z]|[-+*^(){}]")


def _size_expr(text: str, dims: dict):
    """A size expression (n^2, mn, 2n, m+1, (m+1)n) over the dimension names ``dims`` as SymPy, or None.
    Read by a small recursive parser: sums of products of numbers, names and ^integer powers."""
    text = re.sub(r"\\times|\\cdot", "*", text)
    toks = _SIZE_TOKEN.findall(text)
    if "".join(toks) != text or len(toks) > 40:
        return None
    pos = 0

    def peek():
        return toks[pos] if pos < len(toks) else None

    def atom():
        nonlocal pos
        t = peek()
        if t is None:
            raise ValueError
        pos += 1
        if t in ("(", "{"):
            v = expr()
            if peek() not in (")", "}"):
                raise ValueError
            pos += 1
        elif t.isdigit():
            v = sp.Integer(int(t))
        elif t in dims:
            v = dims[t]
        else:
            raise ValueError
        if peek() == "^":
            pos += 1
            e = atom()
            if not (e.is_Integer and 1 <= int(e) <= 4):
                raise ValueError
            v = v ** e
        return v

    def term():
        nonlocal pos
        v = atom()
        while peek() is not None and peek() not in ("+", "-", ")", "}"):
            if peek() == "*":
                pos += 1
            v = v * atom()
        return v

    def expr():
        nonlocal pos
        v = term()
        while peek() in ("+", "-"):
            op = toks[pos]
            pos += 1
            v = v + term() if op == "+" else v - term()
        return v

    try:
        v = expr()
    except (ValueError, RecursionError):
        return None
    if pos != len(toks) or (v.is_Integer and not 1 <= int(v) <= 64) or not v.free_symbols <= set(dims.values()):
        return None
    return v


def _same_size(a, b) -> bool:
    return exactly_equal(a, b)


def _block_matrix(cells, tok):
    """A block matrix [[A, 0], [0, B]]: each block row has one height and each block column one width,
    read from its matrix blocks; a 0 (or a sizeless I) takes the size its row and column give it."""
    heights, widths = [None] * len(cells), [None] * len(cells[0])
    for r, row in enumerate(cells):
        for c, v in enumerate(row):
            if not is_matrix(v) and v != 0:
                h, w = sp.S.One, sp.S.One
            elif is_matrix(v) and not (isinstance(v, sp.Identity) and isinstance(v.shape[0], sp.Dummy)):
                h, w = shape(v)
            else:
                continue
            for k, have, got in ((r, heights, h), (c, widths, w)):
                if have[k] is None:
                    have[k] = got
                elif not _same_size(have[k], got):
                    raise ShapeError(f"block matrix: blocks in one {'row' if have is heights else 'column'} "
                                     f"have different sizes ({have[k]} and {got})", tok.pos)
    for r, row in enumerate(cells):   # a sizeless I is square: its row gives its column and back
        for c, v in enumerate(row):
            if isinstance(v, sp.Identity) and isinstance(v.shape[0], sp.Dummy):
                heights[r] = heights[r] if heights[r] is not None else widths[c]
                widths[c] = widths[c] if widths[c] is not None else heights[r]
    if len(cells) == 1 and len(cells[0]) == 1:
        return cells[0][0]   # [X] is X
    if None in heights or None in widths:
        raise ShapeError("block matrix: a block row or column has no block of known size", tok.pos)
    blocks = []
    for r, row in enumerate(cells):
        out = []
        for c, v in enumerate(row):
            h, w = heights[r], widths[c]
            if is_matrix(v) and not isinstance(v, sp.Identity) or isinstance(v, sp.Identity) and not isinstance(v.shape[0], sp.Dummy):
                out.append(v)
            elif isinstance(v, sp.Identity):
                if not _same_size(h, w):
                    raise ShapeError("block matrix: I must sit in a square block", tok.pos)
                out.append(sp.Identity(h))
            elif v == 0:
                out.append(sp.ZeroMatrix(h, w))
            else:
                out.append(sp.ImmutableMatrix([[v]]))
        blocks.append(out)
    return sp.BlockMatrix(blocks)


def _broadcast_sum(v):
    """A sum of a matrix and numbers (1 - h) with each number c as c·1 (ones of the matrix's shape)."""
    def constant(a):   # c, 1×1 ones (from a 1×1 retry), or c·(1×1 ones): the number, else None
        if _as_expr_number(a):
            return a
        if isinstance(a, sp.OneMatrix) and a.shape == (1, 1):
            return sp.S.One
        if isinstance(a, sp.MatMul) and a.shape == (1, 1) and all(
                _as_expr_number(f) or isinstance(f, sp.OneMatrix) for f in a.args):
            return sp.Mul(*[f for f in a.args if _as_expr_number(f)])
        return None

    if not isinstance(v, sp.MatAdd) or not any(constant(a) is not None for a in v.args):
        return v
    mats = [a for a in v.args if is_matrix(a)]
    if not mats:
        return v
    ones = sp.OneMatrix(*shape(mats[0]))
    return sp.MatAdd(*[sp.MatMul(constant(a), ones) if constant(a) is not None else a for a in v.args], evaluate=False)


def _unsigned(v):
    """-X (a MatMul of -1 and X) as X."""
    if isinstance(v, sp.MatMul) and len(v.args) == 2 and v.args[0] == -1:
        return v.args[1]
    return v


def _as_expr_number(v) -> bool:
    return isinstance(v, sp.Basic) and not is_matrix(v) and v.is_number


def _short(s: str, n: int = 30) -> str:
    s = str(s)
    return s if len(s) <= n else s[:n] + "…"


def _empty(tok):
    raise ParseError("empty matrix entry", tok.pos)


def _as_mat(v):
    return v


def _scalar(e):
    """A 1×1 matrix expression as the scalar it is to a student (its trace, so ``x^T x`` can be
    inverted, raised to powers, divided by and multiplied with a matrix); anything else unchanged."""
    if isinstance(e, sp.MatrixExpr):
        return sp.Trace(e) if e.shape == (1, 1) else e
    if isinstance(e, sp.MatrixBase):
        return e[0, 0] if e.shape == (1, 1) else e
    if isinstance(e, sp.Basic) and e.args and e.is_commutative is False:
        return e.func(*[_scalar(a) for a in e.args])
    return e


def _product(args):
    """Factors in order: scalars gathered in front, matrices multiplied in order."""
    scalars = [a for a in args if not is_matrix(a)]
    if any(is_matrix(a) for a in args):
        scalars = [_scalar(a) for a in scalars]
    mats = [a for a in args if is_matrix(a)]
    if not mats:
        return sp.Mul(*scalars, evaluate=False) if len(scalars) > 1 else scalars[0]
    if not scalars and len(mats) == 1:
        return mats[0]
    return sp.MatMul(*scalars, *mats, evaluate=False)


_CONFIG = None


def _call_library(text: str, variables: dict):
    """latex2sympy2-extended on flattened text; its bare Exceptions become ParseError."""
    global _CONFIG
    from latex2sympy2_extended.latex2sympy2 import ConversionConfig, latex2sympy

    if _CONFIG is None:
        _CONFIG = ConversionConfig(
            interpret_as_mixed_fractions=False, interpret_simple_eq_as_assignment=False,
            interpret_contains_as_eq=False, lowercase_symbols=False,
        )
    for v in variables.values():  # objects only: strings would go through parse_expr
        assert isinstance(v, sp.MatrixSymbol)
    try:
        return latex2sympy(text, variable_values=variables, normalization_config=None, conversion_config=_CONFIG)
    except SymjacError:
        raise
    except RecursionError:
        raise InvalidAnswer("answer nested too deeply") from None
    except Exception as exc:  # the library raises bare Exceptions with multi-line messages
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "Mix of Matrix and Scalar" in first or isinstance(exc, (TypeError, ValueError)) and "shape" in first.lower():
            raise ShapeError("cannot add a matrix and a scalar") from None
        if "noncommutative scalars" in first:          # a matrix in a denominator (\frac{1}{2\sqrt{Wa}})
            raise UnsupportedError("cannot divide by a matrix or vector: write its inverse, "
                                   r"e.g. \operatorname{diag}(v)^{-1}") from None
        raise ParseError(f"cannot read the answer: {_short(first, 80)}") from None


def parse_latex(text: str, shapes: dict, *, indices=(), sigma: str = "sigmoid", single_entry=None, integers=()):
    """Parse a LaTeX answer against declared ``shapes``; returns a SymPy tree.

    shapes: name → (rows, cols) with ints or dimension names.  ``indices``:
    letters allowed as generic indices (index-notation answers).  ``single_entry``: (X, i, j) for an
    answer ∂F/∂X_ij, where E_{ij} / J^{ij} / e_i e_jᵀ are read as single-entry matrices.  ``integers``:
    scalar names declared integer, allowed in an exponent (``X^{p-1}``).  Raises a
    :class:`~symjac.errors.SymjacError` subclass (one line) for invalid input.
    """
    guard(text, dots_allowed=True)
    text = guard(expand_dot_sums(extract_answer(text)))
    ctx = LatexContext(dict(shapes), tuple(indices), sigma, single_entry=single_entry, integers=tuple(integers))
    scanner = _Scanner(ctx)
    scanner.src = rewrite(text)
    toks = tokenize(scanner.src)
    if len(toks) > MAX_TOKENS:
        raise InvalidAnswer("answer too long")
    try:
        value = scanner.parse(toks)
    except RecursionError:
        raise InvalidAnswer("answer nested too deeply") from None
    except SymjacError:
        raise
    except (sp.ShapeError, sp.NonSquareMatrixError) as exc:  # SymPy checks concrete shapes on construction
        first = exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""   # never the args tuple
        first = re.split(r"[:(]", first)[0].strip()
        if "non-square matrix" in first:     # SymPy names the matrix by its repr: say what was attempted
            first = first.split(" of ")[0] + " of a non-square matrix"
        words = {"Matrices are not aligned": "a product's inner sizes differ",
                 "Matrices have mismatching shape": "a sum of matrices of different shapes"}.get(first, first.rstrip(".").lower())
        raise ShapeError(f"shapes do not fit: {_short(words, 80)}" if words else "shapes do not fit") from None
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, ZeroDivisionError, OverflowError) as exc:
        raise ParseError(f"cannot read the answer ({type(exc).__name__})") from None
    return value


__all__ = ["parse_latex", "rewrite", "tokenize", "LatexContext", "InvalidAnswer", "shape", "is_matrix"]
