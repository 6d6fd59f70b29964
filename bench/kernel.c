/*
 * The uniform case of Table 1 over arrays (structure of arrays), in C: the yardstick of the batch kernel
 * (src/model/batch.ts, issue 11). The same formulas in the same order as summarizeAt / summarizeBatch:
 *   tau = S/B, rho = D*tau; n = max(0, ceil((ln alpha + 1e-12)/ln rho) - 1)   (Eqs. 9-11, band-edge rule)
 *   q = rho^(n+1) = exp((n+1) ln rho); 1 - q (expm1 above 1/2); 1 - rho^(n+2) = (1 - q) + q(1 - rho)
 *   Tpre = Ps tau (1-q)/(1-rho) (Eq. 7), Tdown = Ps tau q (Eq. 6), Ttot (Eq. 8),
 *   PTotalMig = ceilPages(Ps((1-q)/(1-rho) + alpha)) (Eq. 13), G = 1/q (Eq. 14), Unet (Eq. 16).
 * The scenarios are bench/run.mjs's (Park-Miller, seed 12345).
 *
 * The kernel runs twice: with the C library's log/exp/expm1 (glibc: table-driven, the fast yardstick), and with
 * fdlibm's log, exp and expm1 (e_log.c, e_exp.c, s_expm1.c, transcribed below), the algorithms V8's Math.log,
 * Math.exp and Math.expm1 run.
 * Until the model got its own log/exp (src/model/fastmath.ts, docs/speed.md "Batch kernel, part 4"),
 * summarizeBatch returned fdlibm's doubles and the second run computed those same doubles in C, so its ratio was
 * the JS code's own cost against C; it is kept for information (the gap between the two C runs is the price of
 * fdlibm against glibc). The yardstick stays the first run: C's own libm. A third run uses the C library's libm with
 * the JS kernel's guess of n (src/model/batch.ts: log(alpha) skipped when exp(m ln rho) proves the guess), so
 * that the yardstick can use every trick the JS kernel uses; with glibc's cheap log it gains nothing (the
 * first run stays the yardstick). Prints one line of JSON:
 *   {"n": 1000000, "bestSeconds": ..., "checksum": ..., "fdlibmBestSeconds": ..., "fdlibmChecksum": ...,
 *    "guessBestSeconds": ..., "guessChecksum": ...}
 * Build and run: cc -O2 -ffp-contract=off -o /tmp/precopy-kernel bench/kernel.c -lm && /tmp/precopy-kernel
 * (-ffp-contract=off: no fused multiply-add, as in JavaScript; x86-64 without -march has none anyway, aarch64
 * would fuse by default and change the doubles.)
 * (bench/run.mjs does this itself when a C compiler is present.)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define N 1000000
#define REPS 5

static double seed = 12345;
static double rnd(void) {
  seed = fmod(seed * 16807, 2147483647);
  return seed / 2147483647;
}

/* 1/c_j and ln c_j, c_j = 1 + (j + 0.5)/128: the estimate of ln(alpha) in kernel_guess (as src/model/batch.ts) */
static double INV_C[128], LN_C[128];

static double ceil_pages(double x) {
  double ax = x > 1 ? x : x < -1 ? -x : 1;
  double tol = 64 * 2.220446049250313e-16 * ax;
  if (tol >= 0.5) return round(x);
  double c = ceil(x);
  return c - x >= 1 - tol ? c - 1 : c;
}


/* fdlibm (Sun Microsystems, 1993; freely distributable) __ieee754_log and __ieee754_exp, for positive normal
 * inputs (log) and -745 < x <= 0 (exp: the kernel's q = exp((n+1) ln rho)); other inputs go to libm. Same
 * operations in the same order as fdlibm, so the same doubles as V8's Math.log / Math.exp. */
typedef union { double d; unsigned long long u; } bits;
static double with_high(double x, unsigned hi) {
  bits b = {x};
  b.u = (b.u & 0xffffffffULL) | ((unsigned long long)hi << 32);
  return b.d;
}
static int high(double x) {
  bits b = {x};
  return (int)(b.u >> 32);
}
static const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10,
                    Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
                    Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                    Lg7 = 1.479819860511658591e-01;
