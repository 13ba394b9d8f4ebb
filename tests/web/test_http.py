"""The server over plain HTTP: status codes, size limits, loopback binding, error pages."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest


def fetch(url, data: bytes | None = None, headers=None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def test_pages_answer_and_static_katex_is_served_locally(server):
    for path in ("/derive", "/check", "/catalogue", "/static/katex/katex.min.js", "/static/katex/LICENSE"):
        status, body, _ = fetch(server + path)
        assert status == 200, path
    status, body, _ = fetch(server + "/static/katex/katex.min.css")
    assert "KaTeX_Main" in body and "http" not in body.split("url(")[1][:10]
    status, page, _ = fetch(server + "/derive")
    assert "cdn" not in page.lower() and 'src="/static/katex/katex.min.js"' in page


def test_oversized_body_is_413_and_long_address_414(server):
    big = urllib.parse.urlencode({"problem": "gram", "answer": "A" * 100_000}).encode()
    status, body, _ = fetch(server + "/check", big, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413 and "larger than the limit of 64 KiB" in body
    status, body, _ = fetch(server + "/derive?expr=" + "A" * 5000)
    assert status == 414 and "Traceback" not in body


def test_answer_over_the_character_limit_is_a_400_page(server):
    data = urllib.parse.urlencode({"problem": "gram", "answer": "A+" * 15_000}).encode()
    status, body, _ = fetch(server + "/check", data)
    assert status == 400 and "30,000 characters is more than the limit of 20,000" in body


def test_bad_inputs_are_400_pages_with_one_message(server):
    q = urllib.parse.urlencode({"expr": "A @ x", "wrt": "x", "shapes": "A=2x3 x=3", "convention": "nope"})
    status, body, _ = fetch(server + "/derive?" + q)
    assert status == 400 and "convention: choose one of vec, notes, row, denominator, gradient" in body
    assert "Traceback" not in body
    status, body, _ = fetch(server + "/check", urllib.parse.urlencode({"spec": "title = [", "answer": "A"}).encode())
    assert status == 400 and "spec: invalid TOML" in body
    status, body, _ = fetch(server + "/catalogue/no_such_thing")
    assert status == 404 and "no derivation named &#x27;no_such_thing&#x27;" in body


def test_check_post_judges_with_the_sandbox(server):
    data = urllib.parse.urlencode({"problem": "gram", "answer": r"\delta_{jq}A_{ip} + \delta_{jp}A_{iq}"}).encode()
    status, body, _ = fetch(server + "/check", data)
    assert status == 200 and '<span id="verdict">correct</span>' in body
    data = urllib.parse.urlencode({"problem": "gram", "answer": r"\delta_{jq}A_{ip}"}).encode()
    status, body, _ = fetch(server + "/check", data)
    assert status == 200 and '<span id="verdict">incorrect</span>' in body


def test_preview_api(server):
    import json

    body = json.dumps({"problem": "linear_map_A", "answer": r"x^\top \otimes I_M"}).encode()
    status, text, _ = fetch(server + "/api/preview", body, {"Content-Type": "application/json"})
    assert status == 200 and json.loads(text) == {"ok": True, "latex": r"x^{\top} \otimes I_{M}", "error": ""}
    status, text, _ = fetch(server + "/api/preview", b"[1]", {"Content-Type": "application/json"})
    assert status == 400


def test_markdown_downloads(server):
    q = urllib.parse.urlencode({"expr": "A @ x", "wrt": "x", "shapes": "A=2x3, x=3", "convention": "vec"})
    status, text, headers = fetch(server + "/derive.md?" + q)
    assert status == 200 and text.startswith("# Jacobian of A @ x with respect to x")
    assert "attachment" in headers.get("content-disposition", "")
    status, text, _ = fetch(server + "/catalogue/gram.md")
    assert status == 200 and text.startswith("# Gradient of K")


def test_serve_binds_loopback_by_default():
    from symjac.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.port == 8000


def test_serve_help_has_an_example(capsys):
    from symjac.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    assert "symjac serve --port 8123" in capsys.readouterr().out
