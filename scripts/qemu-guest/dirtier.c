/*
 * dirtier: the guest workload of the QEMU validation harness.
 *
 * Fills a buffer of MIB mebibytes with non-zero bytes (so that QEMU cannot send its pages as zero pages),
 * prints "READY", then writes one 8-byte word into RATE distinct-ish pages per second, in address order
 * ("seq": page i, i+1, ... wrapping at the end of the buffer) or at random ("rand": xorshift64, seeded).
 * Writes are paced in 1 ms slices against CLOCK_MONOTONIC so the rate holds on a slow TCG guest.
 * Every written word is non-zero and different from the previous one, so every dirtied page is a normal page.
 *
 * usage: dirtier MIB RATE seq|rand   (RATE in pages per second, 0 = fill and idle)
 * Built statically (gcc -O2 -static) and packed into the harness initramfs by build.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: dirtier MIB RATE seq|rand\n");
    return 2;
  }
  unsigned long mib = strtoul(argv[1], 0, 10);
  double rate = strtod(argv[2], 0);
  int random_mode = strcmp(argv[3], "rand") == 0;
  unsigned long pages = mib * 1024UL * 1024UL / PAGE;
  if (pages == 0) pages = 1;
  volatile uint64_t *buf = (volatile uint64_t *)malloc(pages * PAGE);
  if (!buf) {
    fprintf(stderr, "dirtier: cannot allocate %lu MiB\n", mib);
    return 1;
  }
  /* Non-zero fill: every word of every page, so no page is a zero page. */
  for (unsigned long i = 0; i < pages * (PAGE / 8); i++) buf[i] = 0x9e3779b97f4a7c15ULL ^ (uint64_t)i;
  printf("READY pages=%lu rate=%.0f mode=%s\n", pages, rate, random_mode ? "rand" : "seq");
  fflush(stdout);
  if (rate <= 0) {
    for (;;) sleep(3600);
  }
  uint64_t x = 88172645463325252ULL, stamp = 1;
  unsigned long next = 0;
  double start = now(), written = 0;
  for (;;) {
    double due = (now() - start) * rate;
    while (written < due) {
      unsigned long page;
      if (random_mode) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        page = (unsigned long)(x % pages);
      } else {
        page = next;
        next = next + 1 == pages ? 0 : next + 1;
      }
      buf[page * (PAGE / 8) + (stamp & 511)] = stamp | 1;
      stamp++;
      written += 1;
    }
    usleep(1000);
  }
}
