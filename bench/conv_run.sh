#!/usr/bin/env bash
# Time the nn package's 3×3, 32-to-32-channel convolution and the score
# package's whole U-Net in Go against the same layer and network in
# PyTorch, and print two markdown tables.
#
# Usage: bench/conv_run.sh [ROUNDS]
#
# Each round runs, one after the other, nn's BenchmarkConv2D in three builds
# (the default build, -tags openblas and -tags purego) and
# bench/conv_torch.py, then score's BenchmarkUNet (default build) and
# bench/unet_torch.py, after waiting up to two minutes for other processes
# to leave the CPU idle. The tables give the median over the rounds of each
# figure. ROUNDS defaults to 3; a round takes about three minutes on 2
# cores.
#
# Needs: go; libopenblas-dev for the openblas build; /usr/bin/python3 with
# Debian's python3-torch for the reference. A build or reference that
# cannot run is reported as a note and left out of the table.
set -euo pipefail

rounds=${1:-3}
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
	echo "bench/conv_run.sh: invalid ROUNDS '$rounds', must be a positive integer" >&2
	exit 2
fi
cd "$(dirname "$0")/.."
python=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
raw=$tmp/raw.txt
: >"$raw"

note() {
	echo "note: $*" | tee -a "$raw" >&2
}

# busy_percent prints the share of CPU time, in percent, that was not idle
# over the next two seconds, from the counters in /proc/stat.
busy_percent() {
	local before after
	read -ra before < <(head -1 /proc/stat)
	sleep 2
	read -ra after < <(head -1 /proc/stat)
	local total=0 i
	for i in 1 2 3 4 5 6 7 8; do
		total=$((total + after[i] - before[i]))
	done
	local idle=$((after[4] - before[4] + after[5] - before[5]))
	echo $(((total - idle) * 100 / (total > 0 ? total : 1)))
}

# wait_for_quiet waits, up to two minutes, until other processes use less
# than 10% of the CPU time, and records the last reading.
wait_for_quiet() {
	local busy waited=0
	busy=$(busy_percent)
	while ((busy >= 10 && waited < 120)); do
		sleep 8
		waited=$((waited + 10))
		busy=$(busy_percent)
	done
	echo "busy $busy" >>"$raw"
}

# Build the test binaries once, so that rounds time only the benchmarks.
builds=()
for tags in default openblas purego; do
	flags=()
	[[ $tags != default ]] && flags=(-tags "$tags")
	if go test -c "${flags[@]}" -o "$tmp/nn_$tags.test" ./nn/ 2>"$tmp/build_$tags.log"; then
		builds+=("$tags")
	else
		note "go test -c -tags $tags ./nn/ failed: $(head -3 "$tmp/build_$tags.log" | tr '\n' ' ')"
	fi
done
unet_build=1
if ! go test -c -o "$tmp/score.test" ./score/ 2>"$tmp/build_score.log"; then
	unet_build=0
	note "go test -c ./score/ failed: $(head -3 "$tmp/build_score.log" | tr '\n' ' ')"
fi
have_torch=1
if ! "$python" -c 'import torch' 2>/dev/null; then
	have_torch=0
	note "PyTorch is missing ($python -c 'import torch' failed); install Debian's python3-torch"
fi

for round in $(seq "$rounds"); do
	wait_for_quiet
	for tags in "${builds[@]}"; do
		# The portable Go kernel is slow, so it runs each case once.
		benchtime=1s
		[[ $tags == purego ]] && benchtime=1x
		"$tmp/nn_$tags.test" -test.run '^$' -test.bench '^BenchmarkConv2D$' -test.benchtime "$benchtime" |
			awk -v build="$tags" '$1 ~ /^BenchmarkConv2D\// {
				split($1, part, "/"); sub(/-[0-9]+$/, "", part[4]); sub(/^batch/, "", part[4])
				printf "go %s %s %s %s %.4f\n", build, part[2], part[3], part[4], $3 / 1e6
			}' >>"$raw"
	done
	if ((have_torch)); then
		"$python" bench/conv_torch.py | awk '$1 == "torch" {
			split($3, s, "="); split($4, b, "="); split($5, t, "=")
			printf "torch torch %s %s %s %s\n", $2, s[2], b[2], t[2]
		}' >>"$raw"
	fi
	if ((unet_build)); then
		"$tmp/score.test" -test.run '^$' -test.bench '^BenchmarkUNet$' -test.benchtime 2s |
			awk '$1 ~ /^BenchmarkUNet\// {
				split($1, part, "/"); sub(/-[0-9]+$/, "", part[4]); sub(/^batch/, "", part[4])
				printf "unet go default %s %s %s %.4f\n", part[2], part[3], part[4], $3 / 1e6
			}' >>"$raw"
	fi
	if ((have_torch)); then
		"$python" bench/unet_torch.py | awk '$1 == "torch" {
			split($3, s, "="); split($4, b, "="); split($5, t, "=")
			printf "unet torch torch %s %s %s %s\n", $2, s[2], b[2], t[2]
		}' >>"$raw"
	fi
	echo "round $round of $rounds done" >&2
