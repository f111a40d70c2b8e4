"""The ``rag`` command: a thin shell over the library (see CONTRACT.md for the machine interface).

Errors: one line on stderr naming the problem and the fix; exit 2 for bad input or usage, 1 for
anything else the user can act on. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from rag.config import Settings
from rag.errors import InvalidInput, RagError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, as the contract asks
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


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
    from rag.errors import IndexBusy

    workspace = _workspace(settings)
    try:
        report = ingest(workspace, [Path(p) for p in args.paths])
    except IndexBusy:
        forwarded = _forward_or_raise(settings, "/ingest", {"paths": [str(Path(p).resolve()) for p in args.paths]})
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
def _cmd_corpus_list(settings: Settings, args: argparse.Namespace) -> int:
    workspace = _workspace(settings)
    try:
        docs = workspace.catalog.documents()
    finally:
        workspace.close()
    rows = [{"doc_id": d.doc_id, "title": d.title, "system": d.system, "edition": d.edition,
             "effective_date": d.effective_date, "status": d.status, "language": d.language, "source": d.source}
            for d in docs]
    if args.json:
        _print_json({"documents": rows})
    else:
        for r in rows:
            print(f"{r['doc_id']:45s} {r['status']:8s} {r['system']:18s} {r['edition'][:28]:28s} {r['effective_date']}")
    return 0


def _cmd_corpus_retire(settings: Settings, args: argparse.Namespace) -> int:
    from rag.corpus.admin import retire

    workspace = _workspace(settings)
    try:
        retire(workspace, args.doc_id, reason=args.reason or "")
    finally:
        workspace.close()
    if args.json:
        _print_json({"doc_id": args.doc_id, "status": "retired"})
    else:
        print(f"retired {args.doc_id}")
    return 0


def _cmd_corpus_audit(settings: Settings, args: argparse.Namespace) -> int:
    workspace = _workspace(settings)
    try:
        log = workspace.catalog.audit_log(args.limit)
    finally:
        workspace.close()
    if args.json:
        _print_json({"audit": log})
    else:
        import time

        for e in log:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(e["ts"])))  # type: ignore[arg-type]
            print(f"{stamp} {e['action']:9s} {e['doc_id']:40s} {e['detail']}")
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
                     doc_ids=tuple(args.doc or ()), languages=tuple(args.language or ()))


def _cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    from rag.retrieval.retrieve import Retriever

    if args.batch:
        return _search_batch(settings, args)
    if not args.query:
        raise InvalidInput("no query given", hint="rag search QUERY, or rag search --batch IN.jsonl --out OUT.jsonl")
    from rag.errors import IndexBusy

    query = " ".join(args.query)
    workspace = _workspace(settings)
    try:
        _ensure_index(workspace)
        hits = Retriever(workspace).search(query, k=args.k, mode=args.mode, filters=_filters(args))
        output = {"query": query, "mode": args.mode, "results": [h.as_contract() for h in hits]}
    except IndexBusy:
        output = _forward_or_raise(settings, "/search", {"query": query, "k": args.k, "mode": args.mode,
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


def _forward_or_raise(settings: Settings, endpoint: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Send the request to the process holding the embedded index (``rag serve`` / the app)."""
    from rag.errors import IndexBusy
    from rag.server import forward

    result = forward(settings, endpoint, payload)
    if result is None:
        raise IndexBusy(f"the embedded index at {settings.qdrant_path} is in use by another process, "
                        "and no `rag serve` answers for it")
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
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append((number, None, f"line {number}: invalid JSON ({exc.msg})"))
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
        with open(args.out, "w", encoding="utf-8") as out:
            for number, obj, error in items:
                record: dict[str, Any]
                if obj is None:
                    record = {"id": None, "error": error}
                else:
                    record = {"id": obj.get("id", number)}
                    try:
                        hits = retriever.search(str(obj.get("query", "")), k=args.k, mode=args.mode, filters=flt)
                        record.update({"query": obj.get("query"), "mode": args.mode,
                                       "results": [h.as_contract() for h in hits]})
                    except InvalidInput as exc:
                        record["error"] = exc.user_message()
                if "error" in record:
                    failures += 1
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        workspace.close()
    print(f"{len(items) - failures} queries answered, {failures} rejected -> {args.out}", file=sys.stderr)
    return 0


