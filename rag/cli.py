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
    from rag.answer.pipeline import answer_question
    from rag.errors import IndexBusy

    question = " ".join(args.question)
    workspace = _workspace(settings)
    try:
        _ensure_index(workspace)
        answer = answer_question(workspace, question, backend=args.backend)
        output, text = answer.as_contract(), answer.render_text()
    except IndexBusy:
        output = _forward_or_raise(settings, "/ask", {"question": question, "backend": args.backend})
        text = output["answer"]
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

    corpus = sub.add_parser("corpus", help="The versioned corpus: add, replace, retire, restore, show, list, audit.")
    corpus_sub = corpus.add_subparsers(dest="corpus_command", parser_class=_Parser)

    def corpus_command(name: str, run: Callable[[Settings, argparse.Namespace], int], help_text: str,
                       *, writes: bool = False) -> argparse.ArgumentParser:
        p = corpus_sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(run=run)
        p.add_argument("--json", action="store_true")
        if writes:
            p.add_argument("--actor", help="who makes the change, for the audit trail (default: your login name)")
            p.add_argument("--wait", type=float, default=120.0,
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
    p.add_argument("--limit", type=int)
    p.add_argument("--lines", action="store_true", help="one JSON object per line, oldest last")
    p = corpus_command("list", _cmd_corpus_list, "Active versions; --all adds superseded and retired ones.")
    p.add_argument("--all", action="store_true", help="include superseded and retired versions")
    p = corpus_sub.add_parser("check", help="Validate corpus files (front matter, rule ids, tables).")
    p.set_defaults(run=_cmd_corpus_check)
    p.add_argument("path", nargs="?")
    p.add_argument("--json", action="store_true")
    p = corpus_command("audit", _cmd_corpus_audit, "The append-only audit trail, one JSON line per change with --json.")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--lines", action="store_true", help="one JSON object per line, newest first")

    p = command("cite", _cmd_cite, "Resolve a chunk id from any answer, even a superseded or retired one.")
    p.add_argument("chunk_id")
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
    p.add_argument("--include-superseded", action="store_true", help="also search superseded versions")
    p.add_argument("--json", action="store_true")

    p = command("ask", _cmd_ask, "Answer a question from the corpus with numbered citations.")
    p.add_argument("question", nargs="+")
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

    from rag.eval.command import add_eval_parser

    add_eval_parser(sub, _Parser)
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
