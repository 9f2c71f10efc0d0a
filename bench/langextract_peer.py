"""treatyx's local backend and Google's LangExtract on one llama.cpp server, same articles.

    flock /tmp/treatyx-model.lock python bench/langextract_peer.py            # realdev
    flock /tmp/treatyx-model.lock python bench/langextract_peer.py --limit 2  # a quick check
    flock /tmp/treatyx-model.lock python bench/langextract_peer.py --until 23:28  # what fits
    python bench/langextract_peer.py --set dev

Needs `pip install -e '.[local,bench]'` (langextract) and the pulled model.

One run starts llama.cpp once: treatyx opens `Extractor(backend="local")`, which is
`--backend local` itself (the LocalServer it starts, chunk size, JSON mode, evidence
reading, re-asks: whatever the local backend's defaults are at the commit measured,
never a copy of them). While that server is up, LangExtract's OpenAI provider is pointed
at its URL with a few-shot example of our own (bench/langextract/), and its extractions
become treatyx documents (bench/langextract_adapter.py). Both are scored by
`treatyx.evaluate`, as `treatyx eval` does. Predictions go to eval/results/private/
(realdev's texts are not ours); the scores to eval/results/peer-<set>.json and a table
to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
REALDEV = Path(os.environ.get("TREATYX_REALDEV", ROOT.parent / "shared" / "realdev"))
RESULTS = ROOT / "eval" / "results"
PRIVATE = RESULTS / "private"
MARK = "<!-- langextract-peer {} -->"
END = "<!-- /langextract-peer {} -->"

MAX_CHAR_BUFFER = 1000
"""LangExtract's own default chunk, in characters."""
MAX_OUTPUT_TOKENS = 900
"""The answer cap treatyx's backend gives the model (LLMBackend.max_completion_tokens)."""
SEED = 7
"""treatyx's seed; both ask at temperature 0."""
TREATYX_SHARE = 0.4
"""With --until, the part of the time left that treatyx's pass may take before LangExtract
gets the same articles (LangExtract takes the rest): about their seconds per article on
realdev, machine busy, on 2026-12-04 (treatyx's sentence design ~24 s, LangExtract ~48 s)."""


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


common = _load("_common")
adapter = _load("langextract_adapter")

from treatyx import Extractor, evaluate, load_results  # noqa: E402
from treatyx import validation as validator  # noqa: E402
from treatyx.loading import LoadError, SourceDocument, iter_documents  # noqa: E402
from treatyx.models import Document, ExtractorInfo, Usage  # noqa: E402

# --- the articles ----------------------------------------------------------------


def articles(name: str, limit: int | None) -> tuple[list[SourceDocument], list[Document]]:
    """The set's articles (the first `limit`) and their gold."""
    if name == "realdev":
        if not REALDEV.is_dir():
            sys.exit(f"{REALDEV}: no real-article set there (TREATYX_REALDEV)")
        paths, gold_dir = sorted(REALDEV.glob("*.txt")), REALDEV
    else:
        paths = [ROOT / "eval" / "articles" / name]
        gold_dir = ROOT / "eval" / "gold" / name
    sources = sorted((d for d in iter_documents(paths) if not isinstance(d, LoadError)),
                     key=lambda d: d.doc_id)
    sources = sources[:limit] if limit else sources
    wanted = {s.doc_id for s in sources}
    return sources, [g for g in load_results(gold_dir) if g.doc_id in wanted]


# --- the two systems -------------------------------------------------------------


def in_time(stop_at: float | None, what: str, source: SourceDocument) -> bool:
    if stop_at is None or time.monotonic() < stop_at:
        return True
    print(f"{what}: out of time before {source.doc_id}", flush=True)
    return False


def run_treatyx(extractor: Extractor, sources: list[SourceDocument], *,
                stop_at: float | None = None) -> tuple[list[Document], list[str], list[str]]:
    """One article at a time (as eval/run does, --concurrency 1); also the doc_ids tried."""
    docs: list[Document] = []
    failed: list[str] = []
    tried: list[str] = []
    for source in sources:
        if not in_time(stop_at, "treatyx", source):
            break
        tried.append(source.doc_id)
        try:
            doc = extractor.extract(source)
        except Exception as error:  # one article's failure must not lose the others
            failed.append(f"{source.doc_id}: {type(error).__name__}: {error}"[:300])
            print(f"treatyx     {source.doc_id}: FAILED {failed[-1]}", flush=True)
            continue
        docs.append(doc)
        print(f"treatyx     {doc.doc_id}: {len(doc.agreements)} agreement(s), "
              f"{doc.extractor.seconds:.1f} s", flush=True)
    return docs, failed, tried