done

"$python" - "$raw" "$rounds" <<'PY'
import statistics
import subprocess
import sys

raw, rounds = sys.argv[1], sys.argv[2]
times, unet, busy, notes = {}, {}, [], []
for line in open(raw):
    f = line.split()
    if f[0] == "unet":
        unet.setdefault((f[2], f[3], int(f[4]), int(f[5])), []).append(float(f[6]))
    elif f[0] in ("go", "torch"):
        times.setdefault((f[1], f[2], int(f[3]), int(f[4])), []).append(float(f[5]))
    elif f[0] == "busy":
        busy.append(f[1] + "%")
    elif f[0] == "note:":
        notes.append(line[len("note: "):].strip())

def median(build, case, size, batch, table=times):
    t = table.get((build, case, size, batch))
    return statistics.median(t) if t else None

cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2; nproc"],
                     capture_output=True, text=True).stdout.split("\n")
go = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True).stdout.strip()
print(f"- Machine:{cpu[0]}, {cpu[1]} cores (`nproc`); {go}")
print(f"- Rounds: {rounds}; busy CPU share just before each round: {', '.join(busy)}")
print("- Go default: AVX-512 direct kernels (AVX2 SGEMM without AVX-512), no cgo. "
      "openblas: im2col tiles and cblas_sgemm, one OpenBLAS thread per worker. "
      "purego: im2col tiles and the portable Go SGEMM kernel. "
      "PyTorch: torch.set_num_threads(2), forward under no_grad.")
print("- GFLOP counts 2·N·H·W·32·32·9 for the forward pass and three times that for forward+backward.")
for n in notes:
    print(f"- Note: {n}")
print()

builds = [b for b in ("default", "openblas", "purego") if any(k[0] == b for k in times)]
head = ["case", "size", "batch"]
for b in builds:
    head += [f"Go {b} ms", f"Go {b} GFLOP/s"]
head += ["PyTorch ms", "PyTorch GFLOP/s"] + [f"Go {b} ÷ PyTorch" for b in builds]
print("| " + " | ".join(head) + " |")
print("|" + " --- |" * len(head))
for case in ("forward", "forward+backward"):
    for size in (128, 360):
        for batch in (1, 8):
            gflop = 2 * batch * size * size * 32 * 32 * 9 / 1e9 * (3 if case != "forward" else 1)
            row = [case, str(size), str(batch)]
            torch = median("torch", case, size, batch)
            for b in builds:
                t = median(b, case, size, batch)
                row += [f"{t:.2f}", f"{gflop / t * 1e3:.0f}"] if t else ["–", "–"]
            row += [f"{torch:.2f}", f"{gflop / torch * 1e3:.0f}"] if torch else ["–", "–"]
            for b in builds:
                t = median(b, case, size, batch)
                row.append(f"{t / torch:.2f}x" if t and torch else "–")
            print("| " + " | ".join(row) + " |")
print()
print("Go ÷ PyTorch is the ratio of times: below 1.00x Go is faster.")

if unet:
    print()
    print("Whole U-Net (score.BenchmarkUNet against bench/unet_torch.py): depth 3, 32 base channels, "
          "group normalisation, SiLU, 1 image channel plus the noise-level channel, 1,949,409 parameters; "
          "forward+backward includes the input gradient.")
    print()
    print("| case | size | batch | Go ms | PyTorch ms | Go ÷ PyTorch |")
    print("| --- | --- | --- | --- | --- | --- |")
    for case in ("forward", "forward+backward"):
        for size in (128, 360):
            for batch in (1, 8):
                g = median("default", case, size, batch, unet)
                t = median("torch", case, size, batch, unet)
                row = [case, str(size), str(batch), f"{g:.1f}" if g else "–", f"{t:.1f}" if t else "–",
                       f"{g / t:.2f}x" if g and t else "–"]
                print("| " + " | ".join(row) + " |")
PY
