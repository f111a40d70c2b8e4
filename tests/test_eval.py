"""`rag eval`: the scoring rules, each evaluation on small real inputs, and the CLI contract.

Gold values in these tests are written from the guideline rules (AJCC 8th lung: a 25 mm tumour is
T1c; TI-RADS: 0 points is TR1), not copied from the code's output.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rag.cli import main
from rag.config import Settings
from rag.errors import InvalidInput
from rag.eval.answers import citation_checks, load_answer_gold
from rag.eval.calculators import eval_calculators, findings_text
from rag.eval.gold import GoldQuestion, canonical_rule, medquad_source
from rag.eval.reports import MASK, eval_reports, mask_stated, system_for
from rag.eval.retrieval import evaluate
from rag.eval.scoring import Tally, major, normalise, outcome
from rag.eval.speed import growth_exponent, synthetic
from rag.workspace import Workspace
from tests.conftest import write


def test_outcomes_keep_wrong_apart_from_missing() -> None:
    assert outcome("T1c", "pT1c") == "right"
    assert outcome("IA3", "stage IA3") == "right"
    assert outcome("T1c", "T2a") == "wrong"
    assert outcome("T1c", None) == "missing"
    assert outcome("T1c", "") == "missing"
    assert normalise("ypN1") == "n1"
    assert major("pT2a", "T") == "T2" and major("pN1mi", "N") == "N1" and major("", "M") is None
    tally = Tally()
    for verdict in ("right", "wrong", "missing", "missing"):
        tally.add(verdict, {"id": 1})  # type: ignore[arg-type]
    assert tally.as_dict()["wrong_rate"] == 0.25 and len(tally.misses) == 3


def test_rule_ids_of_both_languages_are_one_rule() -> None:
    assert canonical_rule("ZHLUNG8.ED9.N.N2a") == "LUNG9.N.N2a"
    assert canonical_rule("ZHLUNG8.T.T1a") == "LUNG8.T.T1a"
    assert medquad_source("https://www.cancer.gov/types/kidney/patient/kidney-treatment-pdq") == "types-kidney-hp-kidney-treatment-pdq"
    assert medquad_source("https://example.org/other") is None
    assert system_for("TCGA-LUAD") == "AJCC8-lung" and system_for("TCGA-XYZ") is None


@pytest.mark.slow  # numba JIT-compiles ranx's metrics on first use (~12 s)
def test_ranx_metrics_and_paired_test_on_known_runs() -> None:
    # q1: relevant at rank 1 in hybrid, rank 2 in bm25; q2: rank 1 in both; q3: missed by bm25.
    questions = [GoldQuestion(f"q{i}", "x", "en", "chunk", relevant=frozenset({f"c{i}"})) for i in (1, 2, 3)]
    per_mode = {
        "hybrid": {"run": {"q1": {"c1": 10.0, "z": 9.0}, "q2": {"c2": 10.0}, "q3": {"c3": 10.0}}, "latency_ms": [1.0, 2.0, 3.0]},
        "bm25": {"run": {"q1": {"z": 10.0, "c1": 9.0}, "q2": {"c2": 10.0}, "q3": {"z": 10.0}}, "latency_ms": [1.0, 1.0, 1.0]},
    }
    results = evaluate(questions, per_mode)
    assert results["metrics"]["hybrid"]["mrr@10"] == pytest.approx(1.0)
    assert results["metrics"]["bm25"]["mrr@10"] == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert results["metrics"]["bm25"]["recall@5"] == pytest.approx(2 / 3)
    assert 0.0 < results["hybrid_vs"]["bm25"]["mrr@10"] <= 1.0
    assert results["latency_ms"]["hybrid"]["p50"] == 2.0


@pytest.mark.slow  # ranx (numba JIT)
def test_questions_without_relevant_items_cannot_be_scored() -> None:
    with pytest.raises(InvalidInput, match="no gold question"):
        evaluate([GoldQuestion("q", "x", "en", "chunk")], {"bm25": {"run": {"q": {"a": 1.0}}, "latency_ms": [1.0]}})


def test_calculator_eval_counts_right_wrong_and_missing(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    lines = [
        # right: 25 mm solid primary, no nodes, no metastasis → T1c N0 M0, IA3.
        {"id": "a", "system": "AJCC8-lung", "tnm": "T1c N0 M0", "gold": {"T": "T1c", "stage": "IA3"}},
        # a deliberately wrong gold stage: the evaluation must call it wrong, not right.
        {"id": "b", "system": "AJCC8-lung", "tnm": "T1c N0 M0", "gold": {"stage": "IIB"}},
        # nothing about nodes is given: N must come back missing.
        {"id": "c", "system": "AJCC8-lung", "text": "Primary tumour 25 mm, solid.", "gold": {"N": "N0"}},
    ]
    cases.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
    results = eval_calculators(Settings(index_dir=tmp_path / "i"), cases, tmp_path / "out")
    lung = results["systems"]["AJCC8-lung"]
    assert lung["T"]["right"] == 1 and lung["stage"]["right"] == 1 and lung["stage"]["wrong"] == 1
    assert lung["N"]["missing"] == 1
    assert results["cases_by_outcome"] == {"right": 1, "wrong": 1, "missing": 1}
    assert len(results["errors"]) == 1
    assert (tmp_path / "out" / "calculators_outcomes.png").stat().st_size > 1000
    assert "**1 wrong**" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_findings_objects_render_as_typed_findings() -> None:
    text = findings_text({"primary_greatest_dimension_mm": 30, "regional_nodes": "none involved", "pleural": False})
    assert text == "primary greatest dimension: 30 mm. regional nodes: none involved. pleural: no."


def test_report_eval_scores_major_categories_per_project(tmp_path: Path) -> None:
    csv_path = tmp_path / "reports.csv"
    csv_path.write_text(
        "case_id,project,T,N,M,text\n"
        "r1,TCGA-LUAD,T1b,N0,,\"Right upper lobe adenocarcinoma, 1.8 cm in greatest dimension. "
        "Visceral pleura not involved. Lymph nodes: 0/12 positive. pT1b pN0.\"\n"
        "r2,TCGA-LUAD,T3,N0,,\"Adenocarcinoma, 1.8 cm. pT1b pN0.\"\n"
        "r3,TCGA-XYZ,T1,,,\"not a supported site\"\n", encoding="utf-8")
    results = eval_reports(Settings(index_dir=tmp_path / "i"), csv_path, tmp_path / "out")
    luad = results["projects"]["TCGA-LUAD"]
    assert luad["T"]["right"] == 1 and luad["T"]["wrong"] == 1
    assert results["unsupported_projects"] == {"TCGA-XYZ": 1}
    assert ["T3", "T1", 1] in results["confusion"]["T"]
    assert (tmp_path / "out" / "reports_confusion_T.png").exists()


def test_mask_stated_hides_categories_not_words() -> None:
    text = "Tumor 3.2 cm (pT2a pN0(i+), M1b; ypT0 ypN1mi; T is in the table; NMR; Tis; NX). Stage IIB."
    masked = mask_stated(text)
    assert masked.count(MASK) == 7, masked
    assert masked.startswith("Tumor 3.2 cm") and "NMR" in masked and "T is in the table" in masked


def test_report_eval_mask_stated_scores_the_derived_reading(tmp_path: Path) -> None:
    """With the stated pT3 masked the reader must derive T from the findings (1.8 cm → T1), not copy it."""
    csv_path = tmp_path / "reports.csv"
    csv_path.write_text(
        "case_id,project,T,N,M,text\n"
        "r1,TCGA-LUAD,T3,N0,,\"Right upper lobe adenocarcinoma, 1.8 cm in greatest dimension. "
        "Visceral pleura not involved. pT3 pN0.\"\n", encoding="utf-8")
    stated = eval_reports(Settings(index_dir=tmp_path / "i"), csv_path, tmp_path / "a")
    derived = eval_reports(Settings(index_dir=tmp_path / "i"), csv_path, tmp_path / "b", mask=True)
    assert stated["overall"]["T"]["right"] == 1 and not stated["masked_stated"]
    assert derived["overall"]["T"]["wrong"] == 1 and derived["masked_stated"]
    assert ["T3", "T1", 1] in derived["confusion"]["T"]
    assert "masked" in (tmp_path / "b" / "report.md").read_text(encoding="utf-8")
    assert main(["eval", "reports", "--csv", str(csv_path), "--mask-stated", "--out", str(tmp_path / "c")]) == 0
    assert json.loads((tmp_path / "c" / "results.json").read_text(encoding="utf-8"))["masked_stated"] is True


def test_answer_gold_is_validated(tmp_path: Path) -> None:
    bad = write(tmp_path / "g.jsonl", '{"id": 1, "question": "What is TR5?", "refuse": false}\n')
    with pytest.raises(InvalidInput, match="needs an \"expect\" regex"):
        load_answer_gold(bad)
    bad.write_text('{"id": 1, "question": "q", "expect": "(unclosed"}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="line 1"):
        load_answer_gold(bad)


def test_independent_citation_check_catches_numbers_the_passage_lacks() -> None:
    answer = {"answer": "TR5 nodules of 1 cm or more go to FNA [1]. TR3 nodules of 2.5 cm or more go to FNA [2]. Extra [3].",
              "citations": [{"n": 1, "chunk_id": "a", "quote": ""}, {"n": 2, "chunk_id": "b", "quote": ""}]}
    passages = {"a": "TR5: fine-needle aspiration when 1 cm or larger.", "b": "TR4: aspiration from 1.5 cm."}
    markers, unresolved, unsupported = citation_checks(answer, passages)
    assert (markers, unresolved, unsupported) == (3, 1, 1)


def test_growth_exponent_and_synthetic_vectors() -> None:
    assert growth_exponent([(1000, 10.0), (10000, 10.0), (100000, 10.0)]) == pytest.approx(0.0, abs=1e-9)
    assert growth_exponent([(1000, 1.0), (10000, 10.0)]) == pytest.approx(1.0)
    assert growth_exponent([(1000, 1.0)]) is None
    base = np.eye(3, dtype=np.float32)
    tokens, vectors = synthetic([["a"], ["b"], ["c"]], base, 7, seed=1)
    assert len(tokens) == 7 and tokens[3] == ["a"]
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[:3], base) and not np.allclose(vectors[3], base[0])


def test_cli_eval_calculators_json_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "i"))
    cases = write(tmp_path / "c.jsonl", json.dumps({"id": "a", "system": "ACR-TI-RADS",
                                                    "findings": {"composition": "cystic", "echogenicity": "anechoic", "shape": "wider-than-tall",
                                                                 "margin": "smooth", "echogenic_foci": "none"}, "gold": {"level": "TR1"}}) + "\n")
    assert main(["eval", "calculators", "--cases", str(cases), "--out", str(tmp_path / "o"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cases"] == 1 and set(out["overall"]) >= {"right", "wrong", "missing"}
    assert (tmp_path / "o" / "results.json").exists() and (tmp_path / "o" / "report.md").exists()
    assert main(["eval", "calculators", "--cases", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o2")]) == 2
    assert "cannot read" in capsys.readouterr().err
    afile = write(tmp_path / "afile", "x")
    assert main(["eval", "calculators", "--cases", str(cases), "--out", str(afile)]) == 2


@pytest.mark.slow  # the session's bundled-corpus index (embeds it once) and the query model
def test_eval_speed_times_every_size_and_checks_dense_recall(corpus_workspace: Workspace, tmp_path: Path) -> None:
    """Every size is built and queried (interleaved); below EXACT_BELOW the product searches exactly, so
    the recall it reports against exact search must be 1.0 there; the report lists the stage times."""
    from rag.eval.speed import eval_speed

    results = eval_speed(corpus_workspace, tmp_path / "out", sizes=(300, 1500), queries=4)
    rows = results["sizes"]
    assert [r["chunks"] for r in rows] == [300, 1500]
    for row in rows:
        assert row["dense_recall_at_10"] == row["dense_passage_recall_at_10"] == 1.0
        assert len(row["samples_ms"]) == 4 and row["p50_ms"] > 0
        assert set(row["stage_p50_ms"]) == {"embed", "dense", "bm25"}
        assert row["hnsw_indexed"] == 0 and row["segments"] >= 1
    assert "dense recall@10" in (tmp_path / "out" / "report.md").read_text()
