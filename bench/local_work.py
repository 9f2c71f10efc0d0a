"""Local work per document, in ms: load, extract/normalise, validate, write.

    python bench/local_work.py [--synthetic 1000] [--passes 20]

Stage by stage, in process, with the library's own functions, per document:

- load: `iter_documents` producing the document (file read, HTML main text through
  trafilatura, JSONL row parse, header/body detection);
- rules: the offline backend's extraction (sentences, party/money/duration/date
  normalisers);
- answer: what treatyx does with one LLM answer when it arrives (inside instructor's
  validation): parse the JSON into `ArticleWords`, `resolve` the mentions (locate them in
  the text, normalise values) and run the validator to find errors to re-ask about. The
  answers are what a good model says: for the eval articles built from the gold files'
  mentions, for the synthetic corpus the scripted server's answer;
- cache put / cache get: the sqlite response cache (WAL) for that extraction;
- validate: `pipeline.assemble` (the validator, repairs, provenance) as every backend's
  result goes through;
- write: `ResumableOutput.write` (JSON dump, append, flush, fsync).

Paths: rules = load + rules + validate + write; LLM answer = load + answer + cache put +
validate + write (the HTTP round trip, instructor and the openai client are measured end
to end below); cache hit = load + cache get + validate + write.

End to end, whole CLI, per document beyond a fixed start: `treatyx extract` with the rules
backend, and with the openai backend at concurrency 1 against the scripted server with
zero latency (so everything but the model is there: instructor, the openai client, HTTP
on 127.0.0.1, the server's own ~2 ms).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

from treatyx.cache import ExtractionCache  # noqa: E402
from treatyx.errors import LoadError  # noqa: E402
from treatyx.extractors.answers import resolve, validator_errors  # noqa: E402
from treatyx.extractors.base import Extraction  # noqa: E402
from treatyx.extractors.chunking import Chunk, chunk  # noqa: E402
from treatyx.extractors.llm import ArticleWords  # noqa: E402
from treatyx.extractors.rules import RulesBackend  # noqa: E402
from treatyx.loading import iter_documents  # noqa: E402
from treatyx.models import Document, Usage  # noqa: E402
from treatyx.output import ResumableOutput  # noqa: E402
from treatyx.pipeline import assemble  # noqa: E402
from treatyx.runner import Runner  # noqa: E402

STAGES = ["load", "rules", "answer", "cache put", "cache get", "validate", "write"]
PATHS = {
    "rules path": ["load", "rules", "validate", "write"],
    "LLM answer path": ["load", "answer", "cache put", "validate", "write"],
    "cache hit path": ["load", "cache get", "validate", "write"],
}


REASKED: set[str] = set()
"""doc_ids whose answer the LLM path would send back with problems (a re-ask)."""


class ScriptedBackend:
    """What the pipeline needs to know of an LLM backend (for assemble and the cache key)."""

    name = "openai"
    model = "scripted"
    prompt_version = "bench"
    mode = "json"
    max_chunk_tokens = 1500

    def identity(self) -> tuple:
        return (self.name, "", self.model, self.mode, self.prompt_version,
                self.max_chunk_tokens, None, None)


def gold_answer(gold: Document) -> str:
    """The answer a model that agrees with the gold file gives: its mentions."""
    return json.dumps({"agreements": [{
        "name": a.name, "type": _value(a.type), "status": _value(a.status),
        "parties": [p.mention for p in a.parties],
        "amounts": [{"mention": m.mention} for m in a.amounts],
        "durations": [{"mention": d.mention} for d in a.durations],
        "dates": [{"mention": d.mention, "role": _value(d.role)} for d in a.dates],
        "evidence": [e.quote for e in a.evidence],
    } for a in gold.agreements]})


def _value(x) -> str:
    return getattr(x, "value", x)


def piece_of(source) -> Chunk:
    pieces = chunk(source.text, source.body_start, source.body_end, max_tokens=1500)
    return pieces[0] if len(pieces) == 1 else Chunk(source.body_start, source.body_end)


def measure(paths: list[Path], answers, work: Path, label: str) -> dict[str, list[float]]:
    """One pass over `paths`: per-document ms of each stage."""
    times: dict[str, list[float]] = {stage: [] for stage in STAGES}
    rules = RulesBackend()
    scripted = ScriptedBackend()
    cache = ExtractionCache(work / f"cache-{label}")
    runner = Runner(scripted, cache=cache)  # for its cache key
    out_path = work / f"out-{label}.jsonl"
    out_path.unlink(missing_ok=True)
    clock = time.perf_counter
    with ResumableOutput(out_path) as out:
        items = iter(iter_documents(paths))
        while True:
            t0 = clock()
            source = next(items, None)
            t1 = clock()
            if source is None:
                break
            if isinstance(source, LoadError):
                raise RuntimeError(str(source))
            times["load"].append(t1 - t0)

            t0 = clock()
            rules.extract(source)
            times["rules"].append(clock() - t0)

            raw = answers(source)
            t0 = clock()
            words = ArticleWords.model_validate_json(raw)
            agreements, notes = resolve(words, source, piece_of(source))
            problems = validator_errors(agreements, source)
            times["answer"].append(clock() - t0)
            if problems:  # the LLM path would re-ask; the timing is still one answer's
                REASKED.add(source.doc_id)
            extraction = Extraction(agreements=agreements, notes=notes,
                                    usage=Usage(prompt_tokens=1000, completion_tokens=120,
                                                requests=1))

            key = runner._key(source)
            t0 = clock()
            cache.put(key, extraction)
            times["cache put"].append(clock() - t0)
            t0 = clock()
            cached = cache.get(key)
            times["cache get"].append(clock() - t0)

            t0 = clock()
            document = assemble(source, scripted, cached, seconds=0.0)
            times["validate"].append(clock() - t0)

            t0 = clock()
            out.write(document)
            times["write"].append(clock() - t0)
    return times


def watched(paths: list[Path], answers, work: Path, label: str) -> dict[str, list[float]]:
    with c.watch(label):
        return measure(paths, answers, work, label)


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def table(title: str, times: dict[str, list[float]]) -> None:
    docs = len(times["load"])
    print(f"\n{title} ({docs} document-passes; ms per document)\n")
    print("| stage | median | p95 | mean |")
    print("|---|---:|---:|---:|")
    for stage in STAGES:
        ms = [1000 * t for t in times[stage]]
        print(f"| {stage} | {statistics.median(ms):.2f} | {quantile(ms, 0.95):.2f} | "
              f"{statistics.fmean(ms):.2f} |")
    for name, stages in PATHS.items():
        ms = [1000 * sum(times[s][i] for s in stages) for i in range(docs)]
        print(f"| **{name}** ({' + '.join(stages)}) | **{statistics.median(ms):.2f}** | "
              f"**{quantile(ms, 0.95):.2f}** | {statistics.fmean(ms):.2f} |")


def eval_inputs() -> tuple[list[Path], dict[str, str]]:
    articles = sorted((c.ROOT / "eval" / "articles").glob("*/*"))
    gold = {p.stem: p for p in (c.ROOT / "eval" / "gold").glob("*/*.json")}
    answers = {}
    for item in iter_documents(articles):
        if isinstance(item, LoadError):
            raise RuntimeError(str(item))
        document = Document.model_validate_json(gold[item.doc_id].read_text(encoding="utf-8"))
        answers[item.doc_id] = gold_answer(document)
    return articles, answers


def rules_cli(corpus: Path, out: Path, docs: int) -> float:
    out.unlink(missing_ok=True)
    wall = c.run_timed(c.treatyx_cmd("extract", str(corpus), "-o", str(out),
                                     "--backend", "rules"))["wall"]
    c.check_output(out, docs, valid=False)  # the rules may misread a fact
    return wall


def openai_cli(server, corpus: Path, out: Path, docs: int) -> tuple[float, float]:
    out.unlink(missing_ok=True)
    before = len(server.arrivals)
    run = c.run_timed(c.treatyx_cmd(
        "extract", str(corpus), "-o", str(out), "--backend", "openai",
        "--base-url", server.base_url, "--api-key", "dummy", "--model", "scripted",
        "--concurrency", "1", "--no-cache"))
    c.check_output(out, docs)
    arrivals = server.arrivals[before:]
    assert len(arrivals) == docs, (len(arrivals), docs)
    # arrival to arrival: everything one document costs, the server's share included
    return (arrivals[-1] - arrivals[0]) / (docs - 1), arrivals[0] - run["started"]


def end_to_end(work: Path, docs: int) -> list[tuple[str, float, float, float]]:
    """(what, ms/doc, fixed s, docs) from two CLI runs of different sizes."""
    small = 20
    rows = []
    corpora = {n: c.write_corpus(work / f"e2e{n}.jsonl", n) for n in (small, docs)}
    walls = {}
    for n, corpus in corpora.items():
        runs = [c.undisturbed(f"rules CLI {n} docs run {r + 1}", rules_cli, corpus,
                              work / f"e2e-rules-{n}-{r}.jsonl", n) for r in range(3)]
        walls[n] = statistics.median(runs)
    per_doc = (walls[docs] - walls[small]) / (docs - small)
    rows.append(("CLI, rules backend", 1000 * per_doc, walls[small] - small * per_doc, docs))

    with c.scripted_server(0.0) as server:
        batches = [c.undisturbed(f"openai CLI run {r + 1}", openai_cli, server, corpora[docs],
                                 work / f"e2e-openai-{r}.jsonl", docs) for r in range(3)]
        per_doc, start = (statistics.median(x) for x in zip(*batches, strict=True))
        rows.append(("CLI, openai backend, concurrency 1, scripted server with 0 latency "
                     "(request to request)", 1000 * per_doc, start, docs))
    return rows


def main() -> None:
    parser = c.arguments(__doc__)
    parser.add_argument("--synthetic", type=int, default=1000, help="synthetic documents")
    parser.add_argument("--passes", type=int, default=20, help="passes over the eval articles")
    args = parser.parse_args()
    work = c.begin(args, "local-work")
    try:
        paths, answers = eval_inputs()
        def gold(source) -> str:
            return answers[source.doc_id]

        warm = c.undisturbed("eval first pass", watched, paths, gold, work, "eval-warmup")
        first = {stage: sum(v) for stage, v in warm.items()}
        merged: dict[str, list[float]] = {stage: [] for stage in STAGES}
        for n in range(args.passes):
            for stage, values in c.undisturbed(f"eval pass {n + 1}", watched, paths, gold,
                                               work, f"eval{n}").items():
                merged[stage] += values
        docs = len(warm["load"])
        table(f"Eval articles: {docs} documents (eval/articles/*: .txt, 2 .html, 2 .jsonl), "
              f"{args.passes} passes after a warm-up pass", merged)
        if REASKED:
            print(f"\n(answers built from gold that treatyx would re-ask: "
                  f"{', '.join(sorted(REASKED))})")
        print("\nfirst pass (lazy tables, regex compiles; modules already imported), whole "
              "pass in ms: "
              + ", ".join(f"{s} {1000 * t:.0f}" for s, t in first.items()))

        corpus = c.write_corpus(work / "synthetic.jsonl", args.synthetic)
        def scripted(source) -> str:
            return c.answer_for({"messages": [{"content": source.text}]})

        synthetic = c.undisturbed("synthetic pass", watched, [corpus], scripted, work,
                                  "synthetic")
        table(f"Synthetic corpus: {args.synthetic} JSONL documents (~1 KB, one agreement "
              "each), one pass", synthetic)

        print("\nEnd to end (whole CLI; ms per document beyond the fixed start, median of 3 "
              "runs each)\n")
        print("| what | ms/doc | fixed start s | docs |")
        print("|---|---:|---:|---:|")
        for what, ms, start, n in end_to_end(work, args.synthetic):
            print(f"| {what} | {ms:.1f} | {start:.2f} | {n} |")
        c.report_disturbance()
    finally:
        c.cleanup(work)


if __name__ == "__main__":
    main()
