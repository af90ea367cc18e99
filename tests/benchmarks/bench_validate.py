"""How fast is `xl-brm validate` next to its peers, on the same register, in the same run?

    python tests/benchmarks/bench_validate.py            # 10k benefits + 240k measurements
    python tests/benchmarks/bench_validate.py --large    # and 50k + 1.0M (linear scaling check)
    python tests/benchmarks/bench_validate.py --quick    # a tiny smoke run (seconds)

Each tool runs in a fresh process (so its peak memory is its own), `--repeat` times (default 3);
the table shows the medians. Tools: raw python-calamine (every sheet to Python lists), fastexcel
(every sheet to Arrow), `xl-brm validate FILE --format json` end to end (the real command, start-up
included), pandera and frictionless with the nearest equivalent schema (see `_workloads.py`).
Times are wall-clock seconds of the whole process, start-up included, for every tool alike.

frictionless is slow: each of its runs is bounded by `--frictionless-budget` seconds; past that it
is measured on a 1/10 sample register and its time multiplied up, and the output says so.
The last line starts with `SUMMARY bench_validate:`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    Result,
    check_line,
    default_workdir,
    register_file,
    repeat,
    table,
    workload,
    xl_brm_command,
)

MONTHS = 24
LARGE_MONTHS = 20
"""50k benefits x 24 months (SPEC's 1.2M) does not fit on one sheet: Excel stops at 1,048,576 rows.
The large register keeps 50k benefits and 20 months, 1.0M measurement rows, the most one sheet holds."""
SIZES = {"quick": (100, 12), "standard": (10_000, MONTHS), "large": (50_000, LARGE_MONTHS)}
PEAK_LIMIT_MB = 1024.0


def label(benefits: int, months: int) -> str:
    def short(n: int) -> str:
        for div, suffix in ((1_000_000, "M"), (1000, "k")):
            if n >= div:
                return f"{n / div:.1f}".removesuffix(".0") + suffix
        return str(n)
    return f"{short(benefits)}/{short(benefits * months)}"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def probe_file(path: Path) -> Path:
    """Header rows and mapping for the peer schemas, found once per register (cached)."""
    out = path.with_suffix(".probe.json")
    if not out.exists():
        sample = repeat("probe", workload("probe", str(path)), times=1, log=lambda _s: None)
        if not sample.ok:
            sys.exit(f"could not probe {path}: {sample.samples[-1].stderr[-500:]}")
        out.write_text(sample.samples[-1].stdout)
    return out


def run_xl_brm(path: Path, *, times: int) -> Result:
    """`xl-brm validate FILE --format json`, checking it really read every row."""
    result = repeat("xl-brm validate", xl_brm_command("validate", str(path), "--format", "json"),
                    times=times)
    first = result.samples[0]
    try:
        report = json.loads(first.stdout)
        totals = report["totals"]
    except (ValueError, KeyError, TypeError):
        last = (first.stderr.strip().splitlines() or ["no output"])[-1]
        result.failed = result.note = f"no JSON report: {last[:160]}"
        return result
    result.note = (f"{totals.get('benefits')} benefits, {totals.get('measurements')} "
                   f"measurements, {totals.get('error', 0)} errors, "
                   f"{totals.get('warning', 0)} warnings")
    if first.returncode == 2 or not totals.get("benefits"):
        issues = [i for f in report.get("files", []) for i in f.get("issues", [])]
        why = issues[0].get("message", "") if issues else "nothing read"
        result.failed = result.note = f"exit {first.returncode}: {why[:160]}"
    return result


def run_frictionless(path: Path, probe: Path, *, times: int, budget: float, workdir: Path,
                     benefits: int, months: int, sample_cache: dict[str, Result]) -> Result:
    """frictionless on the full register within `budget` seconds a run, else on a 1/10 sample."""
    full_rows = benefits * (months + 1)
    if "sample" not in sample_cache:
        result = repeat("frictionless", workload("frictionless", str(path), str(probe)),
                        times=times, timeout=budget)
        if result.ok:
            return result
        if not result.samples[-1].timed_out:
            last = (result.samples[-1].stderr.strip().splitlines() or [""])[-1]
            result.failed = result.note = "failed: " + last[:200]
            return result
        print(f"  frictionless took over {budget:.0f} s: measuring a 1/10 sample instead")
        small = max(benefits // 10, 1)
        sample_path = register_file(workdir, benefits=small, months=months)
        sampled = repeat("frictionless (sample)",
                         workload("frictionless", str(sample_path), str(probe_file(sample_path))),
                         times=times)
        sampled.tool = "frictionless"
        sampled.note = f"sample:{small * (months + 1)}"
        sample_cache["sample"] = sampled
    sampled = sample_cache["sample"]
    sample_rows = int(sampled.note.split(":")[1]) if sampled.note.startswith("sample:") else 0
    result = Result("frictionless", samples=list(sampled.samples), note=sampled.note)
    if sample_rows:
        result.scale = full_rows / sample_rows
        result.note = (f"EXTRAPOLATED: over {budget:.0f} s on the full file, so timed on a "
                       f"{sample_rows:,}-row sample x {result.scale:.0f}")
    return result


def bench_size(benefits: int, months: int, args: argparse.Namespace,
               sample_cache: dict[str, Result]) -> dict[str, Result]:
    print(f"\n== register {label(benefits, months)}: {benefits:,} benefits, "
          f"{benefits * months:,} measurements")
    path = register_file(args.workdir, benefits=benefits, months=months)
    probe = probe_file(path)
    results: dict[str, Result] = {}
    results["calamine"] = repeat("python-calamine (raw)", workload("calamine", str(path)),
                                 times=args.repeat)
    results["fastexcel"] = repeat("fastexcel", workload("fastexcel", str(path)), times=args.repeat)
    results["xl-brm"] = run_xl_brm(path, times=args.repeat)
    results["pandera"] = repeat("pandera", workload("pandera", str(path), str(probe)),
                                times=args.repeat)
    if not args.no_frictionless:
        results["frictionless"] = run_frictionless(
            path, probe, times=args.repeat, budget=args.frictionless_budget, workdir=args.workdir,
            benefits=benefits, months=months, sample_cache=sample_cache)
    return results


def render(size: str, results: dict[str, Result]) -> str:
    base = results["calamine"]
    rows = []
    names = {"calamine": "python-calamine (raw read)", "fastexcel": "fastexcel (raw read)",
             "xl-brm": "xl-brm validate (end to end)", "pandera": "pandas + pandera",
             "frictionless": "frictionless"}
    for key, result in results.items():
        if not result.samples:
            continue
        ok = result.ok or (key == "frictionless" and result.scale != 1.0)
        work = result.work_seconds
        note = result.note
        if not ok and not note and result.samples:
            note = (result.samples[-1].stderr.strip().splitlines() or ["no output"])[-1][:160]
        rows.append([
            names.get(key, key),
            f"{result.seconds:.2f}" if ok else "failed",
            f"{work:.2f}" if work is not None and ok else "-",
            f"{result.peak_mb:.0f}",
            f"{result.seconds / base.seconds:.2f}x" if ok and base.ok else "-",
            note,
        ])
    return f"### {size}\n" + table(
        ["tool", "seconds", "in-process s", "peak MB", "vs raw calamine", "note"], rows)


def checks(by_size: dict[str, dict[str, Result]], *, quick: bool) -> list[tuple[bool | None, str]]:
    out: list[tuple[bool | None, str]] = []
    first = next(iter(by_size))
    res = by_size[first]
    xl, cal = res["xl-brm"], res["calamine"]
    if xl.ok and cal.ok:
        ratio = xl.seconds / cal.seconds
        out.append((ratio <= 1.5, f"{first}: xl-brm validate {xl.seconds:.2f} s = {ratio:.2f}x "
                                  f"raw calamine {cal.seconds:.2f} s (target <= 1.5x)"))
    else:
        out.append((False, f"{first}: xl-brm validate or calamine failed"))
    fr = res.get("frictionless")
    if fr is not None and fr.samples and xl.ok:
        speedup = fr.seconds / xl.seconds
        extra = " (frictionless extrapolated)" if fr.scale != 1.0 else ""
        out.append((speedup >= 10, f"{first}: frictionless {fr.seconds:.1f} s = {speedup:.1f}x "
                                   f"xl-brm (target >= 10x){extra}"))
    elif fr is None:
        out.append((None, "frictionless not run (--no-frictionless)"))
    if len(by_size) > 1:
        big = list(by_size)[1]
        small_s, big_s = by_size[first]["xl-brm"], by_size[big]["xl-brm"]
        if small_s.ok and big_s.ok:
            scale = big_s.seconds / small_s.seconds
            rows = {size: b * (m + 1) for size, (b, m) in SIZES.items()}
            data = rows["large"] / rows["standard"]
            out.append((scale <= 1.1 * data, f"{big} vs {first}: xl-brm time x{scale:.2f} for x{data:.1f} "
                                              f"the rows (target <= x{1.1 * data:.1f}, linear)"))
        else:
            out.append((False, f"{big}: xl-brm validate failed"))
    for size, res in by_size.items():
        if res["xl-brm"].samples:
            peak = res["xl-brm"].peak_mb
            out.append((peak < PEAK_LIMIT_MB, f"{size}: xl-brm peak memory {peak:.0f} MB "
                                              f"(target < {PEAK_LIMIT_MB:.0f} MB)"))
    if quick:
        out = [(None, text + " [quick: targets apply to 10k/240k]") for _ok, text in out]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny register, one run each")
    parser.add_argument("--large", action="store_true", help="also 50k benefits + 1.0M rows")
    parser.add_argument("--workdir", type=Path, default=None,
                        help=f"where generated registers are cached (default {default_workdir()})")
    parser.add_argument("--repeat", type=int, default=None, help="runs per tool (default 3)")
    parser.add_argument("--frictionless-budget", type=float, default=600.0,
                        help="seconds per frictionless run before sampling (default 600)")
    parser.add_argument("--no-frictionless", action="store_true", help="skip frictionless")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # progress shows even when piped to a file
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    scratch = None
    if args.workdir is None:
        if args.quick:
            scratch = tempfile.TemporaryDirectory(prefix="xl-brm-bench-")
            args.workdir = Path(scratch.name)
        else:
            args.workdir = default_workdir()
    sizes = ["quick"] if args.quick else ["standard", *(["large"] if args.large else [])]
    print(f"xl-brm validate benchmark: {args.repeat} run(s) per tool, registers in {args.workdir}")
    print(f"machine: {os.cpu_count()} CPUs, load average {load()} (other work skews the figures)")
    sample_cache: dict[str, Result] = {}
    by_size: dict[str, dict[str, Result]] = {}
    for size in sizes:
        benefits, months = SIZES[size]
        by_size[label(benefits, months)] = bench_size(benefits, months, args, sample_cache)
    print()
    for size, results in by_size.items():
        print(render(size, results))
        print()
    print(f"load average at the end: {load()}")
    verdicts = checks(by_size, quick=args.quick)
    for ok, text in verdicts:
        print(check_line(ok, text))
    if args.json:
        args.json.write_text(json.dumps({size: {k: {"seconds": r.seconds, "peak_mb": r.peak_mb,
                                                    "work_seconds": r.work_seconds, "note": r.note,
                                                    "ok": r.ok}
                                                for k, r in res.items()}
                                         for size, res in by_size.items()}, indent=2))
    first = next(iter(by_size))
    res = by_size[first]
    xl, cal, fr = res["xl-brm"], res["calamine"], res.get("frictionless")
    parts = [f"{first} validate {xl.seconds:.2f} s" if xl.ok else f"{first} validate FAILED"]
    if xl.ok and cal.ok:
        parts.append(f"{xl.seconds / cal.seconds:.2f}x raw calamine ({cal.seconds:.2f} s)")
    if fr is not None and fr.samples and xl.ok:
        parts.append(f"frictionless {fr.seconds / xl.seconds:.0f}x slower"
                     + (" (extrapolated)" if fr.scale != 1.0 else ""))
    if xl.samples:
        parts.append(f"peak {max(r['xl-brm'].peak_mb for r in by_size.values()):.0f} MB")
    decided = [ok for ok, _t in verdicts if ok is not None]
    parts.append(f"{sum(decided)}/{len(decided)} targets met" if decided else "targets not judged")
    print("SUMMARY bench_validate: " + "; ".join(parts))
    if scratch is not None:
        scratch.cleanup()
    return 0 if xl.ok else 1


if __name__ == "__main__":
    sys.exit(main())