def langextract_setup(base_url: str, model_id: str):
    """LangExtract's OpenAI provider on our server, with LangExtract's defaults for an
    OpenAI model (a JSON schema built from the examples, raw JSON without fences), and
    the example and instructions of bench/langextract/."""
    import langextract as lx
    from langextract.providers.openai import OpenAILanguageModel
    from langextract.providers.schemas.openai import OpenAISchema

    class Counted(OpenAILanguageModel):
        """LangExtract's provider, counting the prompts it sends (one request each)."""

        requests = 0

        def infer(self, batch_prompts, **kwargs):
            self.requests += len(batch_prompts)
            yield from super().infer(batch_prompts, **kwargs)

    spec = json.loads((HERE / "langextract" / "example.json").read_text(encoding="utf-8"))
    example = lx.data.ExampleData(text=spec["text"], extractions=[
        lx.data.Extraction(extraction_class=e["class"], extraction_text=e["text"],
                           attributes=e["attributes"] or None)
        for e in spec["extractions"]])
    model = Counted(model_id=model_id, api_key="none", base_url=base_url, temperature=0.0,
                    max_workers=1, openai_schema=OpenAISchema.from_examples([example]),
                    seed=SEED, max_output_tokens=MAX_OUTPUT_TOKENS)
    prompt = (HERE / "langextract" / "prompt.md").read_text(encoding="utf-8")
    return lx, model, prompt, example


def run_langextract(base_url: str, model_id: str, sources: list[SourceDocument],
                    *, max_char_buffer: int, passes: int, stop_at: float | None = None):
    lx, model, prompt, example = langextract_setup(base_url, model_id)
    tally = adapter.Tally()
    docs: list[Document] = []
    failed: list[str] = []
    raw: list[dict] = []
    tried: list[str] = []
    for source in sources:
        if not in_time(stop_at, "langextract", source):
            break
        tried.append(source.doc_id)
        before, started = model.requests, time.perf_counter()
        try:
            result = lx.extract(source.body, prompt_description=prompt, examples=[example],
                                model=model, use_schema_constraints=False,
                                max_char_buffer=max_char_buffer, extraction_passes=passes,
                                batch_length=1, max_workers=1, show_progress=False)
        except Exception as error:  # one article's failure must not lose the others
            failed.append(f"{source.doc_id}: {type(error).__name__}: {error}"[:300])
            print(f"langextract {source.doc_id}: FAILED {failed[-1]}", flush=True)
            continue
        seconds = time.perf_counter() - started
        record = {"doc_id": source.doc_id, "model": model_id, "seconds": round(seconds, 3),
                  "requests": model.requests - before, "extractions": [
                      {"class": e.extraction_class, "text": e.extraction_text,
                       "interval": [e.char_interval.start_pos, e.char_interval.end_pos]
                       if e.char_interval else None, "attributes": e.attributes}
                      for e in result.extractions or []]}
        raw.append(record)
        doc = peer_document(source, record, tally)
        docs.append(doc)
        print(f"langextract {doc.doc_id}: {len(doc.agreements)} agreement(s), "
              f"{len(result.extractions or [])} extraction(s), {seconds:.1f} s", flush=True)
    return docs, failed, tally, raw, tried


def seconds_until(clock: str | None) -> float | None:
    """Seconds from now to HH:MM UTC today (None: no deadline)."""
    if clock is None:
        return None
    now = dt.datetime.now(dt.UTC)
    hour, minute = (int(part) for part in clock.split(":"))
    return max(0.0, (now.replace(hour=hour, minute=minute, second=0, microsecond=0)
                     - now).total_seconds())


def peer_document(source: SourceDocument, record: dict, tally) -> Document:
    """The treatyx document, validated as treatyx's own are, for LangExtract's answer to
    `source` as recorded in the raw file (its extractions, seconds and requests)."""
    import langextract as lx

    extractions = [lx.data.Extraction(
        extraction_class=e["class"], extraction_text=e["text"], attributes=e["attributes"],
        char_interval=lx.data.CharInterval(*e["interval"]) if e["interval"] else None)
        for e in record["extractions"]]
    doc = adapter.to_document(extractions, source, offset=source.body_start, tally=tally)
    doc = validator.apply(doc, source.text, body=(source.body_start, source.body_end))
    doc.extractor = ExtractorInfo(
        backend="langextract", model=record["model"],
        prompt_version=f"langextract {lx_version()} + bench/langextract",
        usage=Usage(requests=record["requests"]), seconds=record["seconds"])
    return doc


