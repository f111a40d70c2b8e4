"""The ``rag`` command: a thin shell over the library (see CONTRACT.md for the machine interface).

Errors: one line on stderr naming the problem and the fix; exit 2 for bad input or usage, 1 for
anything else the user can act on. ``main`` maps the whole classes of user-caused failures to such a
line (``RagError``, invalid ``RAG_*`` settings, an ``OSError`` on a path the user gave, a result that
cannot be written as JSON, an unreachable Qdrant server); any other exception is a bug and keeps its
traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from rag.config import Settings, load_settings, settings_error_message
from rag.errors import IndexBusy, InvalidInput, RagError
from rag.jsonio import dumps, is_unicode, loads, plain_id, record_line

# Arguments that name files: OS paths may hold any bytes, so only these may carry undecodable ones.
_PATH_ARGS = frozenset({"paths", "path", "batch", "out", "file"})
MAX_K = 1000


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, as the contract asks
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def _print_json(obj: Any) -> None:
    sys.stdout.write(dumps(obj) + "\n")


def _bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer in [low, high] (``--k 0`` is an error, not "the default")."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is outside {low}-{high}")
        return value

    parse.__name__ = "integer"
    return parse


def _bounded_float(low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a finite number in [low, high] (``nan`` and ``inf`` parse as floats; they are not waits)."""

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not low <= value <= high:  # false for NaN too
            raise argparse.ArgumentTypeError(f"{text.strip()} is outside {low:g}-{high:g}")
        return value

    parse.__name__ = "number"
    return parse


def _open_out(path: str) -> Any:
    """Open an output file the user named, or say in one line why it cannot be."""
    try:
        return open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by the caller
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}", hint="give a writable --out path") from exc


def _workspace(settings: Settings):  # type: ignore[no-untyped-def]
    from rag.workspace import Workspace

    return Workspace(settings)


def _ensure_index(workspace) -> None:  # type: ignore[no-untyped-def]
    """Build the index from the bundled corpora on first use, saying so on stderr."""
    from rag.api import ensure_index

    first_run = not workspace.catalog.documents()
    if first_run:
        print(f"building the index from {workspace.settings.corpora_dir} (first run; takes a few minutes)...",
              file=sys.stderr)
    if ensure_index(workspace) and not first_run:
        print("index updated from the bundled corpora", file=sys.stderr)


# ingest ------------------------------------------------------------------------------------
def _cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    from rag.corpus.ingest import FileReport, IngestReport, ingest

    if any(not p.strip() for p in args.paths):  # Path("") is ".", which would ingest the current folder
        raise InvalidInput("empty path given to ingest", hint="name the files or folders to ingest")
    workspace = _workspace(settings)
    try:
        workspace.require_free_space()
        report = ingest(workspace, [Path(p) for p in args.paths])
    except IndexBusy as busy:
        forwarded = _forward_or_raise(settings, busy, "/ingest", {"paths": [str(Path(p).resolve()) for p in args.paths]})
        files = tuple(FileReport(f["path"], f["status"], f["doc_id"], f["reason"], f["chunks"], tuple(f["warnings"]))
                      for f in forwarded["files"])
        report = IngestReport(files, forwarded["embedded"], forwarded["reused"], forwarded["seconds"], forwarded["counts"])
    finally:
        workspace.close()
    if args.json:
        _print_json(report.as_dict())
    else:
        for f in report.files:
            line = f"{f.status:9s} {f.path}"
            if f.status in ("added", "replaced"):
                line += f" ({f.chunks} chunks)"
            if f.reason:
                line += f": {f.reason}"
            print(line)
            for warning in f.warnings:
                print(f"          warning: {warning}")
        summary = ", ".join(f"{n} {s}" for s, n in sorted(report.counts.items()))
        print(f"{summary}; {report.embedded} chunks embedded, {report.reused} from cache, {report.seconds:.1f} s")
    ok = all(f.status != "rejected" for f in report.files)
    return 0 if ok else 1


