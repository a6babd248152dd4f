#!/usr/bin/env bash
# Run the Go, numpy and FFTW benchmarks side by side and write BENCHMARKS.md.
#
# Usage: bench/run.sh [ROUNDS]
#
# Each round runs every benchmark once, one after the other: the Go
# benchmarks of ./fft/, ./kaiser/ and ./shearmap/, bench/ks_numpy.py and
# bench/ks_fftw.c (built here against the system FFTW). The report gives the
# median over rounds of each figure. ROUNDS defaults to 3; a round takes about
# two and a half minutes on 2 cores, and each waits up to three minutes for
# other processes to leave the CPU idle. Missing parts (a Go benchmark not written yet, FFTW or
# numpy not installed) are reported as notes and left out of the tables.
#
# Needs: go, and for the references /usr/bin/python3 with numpy (Debian
# python3-numpy), gcc, pkg-config and FFTW 3 (Debian libfftw3-dev).
set -euo pipefail

rounds=${1:-3}
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
	echo "bench/run.sh: invalid ROUNDS '$rounds', must be a positive integer (usage: bench/run.sh [ROUNDS])" >&2
	exit 2
fi
cd "$(dirname "$0")/.."
python=/usr/bin/python3
sizes=(360 1024 4096)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/raw.txt
: >"$log"

note() {
	echo "note: $*" | tee -a "$log" >&2
}

meta() {
	echo "meta $1=$2" >>"$log"
}

# busy_percent prints how much of the machine's CPU time other processes
# used over two seconds, from the idle counters in /proc/stat.
busy_percent() {
	local a b
	a=($(head -1 /proc/stat))
	sleep 2
	b=($(head -1 /proc/stat))
	local total=0 i
	for i in 1 2 3 4 5 6 7 8; do
		total=$((total + b[i] - a[i]))
	done
	local idle=$((b[4] - a[4] + b[5] - a[5]))
	echo $(((total - idle) * 100 / (total > 0 ? total : 1)))
}

# wait_for_quiet waits, up to three minutes, until other processes use less
# than 10% of the CPU time, and prints the last reading. On a shared machine
# a round that overlaps someone else's build or test run is slower.
wait_for_quiet() {
	local busy waited=0
	busy=$(busy_percent)
	while ((busy >= 10 && waited < 180)); do
		sleep 8
		waited=$((waited + 10))
		busy=$(busy_percent)
	done
	echo "$busy"
}

# A Go package's benchmark can be run when the package compiles and lists
# it; another developer may not have written it yet.
has_benchmark() { # package name
	local listed
	[[ -d $1 ]] && listed=$(go test -list "^$2\$" "./$1/" 2>/dev/null) && grep -qx "$2" <<<"$listed"
}

meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
meta nproc "$(nproc)"
meta memory "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
meta go "$(go version | awk '{print $3}')"
meta goamd64 "$(go env GOAMD64)"
meta rounds "$rounds"
meta load_start "$(cut -d' ' -f1-3 /proc/loadavg)"

# The FFTW reference, with threads when libfftw3_threads is installed.
fftw=""
fftw_threads=1
if pkg-config --exists fftw3 2>/dev/null; then
	libdir=$(pkg-config --variable=libdir fftw3)
	if ls "$libdir"/libfftw3_threads.* >/dev/null 2>&1 &&
		gcc -O2 -DKS_FFTW_THREADS -o "$tmp/ks_fftw" bench/ks_fftw.c $(pkg-config --cflags --libs fftw3) -lfftw3_threads -lpthread -lm; then
		fftw=$tmp/ks_fftw
		fftw_threads=2
	elif gcc -O2 -o "$tmp/ks_fftw" bench/ks_fftw.c $(pkg-config --cflags --libs fftw3) -lm; then
		fftw=$tmp/ks_fftw
		note "libfftw3_threads not found: FFTW runs on one thread only"
	else
		note "bench/ks_fftw.c failed to build: no FFTW figures"
	fi
else
	note "FFTW 3 not found by pkg-config (Debian: libfftw3-dev pkg-config): no FFTW figures"
fi

