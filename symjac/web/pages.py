"""HTML of the web pages, built from the plain data of :mod:`symjac.web.jobs`.

Every piece of text is escaped with :func:`html.escape`; LaTeX goes into a
``data-tex`` attribute that ``static/app.js`` renders with the vendored KaTeX
(``.katex`` nodes), so nothing from a request is ever inserted as markup.
"""
from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from symjac.web.jobs import CONVENTION_CHOICES, MODES

NAV = (("Derive", "/derive"), ("Check", "/check"), ("Catalogue", "/catalogue"))
CONVENTION_LABELS = {
    "vec": "VEC — column-first both sides (default)",
    "notes": "NOTES — outputs column-first, inputs row-first",
    "row": "ROW — row-first both sides (NumPy / JAX)",
    "denominator": "DENOMINATOR — transpose of VEC (denominator layout)",
    "gradient": "GRADIENT — a scalar's gradient in the variable's shape",
}
MODE_LABELS = {"both": "explicit and closed form", "explicit": "explicit (entry by entry)", "closed": "closed form"}


def e(text) -> str:
    return escape(str(text), quote=True)


def math(tex: str, display: bool = False) -> str:
    """A placeholder KaTeX renders: the LaTeX is an attribute value, shown as text until rendered."""
    tag = "div" if display else "span"
    cls = "math display" if display else "math"
    return f'<{tag} class="{cls}" data-tex="{e(tex)}">{e(tex)}</{tag}>'


