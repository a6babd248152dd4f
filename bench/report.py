"""Turn the raw output of bench/run.sh into BENCHMARKS.md (on stdout).

Usage: report.py RAW_LOG

RAW_LOG holds, in any order, Go benchmark lines, the "numpy ..." and
"fftw ..." lines of ks_numpy.py and ks_fftw, "meta KEY=VALUE" lines and
"note: ..." lines, from one or more rounds. Each figure in the report is the
median over the rounds in which it was measured.
"""

import re
import statistics
import sys
from collections import defaultdict

SIZES = (360, 1024, 4096)

GO_LINE = re.compile(r"^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:.*?\s([\d.]+) B/op)?")
KEY_VALUE = re.compile(r"(\w+)=(\S+)")


def parse(path):
    times = defaultdict(list)  # figure name: milliseconds, one per round
    bytes_per_op = {}
    meta, notes, numpy_extra, raw = {}, [], {}, []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            m = GO_LINE.match(line)
            if m:
                name = "go " + m.group(1)
                times[name].append(float(m.group(2)) / 1e6)
                if m.group(3):
                    bytes_per_op[name] = float(m.group(3))
                raw.append(line)
            elif line.startswith("numpy "):
                raw.append(line)
                fields = dict(KEY_VALUE.findall(line))
                if "version" in fields and "ms" not in fields:
                    meta["numpy"] = fields["version"]
                elif "ms" in fields:
                    name = f"numpy {line.split()[1]} n={fields['n']}"
                    times[name].append(float(fields["ms"]))
                    numpy_extra[name] = fields
                else:
                    notes.append(line[len("numpy "):])
            elif line.startswith("fftw "):
                raw.append(line)
                fields = dict(KEY_VALUE.findall(line))
                meta["fftw"] = fields.get("version", "?")
                for kind in ("fwdinv", "ks"):
                    times[f"fftw {kind} n={fields['n']} threads={fields['threads']}"].append(float(fields[f"{kind}_ms"]))
            elif line.startswith("meta "):
                key, _, value = line[len("meta "):].partition("=")
                meta[key] = value
            elif line.startswith("note: "):
                if line[len("note: "):] not in notes:
                    notes.append(line[len("note: "):])
    medians = {name: statistics.median(v) for name, v in times.items()}
    return medians, bytes_per_op, meta, notes, numpy_extra, raw


