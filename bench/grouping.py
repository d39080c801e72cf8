"""Common-work grouping benchmark: how long grouping a workshop of 3,000 tasks takes.

    .venv/bin/python bench/grouping.py [--tasks 3000]

The tasks are the 1,000 realistic ones of bench/data/tasks_1000.json, repeated with each copy's
description taken from another task so that every text differs (no two tasks share a cache
entry or collapse into one node). Measured: the morphological analysis of every text with a cold
cache (once per text; afterwards the shared cache answers), the same with a warm cache, and the
grouping itself (candidate pairs, similarities, average linkage). The last line is JSON.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop_site.settings")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.pop("REDIS_URL", None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=3000)
    count = parser.parse_args().tasks
    import django

    django.setup()
    from ai import factors, grouping

    tasks = json.loads((ROOT / "bench/data/tasks_1000.json").read_text(encoding="utf-8"))
    texts = []
    for index in range(count):
        task = tasks[index % len(tasks)]
        other = tasks[(index * 7 + index // len(tasks)) % len(tasks)]
        texts.append((task["title"], other["description"] + f" ({index // len(tasks) + 1}차)"))
    started = time.perf_counter()
    factors.analyser()
    load = time.perf_counter() - started
    started = time.perf_counter()
    terms = grouping.terms_for_texts(texts)
    cold = time.perf_counter() - started
    grouping._memo.clear()
    started = time.perf_counter()
    grouping.terms_for_texts(texts)
    warm = time.perf_counter() - started
    started = time.perf_counter()
    groups = grouping.group(terms)
    grouped = time.perf_counter() - started
    figures = {
        "tasks": count,
        "analyser_load_s": round(load, 2),
        "terms_cold_s": round(cold, 2),
        "terms_warm_cache_s": round(warm, 3),
        "group_s": round(grouped, 3),
        "spelling_candidates": len(grouping._spelling_candidates(terms, grouping.THRESHOLD)),
        "groups": len(groups),
        "largest_group": max((len(g) for g in groups), default=0),
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