def layout(title: str, body: str, active: str = "") -> str:
    links = "".join(
        f'<a href="{href}"{" class=active" if name == active else ""}>{name}</a>' for name, href in NAV
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · symjac</title>
<link rel="stylesheet" href="/static/katex/katex.min.css">
<link rel="stylesheet" href="/static/style.css">
</head><body>
<header><span class="brand">symjac</span><nav>{links}</nav></header>
<main>
{body}
</main>
<footer>symjac — matrix calculus with explicit conventions. Math typeset by KaTeX (MIT), served locally.</footer>
<script src="/static/katex/katex.min.js"></script>
<script src="/static/app.js"></script>
</body></html>
"""


def error_page(message: str, status: int, back: str = "/derive") -> str:
    heads = {400: "That input could not be used", 404: "Not found", 413: "Request too large",
             414: "Request too large", 500: "Something went wrong inside symjac"}
    body = (f'<section class="error-page"><h1>{e(heads.get(status, "Error"))}</h1>'
            f'<p class="error" id="error-message">{e(message)}</p>'
            f'<p><a href="{e(back)}">Back</a></p></section>')
    return layout(heads.get(status, "Error"), body)


# --- shared renderers ----------------------------------------------------------------

def segs_html(segs) -> str:
    return "".join(e(tex) if kind == "t" else math(tex) for kind, tex in segs)


def blocks_html(blocks) -> str:
    out = []
    for b in blocks:
        if b["kind"] == "para":
            out.append(f"<p>{segs_html(b['segs'])}</p>")
        elif b["kind"] == "math":
            out.append(math(b["math"], display=True))
        elif b["kind"] == "table":
            head = "".join(f"<th>{segs_html(h)}</th>" for h in b["header"])
            rows = "".join("<tr>" + "".join(f"<td>{segs_html(c)}</td>" for c in row) + "</tr>" for row in b["rows"])
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return "\n".join(out)


def steps_html(deriv: dict) -> str:
    parts = []
    for n, step in enumerate(deriv["steps"], 1):
        status = f' <span class="status status-{e(step["status"].split()[0].lower())}">{e(step["status"])}</span>' \
            if step["status"] else ""
        parts.append(f'<section class="step"><h3>{n}. {e(step["title"])}{status}</h3>{blocks_html(step["blocks"])}</section>')
    return "\n".join(parts)


def copy_button(label: str, target_id: str) -> str:
    return f'<button type="button" class="copy" data-copy="{e(target_id)}">{e(label)}</button>'


# --- Derive ----------------------------------------------------------------------------

def _options(choices, labels, selected) -> str:
    return "".join(f'<option value="{e(c)}"{" selected" if c == selected else ""}>{e(labels[c])}</option>'
                   for c in choices)


def derive_form(q: dict) -> str:
    return f"""<form class="inputs" id="derive-form" method="get" action="/derive">
<label>Function <input name="expr" id="expr" value="{e(q.get('expr', ''))}" placeholder="A.T @ A" autocomplete="off" spellcheck="false"></label>
<label>Variable <input name="wrt" id="wrt" value="{e(q.get('wrt', ''))}" placeholder="A" size="6"></label>
<label>Shapes <input name="shapes" id="shapes" value="{e(q.get('shapes', ''))}" placeholder="A=3x2, x=2, A=mxn"></label>
<label>Convention <select name="convention" id="convention">{_options(CONVENTION_CHOICES, CONVENTION_LABELS, q.get('convention', 'vec'))}</select></label>
<label>Show <select name="mode" id="mode">{_options(MODES, MODE_LABELS, q.get('mode', 'both'))}</select></label>
<button type="submit" id="derive-submit">Derive</button>
</form>
<p class="hint">Syntax: <code>@</code> matrix product, <code>*</code> scalar or elementwise, <code>.T</code> transpose,
<code>**</code> on scalars; <code>tanh sigmoid relu exp log sin cos sqrt norm trace det logdet inv kron hadamard vec diag sum eye</code>.
Shapes: <code>A=3x2</code>, <code>x=3</code> (vector), <code>c=1</code> (scalar), <code>A=mxn</code> (any size: closed form only).</p>"""


def derive_page(q: dict, out: dict | None) -> str:
    body = ['<h1>Derive a Jacobian</h1>', derive_form(q)]
    if out is not None:
        share = "/derive?" + urlencode({k: q.get(k, "") for k in ("expr", "wrt", "shapes", "convention", "mode")})
        body.append(f'<p class="share">Shareable link: <a id="share-link" href="{e(share)}">{e(share)}</a> · '
                    f'<a id="download-md" href="{e(share.replace("/derive?", "/derive.md?", 1))}" download>Download Markdown</a></p>')
        body.append('<section id="result" class="result"><h2>Result</h2>')
        ex = out.get("explicit")
        if ex:
            ok = "verified" if ex["verified"] else "NOT verified"
            body.append(f'<p>Explicit Jacobian, {ex["shape"][0]}×{ex["shape"][1]}, convention {e(ex["convention"])}.</p>')
            body.append(math(ex["latex"], display=True))
            body.append(f'<p class="verification" id="verification"><strong>{ok}:</strong> {e(ex["verification"])}.</p>')
            body.append(f'<textarea id="latex-source" class="source" readonly>{e(ex["latex_full"])}</textarea>')
            body.append(f'<pre id="numpy-source" class="source">{e(ex["numpy"])}</pre>')
            body.append('<p class="buttons">' + copy_button("Copy LaTeX", "latex-source") + " "
                        + copy_button("Copy NumPy code", "numpy-source") + "</p>")
        elif not out["concrete"]:
            body.append("<p>The shapes use dimension names, so only the size-free closed form is derived. "
                        "Give numbers (A=3x2) for the explicit Jacobian.</p>")
        cf = out.get("closed")
        if cf:
            body.append(f'<div id="closed-form"><p>Closed form (any size), convention {e(cf["convention"])}:</p>')
            body.append(math(f'{cf["lhs"]} = {cf["latex"]}', display=True))
            body.append(f'<textarea id="closed-source" class="source" readonly>{e(cf["latex"])}</textarea>'
                        f'<p class="buttons">{copy_button("Copy closed form LaTeX", "closed-source")}</p></div>')
        elif out.get("closed_error"):
            body.append(f'<p class="note" id="closed-error">No closed form: {e(out["closed_error"])}</p>')
        body.append("</section>")
        deriv = out["derivation"]
        body.append(f'<section id="steps" class="steps"><h2>Step by step</h2>'
                    f'<p class="verification">{e(deriv["verification"])}</p>{steps_html(deriv)}</section>')
    return layout("Derive", "\n".join(body), "Derive")


# --- Check -----------------------------------------------------------------------------

def check_form(names: list, q: dict, preview: str = "") -> str:
    opts = "".join(f'<option value="{e(n)}"{" selected" if n == q.get("problem") else ""}>{e(n)} — {e(t)}</option>'
                   for n, t in names)
    opts = f'<option value=""{"" if q.get("problem") else " selected"}>(paste a spec below)</option>' + opts
    return f"""<form class="inputs column" id="check-form" method="post" action="/check">
<label>Problem from the catalogue <select name="problem" id="problem">{opts}</select></label>
<details{" open" if q.get("spec") else ""}><summary>…or paste a problem spec (TOML, the derivations/ format)</summary>
<textarea name="spec" id="spec" rows="8" spellcheck="false" placeholder='title = "…"&#10;function = "A @ x"&#10;wrt = "A"&#10;[shapes]&#10;A = [2, 3]&#10;x = [3]'>{e(q.get('spec', ''))}</textarea></details>
<label>Answer (LaTeX) <textarea name="answer" id="answer" rows="5" spellcheck="false" placeholder="x^\\top \\otimes I_2">{e(q.get('answer', ''))}</textarea></label>
<div class="preview"><span class="label">Read as:</span> <span id="preview">{preview}</span></div>
<button type="submit" id="check-submit">Check</button>
</form>"""


def preview_html(preview: dict | None) -> str:
    if not preview:
        return ""
    if preview["ok"]:
        return math(preview["latex"], display=True)
    return f'<span class="error">{e(preview["error"])}</span>'


def check_page(names: list, q: dict, result: dict | None, catalogue_note: str = "") -> str:
    body = ["<h1>Check an answer</h1>"]
    if catalogue_note:
        body.append(f'<p class="note">{e(catalogue_note)}</p>')
    body.append(check_form(names, q, preview_html(result["preview"]) if result else ""))
    if result is not None:
        s, rep = result["summary"], result["report"]
        verdict = rep["verdict"]
        body.append(f'<section id="verdict-section" class="result verdict-{e(verdict)}"><h2>Verdict: '
                    f'<span id="verdict">{e(verdict)}</span></h2>')
        body.append(f'<p class="problem">Problem: {e(s["title"])} — <code>{e(s["function"])}</code>'
                    + (f' by <code>{e(s["wrt"])}</code>' if s["wrt"] else "")
                    + f'; shapes {e(s["shapes"])}; convention {e(s["convention"])}.</p>')
        body.append(f'<div class="parsed"><p>Your answer was read as:</p>{preview_html(result["preview"])}</div>')
        body.append(f'<p id="message">{e(rep["message"])}</p>')
        if rep.get("diagnosis"):
            body.append('<p id="diagnosis">Diagnosis: ' + ", ".join(f"<code>{e(c)}</code>" for c in rep["diagnosis"]) + "</p>")
        if verdict == "incorrect":
            body.append(f'<p>Score: {rep.get("score", 0):g}</p>')
        wrong = (rep.get("details") or {}).get("wrong_entries") or []
        if wrong:
            rows = "".join(
                f"<tr><td>({w['row']}, {w['col']})</td><td>{math(w.get('given', ''))}</td>"
                f"<td>{math(w['expected']) if 'expected' in w else ''}</td></tr>" for w in wrong[:50])
            body.append(f'<table id="wrong-entries"><thead><tr><th>entry</th><th>yours</th><th>expected</th></tr></thead>'
                        f"<tbody>{rows}</tbody></table>")
        body.append("</section>")
    return layout("Check", "\n".join(body), "Check")


# --- Catalogue -------------------------------------------------------------------------

def catalogue_index(entries: list, note: str = "") -> str:
    body = ["<h1>Derivation catalogue</h1>"]
    if note:
        body.append(f'<p class="note">{e(note)}</p>')
    items = "".join(
        f'<li><a href="/catalogue/{e(name)}">{e(title)}</a> <code>{e(function)}</code></li>'
        for name, title, function in entries)
    body.append(f'<ul id="catalogue-list" class="catalogue">{items}</ul>')
    return layout("Catalogue", "\n".join(body), "Catalogue")


def catalogue_entry(deriv: dict) -> str:
    claims = ""
    if deriv["claims"]:
        rows = "".join(f"<tr><td>{e(label)}</td><td>{e(verdict)}</td><td>{e(summary)}</td></tr>"
                       for label, verdict, summary in deriv["claims"])
        claims = f'<h2>Claims</h2><table><thead><tr><th>claim</th><th>verdict</th><th>summary</th></tr></thead><tbody>{rows}</tbody></table>'
    body = (f'<p><a href="/catalogue">← Catalogue</a> · <a href="/catalogue/{e(deriv["name"])}.md" download>Download Markdown</a> · '
            f'<a href="/check?problem={e(deriv["name"])}">Check an answer to this problem</a></p>'
            f'<h1 id="entry-title">{e(deriv["title"])}</h1>'
            f'<p class="verification">{e(deriv["verification"])}</p>{steps_html(deriv)}{claims}')
    return layout(deriv["title"], body, "Catalogue")


__all__ = ["layout", "error_page", "derive_page", "check_page", "catalogue_index", "catalogue_entry", "math"]