def rescore(set_name: str, limit: int | None) -> int:
    """Both systems' last predictions scored again, LangExtract's re-adapted from its raw
    extractions: for work on the adapter, without the model. Prints, writes nothing."""
    sources, gold = articles(set_name, limit)
    raw = [json.loads(line) for line in
           (PRIVATE / f"peer-langextract-{set_name}.raw.jsonl").open(encoding="utf-8")]
    by_id = {s.doc_id: s for s in sources}
    raw = [r for r in raw if r["doc_id"] in by_id]
    gold = [g for g in gold if g.doc_id in {r["doc_id"] for r in raw}]
    tally = adapter.Tally()
    theirs = [peer_document(by_id[r["doc_id"]], r, tally) for r in raw]
    ours = [d for d in load_results(PRIVATE / f"peer-treatyx-{set_name}.jsonl")
            if d.doc_id in {g.doc_id for g in gold}]
    texts = {s.doc_id: s.text for s in sources}
    runs = [summary("treatyx local", ours, gold, texts, [], 0.0),
            summary("langextract", theirs, gold, texts, [], 0.0)]
    print(f"{len(gold)} articles of {set_name}, rescored\n\n{table(runs)}\n")
    print("adapter:", dict(tally.counts))
    return 0


def lx_version() -> str:
    from importlib.metadata import version

    return version("langextract")


# --- scores ----------------------------------------------------------------------


def summary(name: str, docs: list[Document], gold: list[Document], texts: dict[str, str],
            failed: list[str], wall: float) -> dict:
    report = evaluate(gold, docs, texts=texts)
    scores = report.model_dump(mode="json", exclude={"errors"})  # errors quote the texts
    seconds = [d.extractor.seconds for d in docs if d.extractor]
    return {
        "system": name,
        "documents": len(gold),
        "failed": len(failed),
        "failures": [f.split(":", 1)[0] for f in failed],
        "wall_seconds": round(wall, 1),
        "seconds_per_document": round(sum(seconds) / max(1, len(seconds)), 2),
        "requests": sum(d.extractor.usage.requests for d in docs if d.extractor),
        "prompt_tokens": sum(d.extractor.usage.prompt_tokens for d in docs if d.extractor),
        "scores": scores,
    }


def table(runs: list[dict]) -> str:
    lines = ["| | " + " | ".join(f"`{r['system']}`" for r in runs) + " |",
             "|---|" + "---:|" * len(runs)]

    def row(label: str, cell) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in runs) + " |")

    row("**all-F1**", lambda r: f"**{r['scores']['fields']['all']['f1']:.3f}**")
    row("precision / recall (all)", lambda r: "{:.3f} / {:.3f}".format(
        r["scores"]["fields"]["all"]["precision"], r["scores"]["fields"]["all"]["recall"]))
    row("agreement detection F1", lambda r: f"{r['scores']['agreements']['f1']:.3f}")
    for field in ("parties", "type", "status", "amounts", "durations", "dates"):
        row(f"{field} F1", lambda r, f=field: f"{r['scores']['fields'][f]['f1']:.3f}")
    row("hallucinated mentions", lambda r: str(r["scores"]["hallucinations"]))
    row("seconds per article", lambda r: f"{r['seconds_per_document']:.1f}")
    row("requests (all articles)", lambda r: str(r["requests"]))
    row("failed articles", lambda r: str(r["failed"]))
    return "\n".join(lines)