# corpus ------------------------------------------------------------------------------------
def _admin(settings: Settings, args: argparse.Namespace, run: Callable[[Any], Any]) -> Any:
    """Run one librarian operation on a workspace, holding the writer lock until the index is closed
    (so a second writer never finds the embedded index still open)."""
    from rag.corpus.lock import writer_lock

    lock = writer_lock(settings.index_dir, wait_s=args.wait) if getattr(args, "wait", None) is not None else None
    if lock is not None:
        lock.__enter__()
    try:
        workspace = _workspace(settings)
        try:
            if lock is not None:  # a write: refuse it on a nearly full disk before anything is opened
                workspace.require_free_space()
            return run(workspace)
        finally:
            workspace.close()
    finally:
        if lock is not None:
            lock.__exit__(None, None, None)


def _print_files(report: Any) -> None:
    for f in report.files:
        line = f"{f.status:9s} {f.path}"
        if f.doc_id:
            line += f" [{f.doc_id}" + (f" v{f.version}" if f.version else "") + "]"
        if f.status in ("added", "replaced"):
            line += f" ({f.chunks} chunks)"
        if f.reason:
            line += f": {f.reason}"
        print(line)
        for warning in f.warnings:
            print(f"          warning: {warning}")


def _cmd_corpus_add(settings: Settings, args: argparse.Namespace) -> int:
    from rag.corpus import admin

    report = _admin(settings, args, lambda ws: admin.add(
        ws, args.paths, system=args.system, edition=args.edition, effective_date=args.effective_date,
        language=args.language, allow_older=args.allow_older, actor=args.actor, reason=args.reason or ""))
    _print_json(report.as_contract()) if args.json else _print_files(report)
    return 0 if report.ok else 1


def _cmd_corpus_replace(settings: Settings, args: argparse.Namespace) -> int:
    from rag.corpus import admin

    report = _admin(settings, args, lambda ws: admin.replace(
        ws, args.doc_id, args.path, actor=args.actor, allow_older=args.allow_older, reason=args.reason or "",
        system=args.system, edition=args.edition, effective_date=args.effective_date, language=args.language))
    _print_json(report.as_contract()) if args.json else _print_files(report)
    return 0 if report.ok else 1


def _cmd_corpus_retire(settings: Settings, args: argparse.Namespace) -> int:
    from rag.corpus import admin

    change = _admin(settings, args, lambda ws: admin.retire(ws, args.doc_id, args.reason or "", actor=args.actor))
    if args.json:
        _print_json(change.as_contract())
    else:
        print(f"retired {change.doc_id} version {change.version} ({change.chunks} chunks left the index)")
    return 0


def _cmd_corpus_restore(settings: Settings, args: argparse.Namespace) -> int:
    from rag.corpus import admin

    change = _admin(settings, args, lambda ws: admin.restore(ws, args.doc_id, actor=args.actor, reason=args.reason or ""))
    if args.json:
        _print_json(change.as_contract())
    else:
        print(f"restored {change.doc_id} version {change.version} ({change.chunks} chunks back in the index)")
    return 0


def _cmd_corpus_show(settings: Settings, args: argparse.Namespace) -> int:
    from rag.corpus import admin

    info = _admin(settings, args, lambda ws: admin.show(ws, args.doc_id))
    if args.json:
        _print_json(info.as_contract())
    else:
        print(f"{info.doc_id}: {info.head.title}")
        for v in info.versions:
            print(f"  v{v.version:<3d} {v.status:10s} {v.edition[:36]:36s} {v.effective_date:10s} {v.chunks:5d} chunks  "
                  f"{v.changed_by} {v.source}")
    return 0


def _cmd_corpus_history(settings: Settings, args: argparse.Namespace) -> int:
    from rag.corpus import admin

    records = _admin(settings, args, lambda ws: admin.history(ws, args.doc_id, limit=args.limit))
    if args.json:
        _print_json({"doc_id": args.doc_id, "history": [r.as_contract() for r in records]})
    else:
        _print_audit(records, args.lines)
    return 0


