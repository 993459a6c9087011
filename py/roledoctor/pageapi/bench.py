"""Method `bench`: diagnosis time inside the worker (`python build.py bench`)."""

from __future__ import annotations

from roledoctor.pageapi.boxes import inputs_of


def bench(args: dict) -> dict:
    """`repeat` runs of diagnose_for_page: first, median, min and p90 in ms."""
    import statistics
    import time

    from roledoctor.inputs import errortext, hcl
    from roledoctor.pageapi.view import diagnose_for_page

    inputs = inputs_of(args)
    errortext._PARSED.clear()  # the first run pays for parsing, as a fresh paste does
    hcl._PARSED.clear()
    times = []
    for _ in range(max(1, min(int(args.get("repeat", 50)), 500))):
        t0 = time.perf_counter()
        result = diagnose_for_page(inputs)
        times.append((time.perf_counter() - t0) * 1000)
    first = times[0]
    times.sort()
    return {"n": len(times), "first_ms": round(first, 2), "median_ms": round(statistics.median(times), 2),
            "min_ms": round(times[0], 2),
            "p90_ms": round(times[int(len(times) * 0.9) - 1 if len(times) > 1 else 0], 2),
            "verdict": result["verdict_word"]}
