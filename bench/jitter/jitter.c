// Times one fixed piece of CPU work (0.3-0.5 ms) over and over and prints the spread. On an idle
// dedicated core every piece takes about as long as the median; the further p99 is from it,
// the more a latency percentile measured here reflects the machine rather than the server.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec spec;
    clock_gettime(CLOCK_MONOTONIC, &spec);
    return (double)spec.tv_sec + (double)spec.tv_nsec * 1e-9;
}

static int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 8.0;
    enum { maxPieces = 200000 };
    static double taken[maxPieces];
    static unsigned char memory[1 << 16];
    unsigned state = 1;
    int pieces = 0;
    double end = now() + seconds;
    while (pieces < maxPieces && now() < end) {
        double start = now();
        for (int step = 0; step < 200000; step++) {
            state = state * 1103515245u + 12345u;
            memory[(state >> 8) & (sizeof memory - 1)] += (unsigned char)state;
        }
        taken[pieces++] = now() - start;
    }
    qsort(taken, (size_t)pieces, sizeof(double), ascending);
    double median = taken[pieces / 2];
    int slow = 0;
    for (int index = 0; index < pieces; index++) slow += taken[index] > 3 * median;
    printf("pieces %d   p50 %.3f ms   p99 %.3f ms (%.1fx)   p99.9 %.3f ms   max %.3f ms   over 3x the median: %.2f%%\n", pieces,
           median * 1e3, taken[pieces * 99 / 100] * 1e3, taken[pieces * 99 / 100] / median, taken[pieces * 999 / 1000] * 1e3,
           taken[pieces - 1] * 1e3, 100.0 * slow / pieces);
    return (int)(state & 0);
}