def write_results(set_name: str, meta: dict, runs: list[dict], tally: dict) -> str:
    limited = (f", first {meta['articles']} articles"
               + (f" (all that fitted before {meta['until']} UTC)" if meta["until"] else "")
               if meta["limit"] or meta["until"] else "")
    (RESULTS / f"peer-{set_name}.json").write_text(
        json.dumps({"meta": meta, "adapter": tally, "runs": runs}, indent=2) + "\n",
        encoding="utf-8")
    section = "\n".join([
        MARK.format(set_name),
        f"### {set_name}{limited}: treatyx `local` and LangExtract on one llama.cpp server",
        "",
        f"`{meta['command']}`, {meta['run']}; treatyx {meta['revision']}, langextract "
        f"{meta['langextract']}, model `{meta['model']}` ({meta['machine']}; "
        f"{meta['load']}).",
        "",
        table(runs),
        "",
        "LangExtract's adapter dropped or defaulted: "
        + (", ".join(f"{k} {v}" for k, v in sorted(tally.items())) or "nothing") + ".",
        END.format(set_name),
    ])
    path = HERE / "RESULTS.md"
    current = path.read_text(encoding="utf-8")
    start, end = MARK.format(set_name), END.format(set_name)
    if start in current and end in current:
        head, rest = current.split(start, 1)
        current = head + section + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(current, encoding="utf-8")
    return section


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="realdev", choices=["realdev", "dev", "test"])
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--until", metavar="HH:MM",
                        help="UTC time by which both passes must be done: each takes no new "
                             "article after its share, and both are scored on the articles "
                             "LangExtract reached")
    parser.add_argument("--max-char-buffer", type=int, default=MAX_CHAR_BUFFER,
                        help="LangExtract's chunk in characters (default %(default)s)")
    parser.add_argument("--passes", type=int, default=1,
                        help="LangExtract's extraction_passes (default %(default)s)")
    parser.add_argument("--rescore", action="store_true",
                        help="no model: score the last run's predictions again, LangExtract's "
                             "re-adapted from its raw extractions (for work on the adapter)")
    args = parser.parse_args()
    try:
        import langextract  # noqa: F401
    except ImportError:
        parser.error("langextract is not installed: pip install -e '.[bench]'")

    if args.rescore:
        return rescore(args.set, args.limit)
    sources, gold = articles(args.set, args.limit)
    texts = {s.doc_id: s.text for s in sources}
    revision = common.revision()  # what is measured: the code as the run starts
    common.print_machine()
    print(f"{len(sources)} articles of {args.set}; load average {common.load_average()}")
    with Extractor(backend="local", cache=False, concurrency=1) as extractor:
        backend = extractor.runner.backend  # starts llama.cpp, as --backend local does
        client = getattr(backend, "client", None)
        if client is None:
            sys.exit("the local backend has no `client` (an openai client) any more: "
                     "tell bench/langextract_peer.py where its server is")
        base_url, model_id = str(client.base_url), backend.model
        print(f"llama.cpp at {base_url}, model {model_id}", flush=True)
        deadline, began = seconds_until(args.until), time.monotonic()
        stop = None if deadline is None else began + deadline * TREATYX_SHARE
        started = time.perf_counter()
        ours, our_failures, tried = run_treatyx(extractor, sources, stop_at=stop)
        our_wall = time.perf_counter() - started
        stop = None if deadline is None else began + deadline
        started = time.perf_counter()
        theirs, their_failures, tally, raw, reached_ids = run_langextract(
            base_url, model_id, [s for s in sources if s.doc_id in tried],
            max_char_buffer=args.max_char_buffer, passes=args.passes, stop_at=stop)
        their_wall = time.perf_counter() - started
    reached = set(reached_ids)
    if len(reached) < len(sources):  # --until: score both on the articles both were given
        sources = [s for s in sources if s.doc_id in reached]
        gold = [g for g in gold if g.doc_id in reached]
        texts = {s.doc_id: s.text for s in sources}
        ours = [d for d in ours if d.doc_id in reached]
        our_failures = [f for f in our_failures if f.split(":", 1)[0] in reached]

    PRIVATE.mkdir(parents=True, exist_ok=True)
    with (PRIVATE / f"peer-langextract-{args.set}.raw.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(item, ensure_ascii=False) + "\n" for item in raw)
    for name, docs in (("treatyx", ours), ("langextract", theirs)):
        with (PRIVATE / f"peer-{name}-{args.set}.jsonl").open("w", encoding="utf-8") as out:
            for doc in sorted(docs, key=lambda d: d.doc_id):
                out.write(doc.to_json() + "\n")
    runs = [summary("treatyx local", ours, gold, texts, our_failures, our_wall),
            summary("langextract", theirs, gold, texts, their_failures, their_wall)]
    options = [f"--set {args.set}"]
    if args.limit:
        options.append(f"--limit {args.limit}")
    if args.until:
        options.append(f"--until {args.until}")
    if args.max_char_buffer != MAX_CHAR_BUFFER:
        options.append(f"--max-char-buffer {args.max_char_buffer}")
    if args.passes != 1:
        options.append(f"--passes {args.passes}")
    machine = common.machine()
    meta = {
        "command": "python bench/langextract_peer.py " + " ".join(options),
        "set": args.set, "articles": len(sources), "limit": args.limit,
        "until": args.until,
        "run": machine["date"] + " " + time.strftime("%Z"),
        "revision": revision, "langextract": lx_version(), "model": model_id,
        "machine": f"{machine['nproc']} cores, {machine['cpu']}",
        "load": f"load average {common.load_average()} at the end",
        "max_char_buffer": args.max_char_buffer, "extraction_passes": args.passes,
        "max_output_tokens": MAX_OUTPUT_TOKENS, "seed": SEED,
    }
    print(write_results(args.set, meta, runs, dict(tally.counts)))
    for failure in our_failures + their_failures:
        print("failed:", failure, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
