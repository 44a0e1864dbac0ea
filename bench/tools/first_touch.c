/* fl_first_touch: what fresh anonymous memory costs on this machine, the floor under every
 * case that keeps events (docs/performance.md, "Fresh memory").
 *
 * usage: fl_first_touch MIB [4k|huge]
 * Maps MIB MiB three times in a row, each time writing one byte per 4 KiB page and unmapping
 * it, and prints the wall time and rate of each pass. The first pass takes pages the process
 * never had; the later ones mostly get back the pages it just freed. On a VM whose guest
 * reports freed pages to the host (virtio-balloon free page reporting), the first pass runs
 * at the host's page-fault rate and the later ones at memory speed. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long mib = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
    int huge = argc > 2 ? strcmp(argv[2], "huge") == 0 : 1;
    if (mib <= 0 || (argc > 2 && !huge && strcmp(argv[2], "4k") != 0)) {
        fputs("usage: fl_first_touch MIB [4k|huge]\n", stderr);
        return 2;
    }
    size_t n = (size_t)mib << 20;
    for (int pass = 1; pass <= 3; pass++) {
        char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("fl_first_touch: mmap");
            return 1;
        }
#ifdef MADV_HUGEPAGE
        if (huge)
            (void)madvise(p, n, MADV_HUGEPAGE);
#endif
        double t0 = now_s();
        for (size_t i = 0; i < n; i += 4096)
            ((volatile char *)p)[i] = 1;
        double t = now_s() - t0;
        printf("pass %d: %ld MiB, %s pages: %.1f ms, %.2f GB/s\n", pass, mib,
               huge ? "huge" : "4 KiB", t * 1e3, (double)n / t / 1e9);
        munmap(p, n);
    }
    return 0;
}