def _print_audit(records: Sequence[Any], lines: bool) -> None:
    """A table, or with ``lines`` one JSON object per line (the trail is append-only, one line per change)."""
    if lines:
        for r in records:
            _print_json(r.as_contract())
        return
    for r in records:
        change = f"v{r.old_version or '-'} -> v{r.new_version or '-'}"
        print(f"{r.as_contract()['at']} {r.actor:12s} {r.action:9s} {r.doc_id:36s} {change:12s} {r.reason or r.detail}")


def _cmd_corpus_list(settings: Settings, args: argparse.Namespace) -> int:
    from rag.corpus import admin

    rows = [v.as_contract() for v in _admin(settings, args, lambda ws: admin.list_documents(ws, include_all=args.all))]
    if args.json:
        _print_json({"documents": rows})
    else:
        for r in rows:
            print(f"{r['doc_id']:45s} v{r['version']:<3d} {r['status']:10s} {r['system']:18s} {r['edition'][:28]:28s} "
                  f"{r['effective_date']}")
    return 0


def _cmd_corpus_audit(settings: Settings, args: argparse.Namespace) -> int:
    from rag.corpus import admin

    records = _admin(settings, args, lambda ws: admin.audit(ws, limit=args.limit))
    if args.json:
        _print_json({"audit": [r.as_contract() for r in records]})
    else:
        _print_audit(records, args.lines)
    return 0


def _cmd_cite(settings: Settings, args: argparse.Namespace) -> int:
    from rag.corpus import admin

    cited = _admin(settings, args, lambda ws: admin.cite(ws, args.chunk_id))
    if args.json:
        _print_json(cited.as_contract())
    else:
        where = cited.section + (f", p. {cited.page}" if cited.page else "")
        print(f"{cited.title} ({cited.edition or 'no edition'}), version {cited.version} [{cited.status}] — {where}")
        if cited.superseded_by is not None:
            print(f"superseded by version {cited.superseded_by.version} ({cited.superseded_by.edition})")
        print(cited.text)
    return 0


def _cmd_corpus_check(settings: Settings, args: argparse.Namespace) -> int:
    from rag.corpus.lint.check import check_corpus

    problems = check_corpus(Path(args.path) if args.path else settings.corpora_dir, settings)
    if args.json:
        _print_json({"problems": [p.as_dict() for p in problems], "ok": not any(p.severity == "error" for p in problems)})
    else:
        for p in problems:
            print(p.line())
        errors = sum(p.severity == "error" for p in problems)
        print(f"{errors} error(s), {len(problems) - errors} warning(s)")
    return 1 if any(p.severity == "error" for p in problems) else 0