def ms(value):
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}x"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: report.py RAW_LOG")
    medians, bytes_per_op, meta, notes, numpy_extra, raw = parse(sys.argv[1])
    get = medians.get
    out = []
    w = out.append

    w("# Benchmarks\n")
    w("Written by `bench/run.sh`; rerun it to refresh this page. Every figure is a median in")
    w("milliseconds: each round runs all implementations one after the other on the same")
    w("machine, and the table shows the median over the rounds (a Go figure within a round is")
    w("the mean of `go test -bench` iterations, a numpy or FFTW figure the median of its")
    w("repetitions). Ratios are taken between these medians.\n")
    w(f"- Date: {meta.get('date', '?')}")
    w(f"- Machine: {meta.get('cpu', '?')}, {meta.get('nproc', '?')} cores (`nproc`), {meta.get('memory', '?')}")
    w(f"- Go {meta.get('go', '?')} (GOAMD64={meta.get('goamd64', '?')}), numpy {meta.get('numpy', '–')} "
      f"(Debian, pocketfft), FFTW {meta.get('fftw', '–')}")
    w(f"- Rounds: {meta.get('rounds', '?')}; load average (1, 5, 15 min) {meta.get('load_start', '?')} at the "
      f"start and {meta.get('load_end', '?')} at the end. Other processes on the machine make figures noisier.")
    w("- numpy's FFT and the Go code do not use BLAS, so OPENBLAS_NUM_THREADS and similar")
    w("  settings do not change any figure here. numpy's FFT runs on one thread.\n")

    # Kaiser-Squires.
    use_kaiser = any(f"go BenchmarkKS/n={n}" in medians for n in SIZES)
    go_ks_label = "Go kaiser BenchmarkKS" if use_kaiser else "Go KS transform core (fft.Plan2D)"
    w("## Kaiser-Squires transform\n")
    w("One map from shear to convergence on an n×n grid. numpy lenspack-style is the procedure of")
    w("lenspack's `ks93` (kernel rebuilt on every call, four complex transforms), the way users")
    w("run it today; numpy optimised transforms γ1 + iγ2 once, multiplies by a cached conj(D) and")
    w("transforms back (two transforms). The FFTW and Go KS-core figures time the same steps as")
    w("numpy optimised: pack γ, forward FFT, multiply, inverse FFT, unpack κ_E and κ_B.")
    if not use_kaiser:
        w("`./kaiser/` has no `BenchmarkKS` yet, so the Go column is `fft.BenchmarkKSCore`.")
    w("")
    rows = []
    for n in SIZES:
        go_ks = get(f"go BenchmarkKS/n={n}") if use_kaiser else get(f"go BenchmarkKSCore/n={n}")
        core = get(f"go BenchmarkKSCore/n={n}")
        lens, opt = get(f"numpy ks_lenspack n={n}"), get(f"numpy ks_optimised n={n}")
        f1, f2 = get(f"fftw ks n={n} threads=1"), get(f"fftw ks n={n} threads=2")
        row = [str(n), ms(go_ks)]
        if use_kaiser:
            row.append(ms(core))
        row += [ms(lens), ms(opt), ms(f1), ms(f2), ratio(lens, go_ks), ratio(opt, go_ks), ratio(go_ks, f1), ratio(go_ks, f2)]
        rows.append(row)
    header = ["n", go_ks_label]
    if use_kaiser:
        header.append("Go KS core (fft)")
    header += ["numpy lenspack-style", "numpy optimised", "FFTW 1 thread", "FFTW 2 threads",
               "numpy lenspack ÷ Go", "numpy optimised ÷ Go", "Go ÷ FFTW 1 thread", "Go ÷ FFTW 2 threads"]
    w(table(header, rows))
    w("\nThe target is Go at least 3x faster than numpy: a \"numpy ÷ Go\" of 3.00x or more.\n")

    # Plain transforms.
    w("## 2-D complex FFT, forward + inverse\n")
    w("One forward and one inverse transform of an n×n complex128 array. fft.Plan2D is this")
    w("module's package `fft`, with GOMAXPROCS goroutines and with one. gonum is")
    w("`dsp/fourier.CmplxFFT` (FFTPACK) with reused plans on one goroutine, rows in place and")
    w("columns copied out and back. go-dsp is `FFT2` then `IFFT2`, which spread rows over")
    w("GOMAXPROCS goroutines and allocate on every call (memory per forward + inverse in the")
    w("last column); it is not run at 4096, nor gonum.\n")
    rows = []
    for n in SIZES:
        ours = get(f"go BenchmarkPlan2D/n={n}")
        rows.append([
            str(n), ms(ours), ms(get(f"go BenchmarkPlan2D/n={n}/workers=1")), ms(get(f"go BenchmarkGonum/n={n}")),
            ms(get(f"go BenchmarkGoDSP/n={n}")), ms(get(f"numpy fwdinv n={n}")),
            ms(get(f"fftw fwdinv n={n} threads=1")), ms(get(f"fftw fwdinv n={n} threads=2")),
            ratio(ours, get(f"fftw fwdinv n={n} threads=1")),
            f"{bytes_per_op[f'go BenchmarkGoDSP/n={n}'] / 1e6:.0f} MB" if f"go BenchmarkGoDSP/n={n}" in bytes_per_op else "–",
        ])
    w(table(["n", "fft.Plan2D", "fft.Plan2D, 1 worker", "gonum", "go-dsp", "numpy", "FFTW 1 thread",
             "FFTW 2 threads", "Plan2D ÷ FFTW 1 thread", "go-dsp allocates"], rows))
    w("")

    # Binning.
    w("## Binning the COSMOS catalogue\n")
    bin_np = [v for k, v in numpy_extra.items() if k.startswith("numpy bin_cosmos")]
    go_bin = get("go BenchmarkBinCOSMOS")
    if bin_np:
        extra = bin_np[0]
        np_ms = get(f"numpy bin_cosmos n={extra['n']}")
        w(f"Count, Σw, Σw·e1, Σw·e2 and Σw² on a 360×360 grid of 0.29 arcmin pixels around")
        w(f"(RA, Dec) = (150.1161025°, 2.247490268°), {extra.get('galaxies', '?')} galaxies; only the binning is")
        w(f"timed. numpy used `np.{extra.get('method', '?')}`, the faster of the two in the last round")
        w(f"(np.bincount {extra.get('bincount_ms', '?')} ms, np.histogram2d {extra.get('histogram2d_ms', '?')} ms).\n")
        w(table(["Go shearmap BenchmarkBinCOSMOS", "numpy", "numpy ÷ Go"], [[ms(go_bin), ms(np_ms), ratio(np_ms, go_bin)]]))
    else:
        w("Not measured in this run (see the notes).")
    w("")

    # The library choice.
    w("## Which FFT the toolkit uses\n")
    g360, o360 = get("go BenchmarkGonum/n=360"), get("go BenchmarkPlan2D/n=360/workers=1")
    w("Both candidate libraries were measured first, and the table above keeps them. gonum's")
    w("`dsp/fourier` is the better of the two: it agrees with this module's `fft` to 1e-12 in")
    w("the tests, allocates nothing with a reused plan, and is many times faster than go-dsp,")
    w("which allocates hundreds of MB per 2-D transform and takes every length that is not a")
    w("power of two through Bluestein's algorithm. But gonum")
    if g360 and o360:
        w(f"still took {ms(g360)} ms at 360 on one goroutine against {ms(o360)} ms for this module's own")
        w("`fft.Plan2D` on one goroutine,")
    else:
        w("is several times slower than this module's own `fft.Plan2D`,")
    w("so the toolkit uses neither in its code paths: `fft` replaces both for speed, and they stay")
    w("as benchmark references only. FFTW is GPL, so it appears here only as a reference program.\n")

    if notes:
        w("## Notes from this run\n")
        for note in notes:
            w(f"- {note}")
        w("")

    w("## Raw output\n")
    w("```")
    out.extend(raw)
    w("```")
    print("\n".join(out))


if __name__ == "__main__":
    main()