numpy_ok=false
if [[ -x $python ]] && $python -c 'import numpy' 2>/dev/null; then
	numpy_ok=true
else
	note "$python with numpy not found (Debian: python3-numpy): no numpy figures"
fi

kaiser_ok=false
if has_benchmark kaiser BenchmarkKS; then
	kaiser_ok=true
else
	note "./kaiser/ has no BenchmarkKS yet: the Kaiser-Squires table uses the transform core from ./fft/ (BenchmarkKSCore)"
fi
shearmap_ok=false
if has_benchmark shearmap BenchmarkBinCOSMOS; then
	shearmap_ok=true
else
	note "./shearmap/ has no BenchmarkBinCOSMOS yet: no Go binning figure"
fi

for round in $(seq 1 "$rounds"); do
	busy=$(wait_for_quiet)
	echo "round $round of $rounds (other processes used ${busy}% of the CPU just before)" >&2
	echo "round $round" >>"$log"
	meta "busy_round_$round" "$busy%"

	go test -run '^$' -bench '^Benchmark(Plan2D|KSCore|Gonum|GoDSP)$' -benchmem -count 1 ./fft/ >>"$log" ||
		note "round $round: go test -bench ./fft/ failed"
	if $kaiser_ok; then
		go test -run '^$' -bench '^BenchmarkKS$/^n=(360|1024|4096)$' -benchmem -count 1 ./kaiser/ >>"$log" ||
			note "round $round: go test -bench BenchmarkKS ./kaiser/ failed"
	fi
	if $shearmap_ok; then
		go test -run '^$' -bench '^BenchmarkBinCOSMOS$' -benchmem -count 1 ./shearmap/ >>"$log" ||
			note "round $round: go test -bench BenchmarkBinCOSMOS ./shearmap/ failed"
	fi
	if $numpy_ok; then
		$python bench/ks_numpy.py --sizes "$(
			IFS=,
			echo "${sizes[*]}"
		)" --reps 7 >>"$log" || note "round $round: bench/ks_numpy.py failed"
	fi
	# Solvers and operators: one messenger-field Wiener iteration, one PSF
	# convolution and one starlet transform, with their numpy references.
	go test -run '^$' -bench '^BenchmarkMessengerStep$' -benchmem -count 1 ./solvers/ >>"$log" ||
		note "round $round: go test -bench BenchmarkMessengerStep ./solvers/ failed"
	go test -run '^$' -bench '^BenchmarkConvolution$' -benchmem -count 1 ./operators/ >>"$log" ||
		note "round $round: go test -bench BenchmarkConvolution ./operators/ failed"
	go test -run '^$' -bench '^BenchmarkStarlet$/^n=1024$' -benchmem -count 1 ./starlet/ >>"$log" ||
		note "round $round: go test -bench BenchmarkStarlet ./starlet/ failed"
	if $numpy_ok; then
		$python bench/wiener_numpy.py 360 1024 >>"$log" || note "round $round: bench/wiener_numpy.py failed"
		if $python -c 'import scipy' 2>/dev/null; then
			$python bench/convolve_numpy.py >>"$log" || note "round $round: bench/convolve_numpy.py failed"
			$python bench/starlet_numpy.py --size 1024 --scales 5 --reps 5 | grep '^numpy ' >>"$log" ||
				note "round $round: bench/starlet_numpy.py failed"
		else
			note "scipy not found (Debian: python3-scipy): no convolution or starlet reference"
		fi
	fi
	if [[ -n $fftw ]]; then
		for n in "${sizes[@]}"; do
			reps=$((n >= 4096 ? 3 : n >= 1024 ? 10 : 30))
			for threads in $(seq 1 "$fftw_threads"); do
				"$fftw" "$n" "$reps" "$threads" "$tmp/wisdom" >>"$log" ||
					note "round $round: ks_fftw $n $reps $threads failed"
			done
		done
	fi
done
meta load_end "$(cut -d' ' -f1-3 /proc/loadavg)"

$python bench/report.py "$log" >"$tmp/BENCHMARKS.md"
mv "$tmp/BENCHMARKS.md" BENCHMARKS.md
echo "wrote BENCHMARKS.md" >&2