# search ------------------------------------------------------------------------------------
def _filters(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from rag.types import DocFilter

    return DocFilter(systems=tuple(args.system or ()), editions=tuple(args.edition or ()),
                     doc_ids=tuple(args.doc or ()), languages=tuple(args.language or ()),
                     statuses=("active", "superseded") if getattr(args, "include_superseded", False) else ())


def _cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    from rag.retrieval.retrieve import Retriever

    if args.batch:
        return _search_batch(settings, args)
    if not args.query:
        raise InvalidInput("no query given", hint="rag search QUERY, or rag search --batch IN.jsonl --out OUT.jsonl")
    query = " ".join(args.query)
    workspace = _workspace(settings)
    try:
        _ensure_index(workspace)
        hits = Retriever(workspace).search(query, k=args.k, mode=args.mode, filters=_filters(args))
        output = {"query": query, "mode": args.mode, "results": [h.as_contract() for h in hits]}
    except IndexBusy as busy:
        output = _forward_or_raise(settings, busy, "/search", {"query": query, "k": args.k, "mode": args.mode,
                                                         "filters": _filters(args).fields_for_request()})
    finally:
        workspace.close()
    if args.json:
        _print_json(output)
    else:
        for r in output["results"]:
            where = r["section"] + (f", p. {r['page']}" if r["page"] else "")
            print(f"[{r['rank']}] {r['title']} ({r['edition'] or 'no edition'}) — {where}")
            print("    " + r["text"][:300].replace("\n", " ") + ("..." if len(r["text"]) > 300 else ""))
        if not output["results"]:
            print("no results")
    return 0


def _forward_or_raise(settings: Settings, busy: IndexBusy, endpoint: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Send the request to the process holding the embedded index (``rag serve`` / the app).

    ``busy`` is the error the store raised: it names the folder actually locked (the edge shard, or
    qdrant-client's folder), which the message repeats.
    """
    from rag.server import forward

    result = forward(settings, endpoint, payload)
    if result is None:
        raise IndexBusy(f"{busy}, and no `rag serve` answers for {settings.index_dir}")
    return result


def _read_jsonl(path: Path) -> list[tuple[int, dict[str, Any] | None, str]]:
    """(line number, object or None, error) for each non-blank line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}", hint="give a UTF-8 JSON-lines file") from exc
    out: list[tuple[int, dict[str, Any] | None, str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            # Lenient on NaN/1e999 here so the line keeps its id: each consumer rejects non-finite
            # numbers in the fields it uses (validate_request), and output is written strictly.
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append((number, None, f"line {number}: invalid JSON ({exc.msg})"))
            continue
        except (ValueError, RecursionError) as exc:
            out.append((number, None, f"line {number}: invalid JSON ({exc})"))
            continue
        if not isinstance(obj, dict):
            out.append((number, None, f"line {number}: expected a JSON object"))
            continue
        out.append((number, obj, ""))
    return out


def _search_batch(settings: Settings, args: argparse.Namespace) -> int:
    from rag.retrieval.retrieve import Retriever

    if not args.out:
        raise InvalidInput("--batch needs --out OUT.jsonl")
    items = _read_jsonl(Path(args.batch))
    workspace = _workspace(settings)
    failures = 0
    try:
        _ensure_index(workspace)
        retriever = Retriever(workspace)
        flt = _filters(args)
        with _open_out(args.out) as out:
            for number, obj, error in items:
                record: dict[str, Any]
                if obj is None:
                    record = {"id": None, "error": error}
                else:
                    record = {"id": plain_id(obj.get("id", number))}
                    query = obj.get("query", "")
                    try:
                        if not isinstance(query, str) or not is_unicode(query):
                            raise InvalidInput(f"line {number}: query must be a text string")
                        hits = retriever.search(query, k=args.k, mode=args.mode, filters=flt)
                        record.update({"query": query, "mode": args.mode, "results": [h.as_contract() for h in hits]})
                    except InvalidInput as exc:
                        record["error"] = exc.user_message()
                line, ok = record_line(record)
                failures += not ok
                out.write(line)
    finally:
        workspace.close()
    print(f"{len(items) - failures} queries answered, {failures} rejected -> {args.out}", file=sys.stderr)
    return 0


# ask ---------------------------------------------------------------------------------------
def _cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from rag.answer.conversation import SessionStore
    from rag.answer.pipeline import answer_question

    store = SessionStore(settings.index_dir)
    if args.end_session:
        removed = store.delete(args.end_session)
        print(f"session {args.end_session!r} {'deleted' if removed else 'did not exist'}", file=sys.stderr)
        if not args.question:
            return 0
    if not args.question:
        raise InvalidInput("no question given", hint="rag ask \"What is Lung-RADS 4A?\"")
    question = " ".join(args.question)
    conversation = store.load(args.session) if args.session else None
    workspace = _workspace(settings)
    try:
        _ensure_index(workspace)
        answer = answer_question(workspace, question, backend=args.backend, conversation=conversation)
        output, text = answer.as_contract(), answer.render_text()
        if args.session and conversation is not None:
            store.save(args.session, conversation)
    except IndexBusy as busy:
        # Another process holds the index: send it the standalone question, so the session still carries.
        standalone = conversation.rewrite(question) if conversation is not None else question
        output = _forward_or_raise(settings, busy, "/ask", {"question": standalone, "backend": args.backend})
        text = output["answer"]
        if args.session and conversation is not None:
            from rag.answer.intent import understand

            conversation.record(question, standalone, understand(standalone))
            store.save(args.session, conversation)
    finally:
        workspace.close()
    if args.json:
        _print_json(output)
    else:
        print(text)
    return 0


def _cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from rag.server import serve

    serve(settings, args.port)
    return 0


# stage -------------------------------------------------------------------------------------
def _cmd_stage(settings: Settings, args: argparse.Namespace) -> int:
    from rag.calculators.service import StageRequest, stage, stage_batch

    if args.batch:
        out = _open_out(args.out) if args.out else sys.stdout
        try:
            stats = stage_batch(settings, _read_jsonl(Path(args.batch)), out)
        finally:
            if out is not sys.stdout:
                out.close()
        print(f"{stats['ok']} staged, {stats['errors']} errors", file=sys.stderr)
        return 0
    if not args.system:
        raise InvalidInput("--system is required", hint="e.g. --system AJCC8-lung; see CONTRACT.md for names")
    text = args.text
    if args.file:
        text = _read_report(args.file)
    findings = None
    if args.findings:
        try:
            findings = loads(args.findings)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"--findings is not valid JSON ({exc.msg} at column {exc.colno})") from exc
        except (ValueError, RecursionError) as exc:
            raise InvalidInput(f"--findings is not valid JSON ({exc})", hint="numbers must be finite") from exc
        if not isinstance(findings, dict):
            raise InvalidInput("--findings must be a JSON object", hint='e.g. --findings \'{"psa": 6.2}\'')
    if text is None and findings is None and args.tnm is None:
        raise InvalidInput("nothing to stage", hint="give --text, --file, --tnm or --findings")
    output = stage(settings, StageRequest(system=args.system, text=text, tnm=args.tnm, findings=findings))
    if args.json:
        _print_json(output.as_contract())
    else:
        from rag.calculators.service import render_text

        print(render_text(output))
    return 0


def _read_report(name: str) -> str:
    """The report text from a file, or from stdin for ``-`` (kept out of argv, which `ps` shows)."""
    try:
        if name == "-":
            return sys.stdin.buffer.read().decode("utf-8")
        return Path(name).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"cannot read {name}: not UTF-8 text (byte {exc.start})", hint="save the report as UTF-8") from exc
    except OSError as exc:
        raise InvalidInput(f"cannot read {name}: {exc.strerror or exc}", hint="check the path given to --file") from exc


# parser ------------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rag", description="Offline oncology guideline assistant: cited search, answers and staging.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def command(name: str, run: Callable[[Settings, argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(run=run)
        return p

    p = command("ingest", _cmd_ingest, "Ingest files or folders (Markdown, text, PDF).")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true")

    corpus = sub.add_parser("corpus", help="The versioned corpus: add, replace, retire, restore, show, list, audit.")
    corpus_sub = corpus.add_subparsers(dest="corpus_command", parser_class=_Parser)

    def corpus_command(name: str, run: Callable[[Settings, argparse.Namespace], int], help_text: str,
                       *, writes: bool = False) -> argparse.ArgumentParser:
        p = corpus_sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(run=run)
        p.add_argument("--json", action="store_true")
        if writes:
            p.add_argument("--actor", help="who makes the change, for the audit trail (default: your login name)")
            p.add_argument("--wait", type=_bounded_float(0, 86_400), default=120.0,
                           help="seconds to wait for another writer before giving up (default 120)")
        return p

    def metadata_flags(p: argparse.ArgumentParser) -> None:
        p.add_argument("--system", help="fills a missing front-matter system (the file wins)")
        p.add_argument("--edition", help="fills a missing front-matter edition")
        p.add_argument("--effective-date", dest="effective_date", help="fills a missing effective_date (YYYY-MM-DD)")
        p.add_argument("--language", help="fills a missing language (en, zh)")
        p.add_argument("--allow-older", action="store_true", help="accept an edition older than the active one")
        p.add_argument("--reason", help="why, for the audit trail")

    p = corpus_command("add", _cmd_corpus_add, "Add new documents (files or folders) as version 1.", writes=True)
    p.add_argument("paths", nargs="+")
    metadata_flags(p)
    p = corpus_command("replace", _cmd_corpus_replace, "Make a file the next version of a document.", writes=True)
    p.add_argument("doc_id")
    p.add_argument("path")
    metadata_flags(p)
    p = corpus_command("retire", _cmd_corpus_retire, "Retire a document: kept and citable, no longer searched.", writes=True)
    p.add_argument("doc_id")
    p.add_argument("--reason", help="why, for the audit trail (required)")
    p = corpus_command("restore", _cmd_corpus_restore, "Bring a retired document back into search.", writes=True)
    p.add_argument("doc_id")
    p.add_argument("--reason", help="why, for the audit trail")
    p = corpus_command("show", _cmd_corpus_show, "A document with all its versions.")
    p.add_argument("doc_id")
    p = corpus_command("history", _cmd_corpus_history, "The audit trail of one document (or of all).")
    p.add_argument("doc_id", nargs="?")
    p.add_argument("--limit", type=_bounded_int(1, 1_000_000))
    p.add_argument("--lines", action="store_true", help="one JSON object per line, oldest last")
    p = corpus_command("list", _cmd_corpus_list, "Active versions; --all adds superseded and retired ones.")
    p.add_argument("--all", action="store_true", help="include superseded and retired versions")
    p = corpus_sub.add_parser("check", help="Validate corpus files (front matter, rule ids, tables).")
    p.set_defaults(run=_cmd_corpus_check)
    p.add_argument("path", nargs="?")
    p.add_argument("--json", action="store_true")
    p = corpus_command("audit", _cmd_corpus_audit, "The append-only audit trail, one JSON line per change with --json.")
    p.add_argument("--limit", type=_bounded_int(1, 1_000_000), default=50)
    p.add_argument("--lines", action="store_true", help="one JSON object per line, newest first")

    p = command("cite", _cmd_cite, "Resolve a chunk id from any answer, even a superseded or retired one.")
    p.add_argument("chunk_id")
    p.add_argument("--json", action="store_true")

    p = command("search", _cmd_search, "Hybrid (BM25 + dense) search with citations.")
    p.add_argument("query", nargs="*")
    p.add_argument("--k", type=_bounded_int(1, MAX_K), default=8, help=f"results to return, 1-{MAX_K} (default 8)")
    p.add_argument("--mode", choices=("hybrid", "bm25", "dense"), default="hybrid")
    p.add_argument("--batch", help="JSON lines with {id, query}")
    p.add_argument("--out", help="output JSON lines (with --batch)")
    p.add_argument("--system", action="append", help="filter by system id (repeatable)")
    p.add_argument("--edition", action="append", help="filter by edition (repeatable)")
    p.add_argument("--doc", action="append", help="filter by document id (repeatable)")
    p.add_argument("--language", action="append", help="filter by language: en, zh (repeatable)")
    p.add_argument("--include-superseded", action="store_true", help="also search superseded versions")
    p.add_argument("--json", action="store_true")

    p = command("ask", _cmd_ask, "Answer a question from the corpus with numbered citations.")
    p.add_argument("question", nargs="*")
    p.add_argument("--session", help="carry follow-ups across calls; keeps the last questions in "
                                     "INDEX_DIR/sessions/NAME.json (owner-only) until --end-session")
    p.add_argument("--end-session", metavar="NAME", help="delete the named session's file")
    p.add_argument("--backend", help="extractive (default), llamacpp, openai")
    p.add_argument("--json", action="store_true")

    p = command("serve", _cmd_serve, "Hold the index and answer other processes on 127.0.0.1 (JSON over HTTP).")
    p.add_argument("--port", type=_bounded_int(0, 65535), default=0,
                   help="0 = any free port (written to INDEX_DIR/server.json; the access token to INDEX_DIR/server.token, mode 0600)")

    p = command("stage", _cmd_stage, "Deterministic TNM stage or RADS category, citing the rules used.")
    p.add_argument("--system", help="e.g. AJCC8-lung, TNM9-lung, Lung-RADS-v2022, ACR-TI-RADS, WHO-CNS5")
    p.add_argument("--text", help="findings or report text; for real patient reports use --file - (stdin) instead, "
                                   "since command-line arguments are visible to other users in `ps` and kept in shell history")
    p.add_argument("--file", help="read the text from FILE, or from standard input with --file -")
    p.add_argument("--tnm")
    p.add_argument("--findings", help="JSON object of structured findings")
    p.add_argument("--batch", help="JSON lines with {id, system, text|findings|tnm}")
    p.add_argument("--out")
    p.add_argument("--json", action="store_true")

    from rag.eval.command import add_eval_parser

    add_eval_parser(sub, _Parser)
    return parser


def _check_text_args(args: argparse.Namespace) -> None:
    """Text arguments must be Unicode: undecodable argv bytes arrive as lone surrogates, which no
    tokenizer, JSON writer or terminal accepts. File paths may hold any bytes and are exempt."""
    for name, value in vars(args).items():
        if name in _PATH_ARGS:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and not is_unicode(item):
                raise InvalidInput(f"--{name.replace('_', '-')} is not valid UTF-8 text", hint="check the terminal's encoding")


def _user_paths(args: argparse.Namespace) -> set[str]:
    paths: set[str] = set()
    for name in _PATH_ARGS:
        value = getattr(args, name, None)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                paths.update({item, str(Path(item)), str(Path(item).resolve())})
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rag`` console script."""
    from pydantic import ValidationError

    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return 2
    try:
        _check_text_args(args)
        settings = load_settings()
        return int(args.run(settings, args))
    except RagError as exc:
        print(f"error: {exc.user_message()}", file=sys.stderr)
        return exc.exit_code
    except ValidationError as exc:  # a Settings built further down (a library default) from a bad RAG_* value
        if exc.title != Settings.__name__:
            raise
        print(f"error: {settings_error_message(exc)} (fix or unset the variable)", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno in _STORAGE_ERRNOS or (exc.errno in (errno.EACCES, errno.EPERM) and _under_index_dir(exc.filename)):
            print(f"error: cannot write under {_index_dir_for_message()}: {exc.strerror or exc} "
                  "(free some space or fix the folder's permissions, then retry; the previous index is unchanged)", file=sys.stderr)
            return 1
        if exc.filename is None or str(exc.filename) not in _user_paths(args):
            raise
        print(f"error: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if not any(word in message for word in ("disk", "full", "readonly", "unable to open", "locked")):
            raise
        print(f"error: the index catalogue under {_index_dir_for_message()} cannot be used: {message} "
              "(free some space, check the folder's permissions, or stop the other writer; the previous index is unchanged)",
              file=sys.stderr)
        return 1
    except (ValueError, UnicodeEncodeError) as exc:
        message = str(exc)
        if isinstance(exc, UnicodeEncodeError) or "not JSON compliant" in message:
            print(f"error: the result cannot be written as JSON text ({message[:120]})", file=sys.stderr)
            return 2
        raise
    except Exception as exc:
        if type(exc).__module__.startswith("qdrant_client") and settings_url(exc):
            print(f"error: cannot reach the Qdrant server at {settings_url(exc)} ({str(exc)[:160]}) "
                  "(start it, fix RAG_QDRANT_URL, or unset it for the embedded index)", file=sys.stderr)
            return 1
        raise
    except KeyboardInterrupt:
        print("error: interrupted; the previous index is still in place", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1


# Errors of the storage under the index, not of the input: a full disk, a quota, a file-size limit, a read-only mount.
_STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})


def _under_index_dir(filename: object) -> bool:
    """Whether a failing path lies in the index folder (a folder made read-only with chmod, say)."""
    if not isinstance(filename, (str, Path)):
        return False
    try:
        return Path(filename).resolve().is_relative_to(Settings().index_dir.resolve())
    except Exception:  # noqa: BLE001 - only to choose a message; settings were valid when the command started
        return False


def _index_dir_for_message() -> str:
    try:
        return str(Settings().index_dir)
    except Exception:  # noqa: BLE001 - only for a message; settings were valid when the command started
        return "the index folder"


def settings_url(exc: BaseException) -> str | None:
    """The configured Qdrant URL when ``exc`` is qdrant-client failing to talk to it (refused, unknown host)."""
    try:
        url = Settings().qdrant_url
    except Exception:  # noqa: BLE001 - settings were already loaded once; any failure here means "not this case"
        return None
    name = type(exc).__name__
    return url if url and name in {"ResponseHandlingException", "UnexpectedResponse", "ConnectError"} else None


if __name__ == "__main__":
    sys.exit(main())
