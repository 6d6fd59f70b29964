/*
 * The uniform case of Table 1 over arrays (structure of arrays), in C: the yardstick of the batch kernel
 * (src/model/batch.ts, issue 11). The same formulas in the same order as summarizeAt / summarizeBatch:
 *   tau = S/B, rho = D*tau; n = max(0, ceil((ln alpha + 1e-12)/ln rho) - 1)   (Eqs. 9-11, band-edge rule)
 *   q = rho^(n+1) = exp((n+1) ln rho); 1 - q (expm1 above 1/2); 1 - rho^(n+2) = (1 - q) + q(1 - rho)
 *   Tpre = Ps tau (1-q)/(1-rho) (Eq. 7), Tdown = Ps tau q (Eq. 6), Ttot (Eq. 8),
 *   PTotalMig = ceilPages(Ps((1-q)/(1-rho) + alpha)) (Eq. 13), G = 1/q (Eq. 14), Unet (Eq. 16).
 * The scenarios are bench/run.mjs's (Park-Miller, seed 12345). Prints one line of JSON:
 *   {"n": 1000000, "bestSeconds": ..., "checksum": ...}
 * Build and run: cc -O2 -o /tmp/precopy-kernel bench/kernel.c -lm && /tmp/precopy-kernel
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

static double ceil_pages(double x) {
  double ax = x > 1 ? x : x < -1 ? -x : 1;
  double tol = 64 * 2.220446049250313e-16 * ax;
  if (tol >= 0.5) return round(x);
  double c = ceil(x);
  return c - x >= 1 - tol ? c - 1 : c;
}

static void kernel(int n, const double *pages, const double *size, const double *bw, const double *alpha,
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
      logRho = log(rho);
    }
    double a = alpha[i], ps = pages[i];
    double k = 0;
    if (rho > 0) {
      k = ceil((log(a) + 1e-12) / logRho) - 1;
      if (k < 0) k = 0;
    }
    double q = exp((k + 1) * logRho);
    double omq = q <= 0.5 ? 1 - q : -expm1((k + 1) * logRho);
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
  double best = 1e300, checksum = 0;
  for (int r = 0; r < REPS; r++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    kernel(N, pages, size, bw, alpha, dirty, conv, out, out + N, out + 2 * N, out + 3 * N, out + 4 * N, out + 5 * N,
           out + 6 * N, out + 7 * N, out + 8 * N);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (dt < best) best = dt;
    checksum = 0;
    for (int i = 0; i < N; i++)
      if (conv[i]) checksum += out[3 * N + i];
  }
  printf("{\"n\": %d, \"bestSeconds\": %.9f, \"checksum\": %.17g}\n", N, best, checksum);
  free(in);
  free(out);
  free(conv);
  return 0;
}
