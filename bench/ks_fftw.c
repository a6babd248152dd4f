/*
 * ks_fftw times the transform core of Kaiser-Squires mass mapping with FFTW,
 * as the speed limit that the Go and numpy figures in BENCHMARKS.md are
 * compared with. FFTW is GPL, so this program is a benchmark reference only
 * and nothing in the Go module links it.
 *
 * For an n×n grid it reports the median over reps runs of
 *   fwdinv: one forward and one inverse in-place complex 2-D transform;
 *   ks:     pack γ = γ1 + iγ2, forward transform, multiply by the
 *           Kaiser-Squires kernel conj(D)/n², inverse transform, unpack
 *           κ_E = Re κ and κ_B = Im κ.
 *
 * Usage: ks_fftw N REPS THREADS [WISDOM]
 * THREADS > 1 needs a build with -DKS_FFTW_THREADS and libfftw3_threads.
 * WISDOM names a file of FFTW wisdom that is read before planning and
 * rewritten after it, because FFTW_MEASURE planning at 4096×4096 takes
 * longer than the timed runs.
 * Output: one line, "fftw n=N threads=T fwdinv_ms=... ks_ms=... version=...".
 */
#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* frequency returns the FFT frequency of index i on an axis of length n, in
 * cycles per sample, as numpy.fft.fftfreq does. */
static double frequency(int i, int n)
{
	return (i < (n + 1) / 2 ? i : i - n) / (double)n;
}

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: ks_fftw N REPS THREADS [WISDOM]\n");
		return 2;
	}
	int n = atoi(argv[1]), reps = atoi(argv[2]), threads = atoi(argv[3]);
	if (n < 1 || reps < 1 || threads < 1) {
		fprintf(stderr, "ks_fftw: N, REPS and THREADS must be positive integers\n");
		return 2;
	}
#ifdef KS_FFTW_THREADS
	fftw_init_threads();
	fftw_plan_with_nthreads(threads);
#else
	if (threads > 1) {
		fprintf(stderr, "ks_fftw: built without libfftw3_threads, cannot use %d threads\n", threads);
		return 2;
	}
#endif
	size_t size = (size_t)n * n;
	fftw_complex *x = fftw_malloc(size * sizeof *x);
	double *kernel_re = malloc(size * sizeof(double));
	double *kernel_im = malloc(size * sizeof(double));
	double *g1 = malloc(size * sizeof(double)), *g2 = malloc(size * sizeof(double));
	double *kappa_e = malloc(size * sizeof(double)), *kappa_b = malloc(size * sizeof(double));
	double *times = malloc(reps * sizeof(double));
	if (!x || !kernel_re || !kernel_im || !g1 || !g2 || !kappa_e || !kappa_b || !times) {
		fprintf(stderr, "ks_fftw: out of memory for n=%d\n", n);
		return 1;
	}

	/* Planning with FFTW_MEASURE overwrites x, so the data come after. A
	 * missing wisdom file is normal on the first run. */
	const char *wisdom = argc == 5 ? argv[4] : NULL;
	if (wisdom)
		fftw_import_wisdom_from_filename(wisdom);
	fftw_plan forward = fftw_plan_dft_2d(n, n, x, x, FFTW_FORWARD, FFTW_MEASURE);
	fftw_plan inverse = fftw_plan_dft_2d(n, n, x, x, FFTW_BACKWARD, FFTW_MEASURE);
	if (wisdom && !fftw_export_wisdom_to_filename(wisdom))
		fprintf(stderr, "ks_fftw: cannot write wisdom file %s, continuing\n", wisdom);

	/* conj(D)/n² with D = (k1² − k2² + 2i·k1·k2)/|k|², and 0 at k = 0. */
	for (int r = 0; r < n; r++) {
		double k2 = frequency(r, n);
		for (int c = 0; c < n; c++) {
			double k1 = frequency(c, n), kk = k1 * k1 + k2 * k2;
			size_t i = (size_t)r * n + c;
			kernel_re[i] = kk > 0 ? (k1 * k1 - k2 * k2) / kk / size : 0;
			kernel_im[i] = kk > 0 ? -2 * k1 * k2 / kk / size : 0;
		}
	}
	srand(1);
	for (size_t i = 0; i < size; i++) {
		g1[i] = rand() / (double)RAND_MAX - 0.5;
		g2[i] = rand() / (double)RAND_MAX - 0.5;
		x[i][0] = g1[i];
		x[i][1] = g2[i];
	}

	/* Forward and inverse transform, after one untimed warm-up run. */
	for (int rep = -1; rep < reps; rep++) {
		double t0 = now_ms();
		fftw_execute(forward);
		fftw_execute(inverse);
		if (rep >= 0)
			times[rep] = now_ms() - t0;
	}
	double fwdinv = median(times, reps);

	/* The Kaiser-Squires transform core. */
	for (int rep = -1; rep < reps; rep++) {
		double t0 = now_ms();
		for (size_t i = 0; i < size; i++) {
			x[i][0] = g1[i];
			x[i][1] = g2[i];
		}
		fftw_execute(forward);
		for (size_t i = 0; i < size; i++) {
			double re = x[i][0], im = x[i][1];
			x[i][0] = re * kernel_re[i] - im * kernel_im[i];
			x[i][1] = re * kernel_im[i] + im * kernel_re[i];
		}
		fftw_execute(inverse);
		for (size_t i = 0; i < size; i++) {
			kappa_e[i] = x[i][0];
			kappa_b[i] = x[i][1];
		}
		if (rep >= 0)
			times[rep] = now_ms() - t0;
	}
	double ks = median(times, reps);

	/* Printing a sum keeps the compiler from dropping the last loop. */
	double check = 0;
	for (size_t i = 0; i < size; i++)
		check += kappa_e[i] * kappa_e[i] + kappa_b[i] * kappa_b[i];
	printf("fftw n=%d threads=%d fwdinv_ms=%.4f ks_ms=%.4f version=%s checksum=%.6g\n",
	       n, threads, fwdinv, ks, fftw_version, check);

	fftw_destroy_plan(forward);
	fftw_destroy_plan(inverse);
	fftw_free(x);
	return 0;
}
