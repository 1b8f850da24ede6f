"""The summary that ``lucid_compare.py`` prints: port/Lucid 0.3.10 step-time ratios and cold
starts, per batch size and port configuration."""

import statistics

import lockstep

LABELS = {"port": "port", "original": "Lucid 0.3.10"}
# issue 13: the port >= 1.5x faster per step in float32, 2x in bfloat16, at batch 1 and 16
TARGET_SPEEDUP = {"float32": 1.5, "bfloat16": 2.0}


def config_label(engine, precision="float32", rewrites="on"):
    if engine == "original":
        return LABELS[engine]
    return (
        "port"
        + (f" {precision}" if precision != "float32" else "")
        + (" no rewrites" if rewrites == "off" else "")
    )


def round_ratio(port, original, timing):
    """A port run's step time over Lucid's in the same round: the median of the per-block
    ratios when the two took turns (``timing.lockstep`` > 0), else the ratio of their window
    medians. ``timing``: lucid_compare's arguments (lockstep, warmup, turn_skip)."""
    if timing.lockstep:
        return statistics.median(_block_ratios(port, original, timing, timing.turn_skip))
    return port["ms_per_step"] / original["ms_per_step"]


def _block_ratios(port, original, timing, skip):
    return lockstep.paired_ratios(
        port["step_ms"], original["step_ms"], timing.lockstep, timing.warmup, skip
    )


def _print_ratios(label, precision, port, original, timing):
    ratios = [round_ratio(p, o, timing) for p, o in zip(port, original)]
    if not ratios:
        return
    ratio = statistics.median(ratios)
    print(
        f"  {label:>28}: {statistics.median(r['ms_per_step'] for r in port):.1f} ms/step;"
        f" port/original step time {ratio:.3f} (rounds {min(ratios):.3f}-"
        f"{max(ratios):.3f}), speed-up {1 / ratio:.2f}x (target >= "
        f"{TARGET_SPEEDUP[precision]}x)"
    )
    if timing.lockstep:
        skips = sorted({timing.turn_skip, 0})
        for skip in skips:
            pooled = [r for p, o in zip(port, original) for r in _block_ratios(p, o, timing, skip)]
            what = "every step of each turn" if skip == 0 else f"each turn less its first {skip}"
            print(f"  {'':>28}  all rounds' blocks pooled, {what}: {lockstep.summary(pooled)}")
    for note in sorted({n for r in port for n in r["notes"]}):
        print(f"  {'':>28}  note: {note}")


def summarise(results, batches, configs, timing):
    """Prints the summary of ``results`` (the children's JSON objects, in round order);
    ``timing`` as in :func:`round_ratio`."""
    how = (
        f"the median of its {timing.lockstep}-step turns' ratios, each turn less its first "
        f"{timing.turn_skip} step(s)"
        if timing.lockstep
        else "the ratio of the two renders' medians of window means"
    )
    print(f"\nsummary (medians over rounds; a round's ratio pairs a port run with Lucid's: {how}):")
    for batch in batches:
        original = [r for r in results if r["batch"] == batch and r["engine"] == "original"]
        if not original:
            continue
        original_ms = statistics.median(r["ms_per_step"] for r in original)
        print(f"batch {batch:>3}: Lucid 0.3.10 {original_ms:.1f} ms/step")
        labels = [config_label("port", *config) for config in configs]
        for label, (precision, _) in zip(labels, configs):
            port = [r for r in results if r["batch"] == batch and r["config"] == label]
            _print_ratios(label, precision, port, original, timing)
        for label in [*labels, LABELS["original"]]:
            runs = [r for r in results if r["batch"] == batch and r["config"] == label]
            if not runs:
                continue
            part = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k.endswith("_s")}
            print(
                f"  cold start {label:>28}: {part['cold_s']:.2f} s (import "
                f"{part['import_s']:.2f} s, model load {part['load_s']:.2f} s, graph build + "
                f"first step {part['first_step_s']:.2f} s)"
            )
