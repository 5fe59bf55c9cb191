"""Tagging speed: `rivalwatch tag` against bare nlp.pipe over the same texts, same run.

Builds the demo corpus (sample sites on 127.0.0.1), scales it to at least --words words by
repeating documents, then times:
  1. bare `nlp.pipe` with the same model and the same enabled components;
  2. `rivalwatch tag` (one worker), and its peak memory;
  3. `rivalwatch tag --workers 2` on a fresh copy.
Prints words/second, the ratios, and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.pipeline import build_pipeline  # noqa: E402
from pipelines.storage import open_db  # noqa: E402
from pipelines.tagging import _text_of, watchlist  # noqa: E402
from rivalwatch.demo import run_demo  # noqa: E402
from rivalwatch.project import load_project  # noqa: E402


def build_corpus(folder: Path, words: int) -> tuple[Path, Path]:
    """The demo database, untagged, with documents repeated up to `words` words."""
    run_demo(folder / "demo", echo=lambda line: None)
    config_path, db_path = folder / "demo" / "rivalwatch.toml", folder / "demo" / "rivalwatch.db"
    db = open_db(db_path)
    db.execute("DELETE FROM mentions"), db.execute("DELETE FROM events WHERE source = 'nlp'")
    db.execute("DELETE FROM keyphrases")
    db.execute("UPDATE documents SET tagged_at = NULL, tagged_hash = NULL")
    originals = list(db.query("SELECT * FROM documents"))
    total = sum(len(_text_of(row).split()) for row in originals)
    copies = max(0, -(-words // total) - 1)
    with db.conn:
        for copy in range(copies):
            db.conn.executemany(
                "INSERT INTO documents (source_id, competitor_id, kind, url, dedupe_key, title, "
                "text, published_at, fetched_at, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(r["source_id"], r["competitor_id"], r["kind"], r["url"],
                  f"{r['dedupe_key']}#{copy}", r["title"], r["text"], r["published_at"],
                  r["fetched_at"], f"{r['content_hash']}#{copy}") for r in originals])
    db.close()
    return config_path, db_path


def bare_pipe(config_path: Path, db_path: Path) -> tuple[float, int]:
    project = load_project(config_path)
    db = open_db(db_path)
    texts = [_text_of(row) for row in db.query("SELECT title, text FROM documents ORDER BY id")]
    db.close()
    config = project.config
    nlp = build_pipeline(config.nlp.model, watchlist(config), config.topics.track)
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=config.nlp.batch_size):
        pass
    return time.perf_counter() - started, sum(len(t.split()) for t in texts)


def timed_tag(config_path: Path, db_path: Path, workers: int) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "rivalwatch", "tag", "-c", str(config_path),
                             "--db", str(db_path), "--workers", str(workers)],
                            capture_output=True, text=True, check=True)
    return time.perf_counter() - started, result.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config_path, db_path = build_corpus(folder, args.words)
        copy = folder / "copy.db"
        shutil.copy(db_path, copy)
        bare_time, words = bare_pipe(config_path, db_path)
        one_time, one_out = timed_tag(config_path, db_path, 1)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        two_time, two_out = timed_tag(config_path, copy, 2)
    print(f"corpus: {words:,} words")
    print(f"bare nlp.pipe:              {bare_time:7.1f} s  {words / bare_time:8.0f} words/s")
    print(f"rivalwatch tag:             {one_time:7.1f} s  {words / one_time:8.0f} words/s"
          f"   ({one_out})")
    print(f"rivalwatch tag --workers 2: {two_time:7.1f} s  {words / two_time:8.0f} words/s")
    print(f"ratio tag / bare nlp.pipe: {bare_time / one_time:.2f}x  (target >= 0.8x)")
    print(f"ratio 2 workers / 1 worker: {one_time / two_time:.2f}x  (target >= 1.5x)")
    print(f"peak memory of `rivalwatch tag` (1 worker): {peak_mb:.0f} MB  (target <= 1024 MB)")


if __name__ == "__main__":
    main()