static double fd_log(double x) {
  int hx = high(x);
  if (hx < 0x00100000 || hx >= 0x7ff00000) return log(x); /* zero, subnormal, negative, inf, nan */
  int k = (hx >> 20) - 1023;
  hx &= 0x000fffff;
  int i = (hx + 0x95f64) & 0x100000;
  x = with_high(x, hx | (i ^ 0x3ff00000)); /* normalize x or x/2 */
  k += (i >> 20);
  double f = x - 1.0, dk = k;
  if ((0x000fffff & (2 + hx)) < 3) { /* |f| < 2^-20 */
    if (f == 0) return k == 0 ? 0 : dk * ln2_hi + dk * ln2_lo;
    double R = f * f * (0.5 - 0.33333333333333333 * f);
    return k == 0 ? f - R : dk * ln2_hi - ((R - dk * ln2_lo) - f);
  }
  double s = f / (2.0 + f), z = s * s, w = z * z;
  int ii = hx - 0x6147a, j = 0x6b851 - hx;
  double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  double R = t2 + t1;
  if ((ii | j) > 0) {
    double hfsq = 0.5 * f * f;
    return k == 0 ? f - (hfsq - s * (hfsq + R)) : dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
  }
  return k == 0 ? f - s * (f - R) : dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f);
}
static const double invln2 = 1.44269504088896338700e+00, P1 = 1.66666666666666019037e-01,
                    P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05,
                    P4 = -1.65339022054652515390e-06, P5 = 4.13813679705723846039e-08;
static double fd_exp(double x) {
  int hx = high(x) & 0x7fffffff;
  if (!(x <= 0) || x < -700) return exp(x); /* only -700 <= x <= 0 here */
  double hi = 0, lo = 0;
  int k = 0;
  if (hx > 0x3fd62e42) {   /* |x| > 0.5 ln2 */
    if (hx < 0x3FF0A2B2) { /* and |x| < 1.5 ln2 */
      hi = x + ln2_hi;
      lo = -ln2_lo;
      k = -1;
    } else {
      k = (int)(invln2 * x - 0.5);
      double t = k;
      hi = x - t * ln2_hi;
      lo = t * ln2_lo;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) { /* |x| < 2^-28 */
    return 1.0 + x;
  }
  double t = x * x;
  double c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  return with_high(y, (unsigned)(high(y) + (k << 20))); /* k >= -1010: y * 2^k, exact */
}

/* fdlibm s_expm1.c for -1.5 ln2 < x <= 0 (the kernel calls it for x > -ln2); other inputs go to libm. */
static const double Q1 = -3.33333333333331316428e-02, Q2 = 1.58730158725481460165e-03,
                    Q3 = -7.93650757867487942473e-05, Q4 = 4.00821782732936239552e-06,
                    Q5 = -2.01099218183624371326e-07;
static double fd_expm1(double x) {
  int hx = high(x) & 0x7fffffff;
  if (!(x <= 0) || hx >= 0x3FF0A2B2) return expm1(x);
  double c = 0;
  int k = 0;
  if (hx > 0x3fd62e42) { /* 0.5 ln2 < |x| < 1.5 ln2, x < 0 */
    double hi = x + ln2_hi, lo = -ln2_lo;
    k = -1;
    x = hi - lo;
    c = (hi - x) - lo;
  } else if (hx < 0x3c900000) { /* |x| < 2^-54 */
    return x;
  }
  double hfx = 0.5 * x;
  double hxs = x * hfx;
  double r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  double t = 3.0 - r1 * hfx;
  double e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k == 0) return x - (x * e - hxs);
  e = (x * (e - c) - c);
  e -= hxs;
  return 0.5 * (x - e) - 0.5; /* k == -1 */
}

/* One body for both runs: fd = 1 uses fdlibm's log/exp; inlined into each wrapper with fd constant. */
static inline __attribute__((always_inline)) void kernel_impl(int fd, int guess, int n, const double *pages, const double *size, const double *bw, const double *alpha,
                   const double *dirty, unsigned char *conv, double *rhoO, double *nO, double *preO, double *downO,
                   double *totO, double *ptO, double *dpO, double *gO, double *uO) {
  double lastRho = NAN, logRho = NAN;
  for (int i = 0; i < n; i++) {
    double tau = size[i] / bw[i];
    double rho = dirty[i] * tau;
    rhoO[i] = rho;
    if (!(rho < 1)) {
      conv[i] = 0;
      nO[i] = preO[i] = downO[i] = totO[i] = ptO[i] = dpO[i] = gO[i] = uO[i] = NAN;
      continue;
    }
    conv[i] = 1;
    if (rho != lastRho) {
      lastRho = rho;
      logRho = fd ? fd_log(rho) : log(rho);
    }
    double a = alpha[i], ps = pages[i];
    double k = 0, q;
    if (rho > 0 && guess) {
      /* src/model/batch.ts's guess of n + 1 (see GUESS_BELOW there), kept when q proves it: log(a) saved */
      bits b = {a};
      unsigned hi = (unsigned)(b.u >> 32);
      int j = (hi >> 13) & 127;
      double r = (1 + (hi & 0xfffff) * 0x1p-20) * INV_C[j] - 1;
      double la = ((int)(hi >> 20) - 1023) * 0.6931471805599453 + LN_C[j] + (r - 0.5 * r * r);
      double m = ceil((la + 1e-12) / logRho);
      if (!(m >= 1)) m = 1;
      q = fd ? fd_exp(m * logRho) : exp(m * logRho);
      if (q <= a * (1 - 1e-9) && (m == 1 || q > a * (1 + 1e-9) * rho) && m < 0x1p52) {
        k = m - 1;
      } else {
        k = ceil(((fd ? fd_log(a) : log(a)) + 1e-12) / logRho) - 1;
        if (k < 0) k = 0;
        if (k + 1 != m) q = fd ? fd_exp((k + 1) * logRho) : exp((k + 1) * logRho);
      }
    } else {
      if (rho > 0) {
        k = ceil(((fd ? fd_log(a) : log(a)) + 1e-12) / logRho) - 1;
        if (k < 0) k = 0;
      }
      q = fd ? fd_exp((k + 1) * logRho) : exp((k + 1) * logRho);
    }
    double omq = q <= 0.5 ? 1 - q : -(fd ? fd_expm1((k + 1) * logRho) : expm1((k + 1) * logRho));
    double omq2 = omq + q * (1 - rho);
    double psTau = ps * tau;
    double g = omq / (1 - rho);
    double pre = psTau * g;
    double down = psTau * q;
    nO[i] = k;
    preO[i] = pre;
    downO[i] = down;
    totO[i] = pre + down;
    ptO[i] = ceil_pages(ps * (g + a));
    dpO[i] = ps * a;
    gO[i] = 1 / q;
    uO[i] = (rho * omq + a * (1 - rho)) / omq2;
  }
}

