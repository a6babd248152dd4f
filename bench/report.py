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
import textwrap
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

    def para(text):
        w(textwrap.fill(text, width=92) + "\n")

    w("# Benchmarks\n")
    para("Written by `bench/run.sh`; rerun it to refresh this page. Every figure is a median in "
         "milliseconds. Each round runs all implementations one after the other on the same machine, "
         "and the tables show the median over the rounds. Within a round, a Go figure is the mean of "
         "its `go test -bench` iterations and a numpy or FFTW figure the median of its repetitions. "
         "Ratios are taken between the medians.")
    w(f"- Date: {meta.get('date', '?')}")
    w(f"- Machine: {meta.get('cpu', '?')}, {meta.get('nproc', '?')} cores (`nproc`), {meta.get('memory', '?')}")
    w(f"- Go {meta.get('go', '?')} (GOAMD64={meta.get('goamd64', '?')}), numpy {meta.get('numpy', '–')} "
      f"(Debian, pocketfft), FFTW {meta.get('fftw', '–')}")
    busy = [meta[f"busy_round_{i}"] for i in range(1, 1000) if f"busy_round_{i}" in meta]
    w(f"- Rounds: {meta.get('rounds', '?')}. Each round waited for other processes to use less than 10% of "
      f"the CPU; they used {', '.join(busy) or '?'} just before the rounds began. The machine is "
      f"shared, so a round can still overlap other work. Load average (1, 5, 15 min): "
      f"{meta.get('load_start', '?')} at the start, {meta.get('load_end', '?')} at the end.")
    w("- numpy's FFT and the Go code do not use BLAS, so OPENBLAS_NUM_THREADS and similar settings")
    w("  do not change any figure here. numpy's FFT runs on one thread.\n")

    # Kaiser-Squires.
    use_kaiser = any(f"go BenchmarkKS/n={n}" in medians for n in SIZES)
    go_ks_label = "Go kaiser BenchmarkKS" if use_kaiser else "Go KS transform core (fft.Plan2D)"
    w("## Kaiser-Squires transform\n")
    text = ("One map from shear to convergence on an n×n grid. numpy lenspack-style is the procedure of "
            "lenspack's `ks93`, the way users run it today: the kernel is rebuilt on every call and there "
            "are four complex transforms. numpy optimised transforms γ1 + iγ2 once, multiplies by a cached "
            "conj(D) and transforms back, two transforms in all. The FFTW and Go KS-core figures time the "
            "same steps as numpy optimised: pack γ, forward FFT, multiply, inverse FFT, unpack κ_E and κ_B.")
    if use_kaiser:
        text += (" The Go kaiser figure is `kaiser.Transform.Convergence` with default options; "
                 "`fft.BenchmarkKSCore` is listed beside it.")
    else:
        text += " `./kaiser/` has no `BenchmarkKS` yet, so the Go column is `fft.BenchmarkKSCore`."
    para(text)
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
    w("")
    para("The target is Go at least 3x faster than numpy, a \"numpy ÷ Go\" of 3.00x or more.")

    # Plain transforms.
    w("## 2-D complex FFT, forward + inverse\n")
    para("One forward and one inverse transform of an n×n complex128 array. fft.Plan2D is this "
         "module's package `fft`, with GOMAXPROCS goroutines and with one worker, which the \"1 worker "
         "÷ FFTW 1 thread\" ratio compares core for core. gonum is `dsp/fourier.CmplxFFT` (FFTPACK) with reused plans on one "
         "goroutine, rows in place and columns copied out and back. go-dsp is `FFT2` then `IFFT2`, "
         "which spread rows over GOMAXPROCS goroutines and allocate on every call (the last column "
         "gives the memory per forward + inverse). Neither runs at 4096.")
    rows = []
    for n in SIZES:
        ours, ours1 = get(f"go BenchmarkPlan2D/n={n}"), get(f"go BenchmarkPlan2D/n={n}/workers=1")
        fftw1 = get(f"fftw fwdinv n={n} threads=1")
        godsp = f"go BenchmarkGoDSP/n={n}"
        rows.append([
            str(n), ms(ours), ms(ours1), ms(get(f"go BenchmarkGonum/n={n}")), ms(get(godsp)),
            ms(get(f"numpy fwdinv n={n}")), ms(fftw1), ms(get(f"fftw fwdinv n={n} threads=2")),
            ratio(ours, fftw1), ratio(ours1, fftw1),
            f"{bytes_per_op[godsp] / 1e6:.0f} MB" if godsp in bytes_per_op else "–",
        ])
    w(table(["n", "fft.Plan2D", "fft.Plan2D, 1 worker", "gonum", "go-dsp", "numpy", "FFTW 1 thread",
             "FFTW 2 threads", "Plan2D ÷ FFTW 1 thread", "Plan2D 1 worker ÷ FFTW 1 thread",
             "go-dsp allocates"], rows))
    w("")
    per_core = [get(f"go BenchmarkPlan2D/n={n}/workers=1") / get(f"fftw fwdinv n={n} threads=1") for n in SIZES
                if get(f"go BenchmarkPlan2D/n={n}/workers=1") and get(f"fftw fwdinv n={n} threads=1")]
    all_cores = [get(f"go BenchmarkPlan2D/n={n}") / get(f"fftw fwdinv n={n} threads=1") for n in SIZES
                 if get(f"go BenchmarkPlan2D/n={n}") and get(f"fftw fwdinv n={n} threads=1")]
    if per_core and all_cores:
        para(f"`fft` is scalar Go, while this FFTW build uses SSE2 and AVX. On one core `fft` takes "
             f"{min(per_core):.1f} to {max(per_core):.1f} times as long as FFTW on one thread; with "
             f"{meta.get('nproc', '?')} goroutines it takes {min(all_cores):.1f} to {max(all_cores):.1f} times "
             f"as long.")

    # Binning.
    w("## Binning the COSMOS catalogue\n")
    bin_np = [v for k, v in numpy_extra.items() if k.startswith("numpy bin_cosmos")]
    go_bin = get("go BenchmarkBinCOSMOS/radec")
    go_bin_tan = get("go BenchmarkBinCOSMOS/tan")
    if bin_np:
        extra = bin_np[0]
        np_ms = get(f"numpy bin_cosmos n={extra['n']}")
        para(f"Count, Σw, Σw·e1, Σw·e2 and Σw² on a 360×360 grid of 0.29 arcmin pixels around "
             f"(RA, Dec) = (150.1161025°, 2.247490268°), {extra.get('galaxies', '?')} galaxies. Only the "
             f"binning is timed. numpy bins on a plate carrée grid (linear in RA and Dec), like the Go "
             f"`radec` grid; the Go `tan` grid projects gnomonically first and is listed for comparison. "
             f"numpy used `np.{extra.get('method', '?')}`, the faster of the two methods in the last round "
             f"(np.bincount {extra.get('bincount_ms', '?')} ms, np.histogram2d {extra.get('histogram2d_ms', '?')} ms).")
        w(table(["Go shearmap radec", "Go shearmap tan", "numpy", "numpy ÷ Go radec"],
                [[ms(go_bin), ms(go_bin_tan), ms(np_ms), ratio(np_ms, go_bin)]]))
    else:
        w("Not measured in this run (see the notes).")
    w("")

    # Solvers and operators.
    w("## Solvers and operators\n")
    para("One messenger-field Wiener iteration (`solvers.BenchmarkMessengerStep`: model shear, pixel "
         "step, Fourier step with the E-mode projection; a power-law prior, 30% of the pixels masked) "
         "against the same steps in numpy (`bench/wiener_numpy.py`); one convolution of a 1024×1024 "
         "image by a 20×20 PSF (`operators.BenchmarkConvolution`) against scipy's `fftconvolve` "
         "(mode \"same\", the zero-padded case) and numpy's FFT with a cached PSF transform (the periodic "
         "case) in `bench/convolve_numpy.py`; one starlet transform of a 1024×1024 map with 5 scales "
         "(`starlet.BenchmarkStarlet`) against scipy's `ndimage.convolve1d` and a numpy version on "
         "shifted slices (`bench/starlet_numpy.py`). The target for the messenger iteration is Go at "
         "least 3x faster than numpy.")
    rows = []
    for n in (360, 1024):
        g, npy = get(f"go BenchmarkMessengerStep/n={n}"), get(f"numpy messenger_step n={n}")
        rows.append([f"messenger iteration, {n}²", ms(g), ms(npy), ratio(npy, g)])
    for mode, bench in (("zero", "zero"), ("periodic", "periodic")):
        g, npy = get(f"go BenchmarkConvolution/n=1024/{bench}"), get(f"numpy convolve_{mode} n=1024")
        rows.append([f"PSF convolution, 1024², {mode} boundary", ms(g), ms(npy), ratio(npy, g)])
    g = get("go BenchmarkStarlet/n=1024")
    for variant in ("convolve1d", "slices"):
        npy = get(f"numpy starlet_{variant} n=1024")
        rows.append([f"starlet, 1024², 5 scales (numpy: {variant})", ms(g), ms(npy), ratio(npy, g)])
    w(table(["operation", "Go", "numpy/scipy", "numpy ÷ Go"], rows))
    w("")

    # The library choice.
    w("## Which FFT the toolkit uses\n")
    g360, o360 = get("go BenchmarkGonum/n=360"), get("go BenchmarkPlan2D/n=360/workers=1")
    text = ("Both candidate libraries were measured first, and the table above keeps them. gonum's "
            "`dsp/fourier` is the better of the two: it agrees with this module's `fft` to 1e-12 in the "
            "tests, allocates nothing with a reused plan, and is many times faster than go-dsp, which "
            "allocates hundreds of MB per 2-D transform and takes every length that is not a power of two "
            "through Bluestein's algorithm. ")
    if g360 and o360:
        text += (f"But gonum still took {ms(g360)} ms at 360 on one goroutine, against {ms(o360)} ms for "
                 "this module's own `fft.Plan2D` on one goroutine. ")
    else:
        text += "But gonum is several times slower than this module's own `fft.Plan2D`. "
    text += ("So the toolkit uses neither in its code paths: `fft` replaces both for speed, and they stay "
             "as benchmark references only. FFTW is GPL, so it appears here only as a reference program.")
    para(text)

    if notes:
        w("## Notes from this run\n")
        for note in notes:
            w(f"- {note}")
        w("")

    # Results that are not timings: written by hand from the tests named
    # there, kept in bench/results.md so that a rerun keeps them.
    try:
        with open("bench/results.md") as f:
            w(f.read().rstrip("\n") + "\n")
    except FileNotFoundError:
        pass

    w("## Raw output\n")
    w("```")
    out.extend(raw)
    w("```")
    print("\n".join(out))


if __name__ == "__main__":
    main()
