"""Where the mixed workload's time goes, by shape: the baseline's SQL (bench/baseline.py) for
each of the first N combinations of bench/mixed.py, timed query by query in one connection, and
summed by the set of filters given (actor, type, country, date_from, q).

    .venv/bin/python bench/shapes.py [N]      # default 800

Prints a table per read (the JSON list's page of rows; the HTML list's page, capped count and
facets), slowest shapes first, and the slowest combinations. The tables in bench/README.md that
chose the read model's layout and indexes come from this script.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import baseline, mixed  # noqa: E402

DSN = os.environ.get("BASELINE_DSN", baseline.DSN)


def timed(cursor, sql, params):
    start = time.perf_counter()
    rows = cursor.execute(sql, params).fetchall()
    return (time.perf_counter() - start) * 1000, rows


def measure(query):
    """(list ms, count + facets ms, count) of one combination, as the baseline's HTML page runs them."""
    where, params = baseline.event_filters(query)
    ranked = "q" in query
    cursor = baseline.connection().cursor()
    sql = baseline.RANKED_ROWS if ranked else baseline.LIST_ROWS
    listing, _ = timed(cursor, sql.format(where=where), {**params, "limit": 30, "window": baseline.RELEVANCE_WINDOW})
    start = time.perf_counter()
    count, _ = baseline.count_and_facets(cursor, where, params)
    return listing, (time.perf_counter() - start) * 1000, count


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 800
    combinations = mixed.draw(DSN)[:n]
    by_shape, slowest = {}, []
    for query in combinations:
        listing, facets, count = measure(query)
        shape = " + ".join(k for k in ("actor", "type", "country", "date_from", "q") if k in query) or "(none)"
        by_shape.setdefault(shape, []).append((listing, facets))
        slowest.append((listing + facets, listing, facets, count, query))
    print("| shape | n | list p50 | list max | count + facets p50 | count + facets max | total |")
    print("|---|---|---|---|---|---|---|")
    for shape, times in sorted(by_shape.items(), key=lambda item: -sum(a + b for a, b in item[1])):
        lists, facets = [t[0] for t in times], [t[1] for t in times]
        print(
            f"| {shape} | {len(times)} | {statistics.median(lists):.1f} | {max(lists):.1f} | "
            f"{statistics.median(facets):.1f} | {max(facets):.1f} | {sum(lists) + sum(facets):,.0f} |"
        )
    every = [s[0] for s in slowest]
    print(
        f"\nall {len(every)}: total {sum(every):,.0f} ms, p50 {statistics.median(every):.1f}, "
        f"p99 {sorted(every)[int(len(every) * 0.99)]:.1f}, max {max(every):.1f}"
    )
    print("\nslowest:")
    for total, listing, facets, count, query in sorted(slowest, key=lambda s: -s[0])[:15]:
        print(f"  {total:8.1f} ms (list {listing:.1f}, count+facets {facets:.1f}, {count:,} rows) {query}")


if __name__ == "__main__":
    main()