#define KERNEL_ARGS                                                                                                \
  int n, const double *pages, const double *size, const double *bw, const double *alpha, const double *dirty,      \
      unsigned char *conv, double *rhoO, double *nO, double *preO, double *downO, double *totO, double *ptO,       \
      double *dpO, double *gO, double *uO
static void kernel(KERNEL_ARGS) {
  kernel_impl(0, 0, n, pages, size, bw, alpha, dirty, conv, rhoO, nO, preO, downO, totO, ptO, dpO, gO, uO);
}
static void kernel_guess(KERNEL_ARGS) {
  kernel_impl(0, 1, n, pages, size, bw, alpha, dirty, conv, rhoO, nO, preO, downO, totO, ptO, dpO, gO, uO);
}
static void kernel_fdlibm(KERNEL_ARGS) {
  kernel_impl(1, 0, n, pages, size, bw, alpha, dirty, conv, rhoO, nO, preO, downO, totO, ptO, dpO, gO, uO);
}

typedef void (*kernel_fn)(KERNEL_ARGS);

/* Best of REPS runs of k over the scenarios (CPU time: a shared machine's waits are not counted); checksum = sum of Tdown over the converged ones. */
static void run(kernel_fn k, const double *pages, const double *size, const double *bw, const double *alpha,
                const double *dirty, unsigned char *conv, double *out, double *best, double *checksum) {
  *best = 1e300;
  for (int r = 0; r < REPS; r++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    k(N, pages, size, bw, alpha, dirty, conv, out, out + N, out + 2 * N, out + 3 * N, out + 4 * N, out + 5 * N,
      out + 6 * N, out + 7 * N, out + 8 * N);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    double dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (dt < *best) *best = dt;
    *checksum = 0;
    for (int i = 0; i < N; i++)
      if (conv[i]) *checksum += out[3 * N + i];
  }
}

int main(void) {
  double *in = malloc(sizeof(double) * N * 5);
  double *out = malloc(sizeof(double) * N * 9);
  unsigned char *conv = malloc(N);
  if (!in || !out || !conv) return 1;
  double *pages = in, *size = in + N, *bw = in + 2 * N, *alpha = in + 3 * N, *dirty = in + 4 * N;
  for (int i = 0; i < N; i++) {
    double rho = 0.01 + 0.98 * rnd();
    pages[i] = 1 + floor(rnd() * 1e9);
    size[i] = 4096;
    bw[i] = 1.25e9;
    dirty[i] = (rho * 1.25e9) / 4096;
    rnd(); /* hotFraction, unused by the uniform case */
    alpha[i] = 1e-6 + 0.99 * rnd();
  }
  for (int j = 0; j < 128; j++) {
    double c = 1 + (j + 0.5) / 128;
    INV_C[j] = 1 / c;
    LN_C[j] = log(c);
  }
  double best, checksum, fdBest, fdChecksum, gBest, gChecksum;
  run(kernel, pages, size, bw, alpha, dirty, conv, out, &best, &checksum);
  run(kernel_fdlibm, pages, size, bw, alpha, dirty, conv, out, &fdBest, &fdChecksum);
  run(kernel_guess, pages, size, bw, alpha, dirty, conv, out, &gBest, &gChecksum);
  printf("{\"n\": %d, \"bestSeconds\": %.9f, \"checksum\": %.17g, \"fdlibmBestSeconds\": %.9f, \"fdlibmChecksum\": "
         "%.17g, \"guessBestSeconds\": %.9f, \"guessChecksum\": %.17g}\n",
         N, best, checksum, fdBest, fdChecksum, gBest, gChecksum);
  free(in);
  free(out);
  free(conv);
  return 0;
}
