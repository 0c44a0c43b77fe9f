// SPDX-License-Identifier: Apache-2.0
// The libbpf peer of `swiftbpf-bench btf-parse`: the same measurements with btf__parse() and
// btf__find_by_name_kind(), printed as one JSON line. Built and run by Benchmarks/run.sh.
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long status(const char *key)
{
    char line[256];
    long v = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
            v = atol(line + strlen(key) + 1);
    fclose(f);
    return v;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/sys/kernel/btf/vmlinux";
    int iterations = argc > 2 ? atoi(argv[2]) : 20;
    double *times = calloc(iterations, sizeof(double));
    for (int i = 0; i < iterations; i++) {
        double t0 = now();
        struct btf *btf = btf__parse(path, NULL);
        times[i] = now() - t0;
        if (!btf)
            return 1;
        btf__free(btf);
    }
    qsort(times, iterations, sizeof(double), cmp);

    long anon0 = status("RssAnon"), file0 = status("RssFile");
    double t0 = now();
    struct btf *btf = btf__parse(path, NULL);
    double parse = now() - t0;
    double t1 = now();
    int first = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
    double first_lookup = now() - t1;
    double t2 = now();
    for (int i = 0; i < 1000; i++)
        btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
    double hit = (now() - t2) / 1000;
    double t3 = now();
    for (int i = 0; i < 100; i++)
        btf__find_by_name_kind(btf, "no_such_type_anywhere", BTF_KIND_STRUCT);
    double miss = (now() - t3) / 100;
    long anon1 = status("RssAnon"), file1 = status("RssFile");
    if (first <= 0)
        return 1;
    printf("{\"loader\":\"libbpf\",\"types\":%u,\"parse_ms_median\":%.3f,\"parse_ms_min\":%.3f,\"parse_ms_last\":%.3f,"
           "\"first_lookup_ms\":%.3f,\"lookup_hit_us\":%.3f,\"lookup_miss_us\":%.3f,"
           "\"retained_anon_kib\":%ld,\"retained_file_kib\":%ld}\n",
           btf__type_cnt(btf), times[iterations / 2] * 1e3, times[0] * 1e3, parse * 1e3, first_lookup * 1e3,
           hit * 1e6, miss * 1e6, anon1 - anon0, file1 - file0);
    btf__free(btf);
    return 0;
}
