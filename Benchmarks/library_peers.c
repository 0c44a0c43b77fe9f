// SPDX-License-Identifier: Apache-2.0
// The libbpf peers of `swiftbpf-bench load|ringbuf|map`: the same measurements through libbpf's
// C API, printed as one JSON line each. Built and run by Benchmarks/run.sh.
//   library_peers load OBJ ITERATIONS
//   library_peers ringbuf OBJ SIZE COUNT ROUNDS
//   library_peers map ENTRIES ROUNDS
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
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

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *xs, int n)
{
    qsort(xs, n, sizeof(double), cmp);
    return xs[n / 2];
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args) { return 0; }

static int bench_load(const char *path, int iterations)
{
    double *t = calloc(iterations, sizeof(double));
    for (int i = 0; i < iterations; i++) {
        double t0 = now();
        struct bpf_object *obj = bpf_object__open_file(path, NULL);
        if (!obj || bpf_object__load(obj))
            return 1;
        t[i] = now() - t0;
        bpf_object__close(obj);
    }
    double first = t[0];
    printf("{\"loader\":\"libbpf\",\"bench\":\"load\",\"first_ms\":%.3f,\"median_ms\":%.3f}\n",
           first * 1e3, median(t + (iterations > 1), iterations - (iterations > 1)) * 1e3);
    return 0;
}

static unsigned long long checksum;
static int on_record(void *ctx, void *data, size_t size)
{
    checksum += ((unsigned char *)data)[0] + size;
    return 0;
}

static int bench_ringbuf(const char *path, unsigned size, unsigned count, int rounds)
{
    struct bpf_object *obj = bpf_object__open_file(path, NULL);
    if (!obj)
        return 1;
    struct bpf_map *rodata = NULL, *m;
    bpf_object__for_each_map(m, obj) if (strstr(bpf_map__name(m), ".rodata")) rodata = m;
    if (!rodata)
        return 1;
    size_t sz;
    unsigned *ro = (unsigned *)bpf_map__initial_value(rodata, &sz);
    ro[0] = size;
    if (bpf_object__load(obj))
        return 1;
    int prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "produce_records"));
    struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "records")), on_record, NULL, NULL);
    double *t = calloc(rounds, sizeof(double));
    for (int r = 0; r < rounds; r++) {
        LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &count, .ctx_size_in = sizeof(count));
        if (bpf_prog_test_run_opts(prog, &opts))
            return 1;
        double t0 = now();
        int n = ring_buffer__consume(rb);
        t[r] = now() - t0;
        if (n != (int)count)
            return 1;
    }
    printf("{\"loader\":\"libbpf\",\"bench\":\"ringbuf\",\"size\":%u,\"records_per_s\":%.0f,\"checksum\":%llu}\n",
           size, count / median(t, rounds), checksum % 1000);
    ring_buffer__free(rb);
    bpf_object__close(obj);
    return 0;
}

static int bench_map(int entries, int rounds)
{
    int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bench_batch", 4, 8, entries, NULL);
    if (fd < 0)
        return 1;
    for (unsigned i = 0; i < (unsigned)entries; i++) {
        unsigned long long v = i * 3ULL;
        bpf_map_update_elem(fd, &i, &v, BPF_ANY);
    }
    unsigned *keys = calloc(entries, 4);
    unsigned long long *vals = calloc(entries, 8);
    double *tb = calloc(rounds, sizeof(double)), *ts = calloc(rounds, sizeof(double));
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        unsigned got = 0, out_batch = 0;
        void *in = NULL;
        for (;;) {
            __u32 n = 4096;
            int err = bpf_map_lookup_batch(fd, in, &out_batch, keys + got, vals + got, &n, NULL);
            got += n;
            in = &out_batch;
            if (err)
                break;
        }
        tb[r] = now() - t0;
        if ((int)got != entries)
            return 1;
        t0 = now();
        unsigned long long sum = 0, v;
        for (unsigned i = 0; i < (unsigned)entries; i++)
            if (!bpf_map_lookup_elem(fd, &i, &v))
                sum += v;
        ts[r] = now() - t0;
    }
    printf("{\"loader\":\"libbpf\",\"bench\":\"map\",\"entries\":%d,\"batch_entries_per_s\":%.0f,\"lookup_per_s\":%.0f}\n",
           entries, entries / median(tb, rounds), entries / median(ts, rounds));
    return 0;
}

int main(int argc, char **argv)
{
    libbpf_set_print(quiet);
    if (argc >= 4 && !strcmp(argv[1], "load"))
        return bench_load(argv[2], atoi(argv[3]));
    if (argc >= 6 && !strcmp(argv[1], "ringbuf"))
        return bench_ringbuf(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    if (argc >= 4 && !strcmp(argv[1], "map"))
        return bench_map(atoi(argv[2]), atoi(argv[3]));
    fprintf(stderr, "usage: see the comment at the top of library_peers.c\n");
    return 2;
}
