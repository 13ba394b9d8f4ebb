"""The ASGI application behind ``symjac serve`` (Starlette): Derive, Check and Catalogue pages.

``create_app(catalogue="derivations")`` returns the app.  Untrusted text
(expressions, shapes, pasted specs, answers) is handled in forked workers
with time and memory limits: answers are judged by
:class:`symjac.checking.pool.AnswerSandbox`, everything else by
:func:`symjac.web.worker.run_limited`.  Request bodies over ``MAX_BODY``
bytes get 413, query strings over ``MAX_QUERY`` 414; bad input gets an
error page (400) with one line; an unexpected failure a 500 page, never a
traceback.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from symjac.errors import SymjacError
from symjac.web import jobs, pages
from symjac.web.worker import WorkerError, run_limited

MAX_BODY = 64 * 1024          # bytes of a POST body
MAX_QUERY = 4096              # bytes of a query string
MAX_ANSWER = 20_000           # characters of an answer
DERIVE_TIMEOUT = 30.0
CHECK_TIMEOUT = 10.0
STATIC = Path(__file__).with_name("static")


class TooLarge(Exception):
    """A request over the size limits (413 / 414)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class SizeLimit:
    """ASGI middleware: refuse bodies over ``MAX_BODY`` (by Content-Length, or while streaming) and long URLs."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if len(scope.get("query_string", b"")) > MAX_QUERY:
            return await _send_page(send, 414, f"the address is longer than {MAX_QUERY} bytes")
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return await _send_page(send, 413, f"the request is larger than the limit of {MAX_BODY // 1024} KiB")
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY:
                    raise TooLarge(413, f"the request is larger than the limit of {MAX_BODY // 1024} KiB")
            return message

        try:
            await self.app(scope, limited_receive, send)
        except TooLarge as exc:  # only while the body is read, before a response started
            await _send_page(send, exc.status, str(exc))


async def _send_page(send, status: int, message: str) -> None:
    body = pages.error_page(message, status).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class State:
    """Per-app state: the catalogue folder, cached catalogue pages, the answer sandbox."""

    def __init__(self, catalogue):
        self.catalogue = Path(catalogue) if catalogue else None
        self.cache: dict = {}
        self._sandbox = None
        self._lock = threading.Lock()

    def sandbox(self):
        from symjac.checking.pool import AnswerSandbox

        with self._lock:
            if self._sandbox is None:
                self._sandbox = AnswerSandbox(workers=1, timeout=CHECK_TIMEOUT)
            return self._sandbox

    def close(self):
        if self._sandbox is not None:
            self._sandbox.close()

    def specs(self) -> tuple[list, str]:
        """[(name, title, function)] of the catalogue, and a note when there is none."""
        if self.catalogue is None or not self.catalogue.is_dir():
            return [], (f"No catalogue: {self.catalogue} is not a folder. Start 'symjac serve' in the symjac "
                        "checkout, or pass --catalogue DIR (a folder of derivation specs).")
        if "index" not in self.cache:
            from symjac.checking.spec import load_catalogue

            self.cache["index"] = [(s.name, s.title, s.function) for s in load_catalogue(self.catalogue)]
        return self.cache["index"], ""

    def spec_path(self, name: str) -> Path:
        entries, note = self.specs()
        if name not in {n for n, _, _ in entries}:
            raise HTTPException(404, f"no derivation named {name!r} in the catalogue" if not note else note)
        return self.catalogue / f"{name}.toml"


def _catalogue_job(path: str) -> dict:
    from symjac.catalogue.derivation import derive_spec
    from symjac.checking.spec import load_spec

    return jobs.derivation_data(derive_spec(load_spec(path)))


async def _catalogue_data(state: State, name: str) -> dict:
    path = state.spec_path(name)
    key = ("entry", name)
    if key not in state.cache:
        state.cache[key] = await run_in_threadpool(run_limited, _catalogue_job, str(path), timeout=120.0)
    return state.cache[key]


def _query(request) -> dict:
    return {k: v for k, v in request.query_params.items()}


async def _form(request) -> dict:
    """A urlencoded POST body (at most MAX_BODY bytes, enforced by :class:`SizeLimit`) as a dict."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SymjacError("the form is not UTF-8 text") from None
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


# --- pages ------------------------------------------------------------------------------

async def home(request):
    return RedirectResponse("/derive", status_code=302)


async def derive_get(request):
    q = _query(request)
    if not q.get("expr"):
        q.setdefault("convention", "vec")
        return HTMLResponse(pages.derive_page(q, None))
    out = await run_in_threadpool(run_limited, jobs.derive_job, q.get("expr", ""), q.get("wrt", ""),
                                  q.get("shapes", ""), q.get("convention", "vec"), q.get("mode", "both"),
                                  timeout=DERIVE_TIMEOUT)
    return HTMLResponse(pages.derive_page(q, out))