# ask ---------------------------------------------------------------------------------------
def _cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from rag.answer.conversation import SessionStore
    from rag.answer.pipeline import answer_question
    from rag.errors import IndexBusy

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
    except IndexBusy:
        # Another process holds the index: send it the standalone question, so the session still carries.
        standalone = conversation.rewrite(question) if conversation is not None else question
        output = _forward_or_raise(settings, "/ask", {"question": standalone, "backend": args.backend})
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
    from rag.calculators.service import StageRequest, run_stage, stage_batch

    if args.batch:
        out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
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
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"cannot read {args.file}: {exc}") from exc
    findings = None
    if args.findings:
        try:
            findings = json.loads(args.findings)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"--findings is not valid JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(findings, dict):
            raise InvalidInput("--findings must be a JSON object", hint='e.g. --findings \'{"psa": 6.2}\'')
    if text is None and findings is None and args.tnm is None:
        raise InvalidInput("nothing to stage", hint="give --text, --file, --tnm or --findings")
    output = run_stage(settings, StageRequest(system=args.system, text=text, tnm=args.tnm, findings=findings))
    if args.json:
        _print_json(output)
    else:
        from rag.calculators.service import render_text

        print(render_text(output))
    return 0


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

    corpus = sub.add_parser("corpus", help="List, check, retire and audit corpus documents.")
    corpus_sub = corpus.add_subparsers(dest="corpus_command", parser_class=_Parser)
    p = corpus_sub.add_parser("list", help="Documents with id, title, system, edition, date, status.")
    p.set_defaults(run=_cmd_corpus_list)
    p.add_argument("--json", action="store_true")
    p = corpus_sub.add_parser("check", help="Validate corpus files (front matter, rule ids, tables).")
    p.set_defaults(run=_cmd_corpus_check)
    p.add_argument("path", nargs="?")
    p.add_argument("--json", action="store_true")
    p = corpus_sub.add_parser("retire", help="Retire a document: it stays audited but is no longer searched.")
    p.set_defaults(run=_cmd_corpus_retire)
    p.add_argument("doc_id")
    p.add_argument("--reason")
    p.add_argument("--json", action="store_true")
    p = corpus_sub.add_parser("audit", help="The audit trail of ingests, replacements and retirements.")
    p.set_defaults(run=_cmd_corpus_audit)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")

    p = command("search", _cmd_search, "Hybrid (BM25 + dense) search with citations.")
    p.add_argument("query", nargs="*")
    p.add_argument("--k", type=int, default=8)
    p.add_argument("--mode", choices=("hybrid", "bm25", "dense"), default="hybrid")
    p.add_argument("--batch", help="JSON lines with {id, query}")
    p.add_argument("--out", help="output JSON lines (with --batch)")
    p.add_argument("--system", action="append", help="filter by system id (repeatable)")
    p.add_argument("--edition", action="append", help="filter by edition (repeatable)")
    p.add_argument("--doc", action="append", help="filter by document id (repeatable)")
    p.add_argument("--language", action="append", help="filter by language: en, zh (repeatable)")
    p.add_argument("--json", action="store_true")

    p = command("ask", _cmd_ask, "Answer a question from the corpus with numbered citations.")
    p.add_argument("question", nargs="*")
    p.add_argument("--session", help="carry follow-ups across calls; keeps the last questions in "
                                     "INDEX_DIR/sessions/NAME.json (owner-only) until --end-session")
    p.add_argument("--end-session", metavar="NAME", help="delete the named session's file")
    p.add_argument("--backend", help="extractive (default), llamacpp, openai")
    p.add_argument("--json", action="store_true")

    p = command("serve", _cmd_serve, "Hold the index and answer other processes on 127.0.0.1 (JSON over HTTP).")
    p.add_argument("--port", type=int, default=0, help="0 = any free port (written to INDEX_DIR/server.json)")

    p = command("stage", _cmd_stage, "Deterministic TNM stage or RADS category, citing the rules used.")
    p.add_argument("--system", help="e.g. AJCC8-lung, TNM9-lung, Lung-RADS-v2022, ACR-TI-RADS, WHO-CNS5")
    p.add_argument("--text")
    p.add_argument("--file")
    p.add_argument("--tnm")
    p.add_argument("--findings", help="JSON object of structured findings")
    p.add_argument("--batch", help="JSON lines with {id, system, text|findings|tnm}")
    p.add_argument("--out")
    p.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rag`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return 2
    try:
        settings = Settings()
        return int(args.run(settings, args))
    except RagError as exc:
        print(f"error: {exc.user_message()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted; the previous index is still in place", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
