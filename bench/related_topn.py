"""The related papers' top-k product: sparse_dot_topn against SciPy's whole product.

    python bench/related_topn.py --dumps DIR [--runs 3]

Reads the dumps in DIR (the real archive, or a corpus of bench/corpus.py),
makes the related papers' vectors once, then times, in turn in each run, the
step that finds every paper's best candidates against every paper:

- ``scipy``: SciPy's product of 1,024 rows at a time with every paper, then a
  sort of each row (``related._exact_candidates``, which a build now uses only
  for a row whose top-k product cut inside a tie), in this process;
- ``topn``, ``topn, 2 threads``: what a build does (``related._full_rows``):
  ``sparse_dot_topn.sp_matmul_topn`` keeps each row's best while it multiplies.

It checks that both give every paper the same candidates, their cosines the
same floats, ties to the lower index, and counts the rows done again for a tie.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import related  # noqa: E402
from generator.config import SiteConfig  # noqa: E402
from generator.diagnostics import Diagnostics  # noqa: E402
from generator.inputs import read_catalog  # noqa: E402

CHUNK_ROWS = 1024


def with_scipy(state: related.RelatedState, transposed, rows: np.ndarray, floor: np.float32) -> list:
    wanted = state.candidates.shape[1]
    found = []
    for start in range(0, len(rows), CHUNK_ROWS):
        found += related._exact_candidates(state.vectors, transposed, rows[start:start + CHUNK_ROWS],
                                           wanted, floor)
    return found


def with_topn(state: related.RelatedState, rows: np.ndarray, floor: np.float32, jobs: int) -> tuple:
    redone = []
    exact = related._exact_candidates
    related._exact_candidates = lambda *args: redone.extend(args[2].tolist()) or exact(*args)
    try:
        related._full_rows(state, rows, floor, jobs)
    finally:
        related._exact_candidates = exact
    return state.candidates.copy(), state.scores.copy(), state.listed.copy(), state.status.copy(), len(redone)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dumps", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    catalog = read_catalog(args.dumps, SiteConfig(), Diagnostics())
    state = related.assign_related(catalog, jobs=2)
    transposed = state.vectors.T.tocsr()
    floor = np.float32(related.RELATED_FLOOR)
    rows = np.arange(len(catalog.papers))
    print(f"{len(catalog.papers):,} papers, {state.vectors.nnz:,} terms in their vectors")

    times: dict[str, list[float]] = {}

    def timed(name: str, work):
        start = time.perf_counter()
        result = work()
        times.setdefault(name, []).append(time.perf_counter() - start)
        return result

    for run in range(args.runs):
        found = timed("scipy", lambda: with_scipy(state, transposed, rows, floor))
        one = timed("topn", lambda: with_topn(state, rows, floor, 1))
        two = timed("topn, 2 threads", lambda: with_topn(state, rows, floor, 2))
        print(f"run {run + 1}: " + ", ".join(f"{name} {values[-1]:.2f} s" for name, values in times.items()))
    print("medians: " + ", ".join(f"{name} {statistics.median(values):.2f} s" for name, values in times.items()))
    candidates, scores, listed, status, redone = one
    complete = {True: related.COMPLETE, False: related.PARTIAL}
    differ = sum(not (np.array_equal(candidates[row, :len(columns)], columns)
                      and scores[row, :len(columns)].tobytes() == cosines.tobytes()
                      and listed[row] == len(columns) and status[row] == complete[total <= len(columns)])
                 for row, (columns, cosines, total) in enumerate(found))
    same_threads = all(np.array_equal(a, b) for a, b in zip(one[:4], two[:4]))
    print(f"rows whose candidates differ from SciPy's: {differ}; 1 and 2 threads the same: {same_threads}; "
          f"rows done again for a tie: {redone}")


if __name__ == "__main__":
    main()