async def derive_markdown(request):
    q = _query(request)
    out = await run_in_threadpool(run_limited, jobs.derive_job, q.get("expr", ""), q.get("wrt", ""),
                                  q.get("shapes", ""), q.get("convention", "vec"), "explicit",
                                  timeout=DERIVE_TIMEOUT)
    return Response(out["derivation"]["markdown"], media_type="text/markdown; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="derivation.md"'})


async def _problem_for(state: State, q: dict):
    """(problem, pasted spec text or None) from a form: a catalogue name, else a pasted spec."""
    name, spec = q.get("problem", "").strip(), q.get("spec", "")
    if name:
        from symjac.checking.engine import Problem

        return Problem.from_file(state.spec_path(name)), None
    if not spec.strip():
        raise SymjacError("problem: pick one from the catalogue or paste a spec")
    return None, spec


async def check_get(request):
    state = request.app.state.symjac
    names, note = state.specs()
    return HTMLResponse(pages.check_page([(n, t) for n, t, _ in names], _query(request), None, note))


async def check_post(request):
    state = request.app.state.symjac
    q = await _form(request)
    answer = q.get("answer", "")
    if not answer.strip():
        raise SymjacError("answer: type an answer in LaTeX, e.g. x^\\top \\otimes I_2")
    if len(answer) > MAX_ANSWER:
        raise SymjacError(f"answer: {len(answer):,} characters is more than the limit of {MAX_ANSWER:,}")
    problem, spec = await _problem_for(state, q)
    read = await run_in_threadpool(run_limited, jobs.problem_and_preview, spec, problem, answer, timeout=CHECK_TIMEOUT)
    report = await run_in_threadpool(lambda: state.sandbox().check_dict(read["problem"], answer))
    names, note = state.specs()
    result = {"summary": read["summary"], "preview": read["preview"], "report": report}
    return HTMLResponse(pages.check_page([(n, t) for n, t, _ in names], q, result, note))


async def preview_api(request):
    """POST JSON {problem, spec, answer} → {ok, latex, error}: how the answer is read (the live preview)."""
    state = request.app.state.symjac
    try:
        q = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return JSONResponse({"ok": False, "latex": "", "error": "not JSON"}, status_code=400)
    if not isinstance(q, dict) or not all(isinstance(v, str) for v in q.values()):
        return JSONResponse({"ok": False, "latex": "", "error": "expected an object of strings"}, status_code=400)
    answer = q.get("answer", "")
    if not answer.strip():
        return JSONResponse({"ok": True, "latex": "", "error": ""})
    try:
        if len(answer) > MAX_ANSWER:
            raise SymjacError(f"answer: more than {MAX_ANSWER:,} characters")
        problem, spec = await _problem_for(state, q)
        read = await run_in_threadpool(run_limited, jobs.problem_and_preview, spec, problem, answer,
                                       timeout=CHECK_TIMEOUT)
    except SymjacError as exc:
        return JSONResponse({"ok": False, "latex": "", "error": str(exc)})
    return JSONResponse(read["preview"])


async def catalogue_index(request):
    entries, note = request.app.state.symjac.specs()
    return HTMLResponse(pages.catalogue_index(entries, note))


async def catalogue_entry(request):
    name = request.path_params["name"]
    state = request.app.state.symjac
    if name.endswith(".md"):
        data = await _catalogue_data(state, name[:-3])
        return Response(data["markdown"], media_type="text/markdown; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{name}"'})
    return HTMLResponse(pages.catalogue_entry(await _catalogue_data(state, name)))


# --- errors -----------------------------------------------------------------------------

async def bad_input(request, exc):
    return HTMLResponse(pages.error_page(str(exc), 400, _back(request)), status_code=400)


async def http_error(request, exc):
    return HTMLResponse(pages.error_page(exc.detail or "not found", exc.status_code, _back(request)),
                        status_code=exc.status_code)


async def server_error(request, exc):
    msg = str(exc) if isinstance(exc, WorkerError) else "an unexpected error inside symjac (a bug, please report it)"
    return HTMLResponse(pages.error_page(msg, 500, _back(request)), status_code=500)


def _back(request) -> str:
    path = request.url.path
    return "/check" if path.startswith("/check") else "/catalogue" if path.startswith("/catalogue") else "/derive"


def create_app(catalogue: str | Path | None = "derivations") -> Starlette:
    """The web application; ``catalogue``: the folder of derivation specs (the Catalogue page)."""
    state = State(catalogue)
    routes = [
        Route("/", home),
        Route("/derive", derive_get),
        Route("/derive.md", derive_markdown),
        Route("/check", check_get, methods=["GET"]),
        Route("/check", check_post, methods=["POST"]),
        Route("/api/preview", preview_api, methods=["POST"]),
        Route("/catalogue", catalogue_index),
        Route("/catalogue/{name}", catalogue_entry),
        Route("/healthz", lambda request: PlainTextResponse("ok")),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        debug=False, routes=routes,
        exception_handlers={SymjacError: bad_input, HTTPException: http_error, Exception: server_error},
    )
    app.state.symjac = state
    app.add_middleware(SizeLimit)
    return app


__all__ = ["create_app", "MAX_BODY", "MAX_QUERY", "MAX_ANSWER"]
