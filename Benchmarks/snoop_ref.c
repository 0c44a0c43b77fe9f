// SPDX-License-Identifier: Apache-2.0
// The C reference of the tool benchmarks: loads the SAME BPF object as `swiftbpf execsnoop`,
// `swiftbpf opensnoop` or `swiftbpf tcpconnect` (the tool's .bpf.c compiled by clang, with the
// same ring-buffer size and default filters) through libbpf, consumes the same ring buffer
// (`tool_events`) and prints the same columns, flushing stdout after each batch of events as the
// Swift tools do. So the two loaders' user-space costs compare directly.
//   snoop_ref execsnoop|opensnoop|tcpconnect OBJECT
// Stops on SIGINT/SIGTERM after draining what is queued; reports drops on stderr.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// struct tool_task of BPFInclude/swiftbpf_tool.h (48 bytes, at the start of every event).
struct tool_task {
    unsigned long long timestamp_ns, cgroup_id;
    unsigned int pid, tgid, ppid, uid;
    char comm[16];
};

// struct exec_event of ExecSnoop/bpf/execsnoop.h, up to its args.
struct exec_event {
    struct tool_task task;
    int retval;
    unsigned int args_count, args_size, truncated;
    char args[];
};

// struct open_event of OpenSnoop/bpf/opensnoop.h, up to its data.
struct open_event {
    struct tool_task task;
    int ret;
    unsigned int flags;
    int dfd;
    unsigned short path_size, cwd_size;
    char data[];
};

// struct tcp_event of TCP/bpf/tcp_event.h.
struct tcp_event {
    struct tool_task task;
    unsigned char saddr[16], daddr[16];
    unsigned long long tx_bytes, rx_bytes, duration_ns;
    unsigned short sport, dport, family;
    unsigned char state, attributed;
    int err;
    unsigned int pad;
};

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = 1; }
static int quiet(enum libbpf_print_level level, const char *fmt, va_list args) { return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0; }

static void comm16(char out[17], const char comm[16])
{
    memcpy(out, comm, 16);
    out[16] = 0;
}

static int on_exec(void *ctx, void *data, size_t size)
{
    const struct exec_event *e = data;
    if (size < sizeof(*e))
        return 0;
    char comm[17];
    comm16(comm, e->task.comm);
    printf("%-16s %-7u %-7u %3d ", comm, e->task.tgid, e->task.ppid, e->retval);
    size_t end = e->args_size;
    if (end > size - sizeof(*e))
        end = size - sizeof(*e);
    unsigned n = 0;
    for (size_t i = 0, start = 0; i <= end && n < e->args_count; i++) {
        if (i == end || e->args[i] == 0) {
            if (i == end && start == end)
                break;
            printf(n ? " %.*s" : "%.*s", (int)(i - start), e->args + start);
            n++;
            start = i + 1;
        }
    }
    if (e->truncated)
        fputs(" ...", stdout);
    putchar('\n');
    return 0;
}

static int on_open(void *ctx, void *data, size_t size)
{
    const struct open_event *e = data;
    if (size < sizeof(*e) || sizeof(*e) + e->cwd_size + e->path_size > size)
        return 0;
    char comm[17];
    comm16(comm, e->task.comm);
    int fd = e->ret >= 0 ? e->ret : -1, err = e->ret < 0 ? -e->ret : 0;
    // The working directory's names (only with --full-path, which the benchmark does not use) are
    // skipped; the path as passed follows them.
    const char *path = e->data + e->cwd_size;
    int len = e->path_size ? e->path_size - 1 : 0;
    printf("%-6u %-16s %4d %3d %.*s\n", e->task.tgid, comm, fd, err, len, path);
    return 0;
}

static int on_tcp(void *ctx, void *data, size_t size)
{
    const struct tcp_event *e = data;
    if (size < sizeof(*e))
        return 0;
    char comm[17], s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
    comm16(comm, e->task.comm);
    int af = e->family == 10 ? AF_INET6 : AF_INET;
    inet_ntop(af, e->saddr, s, sizeof(s));
    inet_ntop(af, e->daddr, d, sizeof(d));
    printf("%-7u %-16s %-2d %-16s %-6u %-16s %u\n", e->task.tgid, comm, af == AF_INET6 ? 6 : 4, s, e->sport, d, e->dport);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: snoop_ref execsnoop|opensnoop|tcpconnect OBJECT\n");
        return 2;
    }
    const char *tool = argv[1];
    ring_buffer_sample_fn fn;
    const char *header;
    unsigned ring_size = 0;  // 0: the object's own size (1 MiB), as the Swift tool keeps it
    if (!strcmp(tool, "execsnoop")) {
        fn = on_exec;
        header = "PCOMM            PID     PPID    RET ARGS";
        ring_size = 512 * 1024;  // ExecSnoop's default
    } else if (!strcmp(tool, "opensnoop")) {
        fn = on_open;
        header = "PID    COMM               FD ERR PATH";
    } else if (!strcmp(tool, "tcpconnect")) {
        fn = on_tcp;
        header = "PID     COMM             IP SADDR            LPORT  DADDR            DPORT";
    } else {
        fprintf(stderr, "snoop_ref: unknown tool %s\n", tool);
        return 2;
    }
    libbpf_set_print(quiet);
    struct bpf_object *obj = bpf_object__open_file(argv[2], NULL);
    if (!obj) {
        fprintf(stderr, "snoop_ref: cannot open %s\n", argv[2]);
        return 1;
    }
    struct bpf_map *events = bpf_object__find_map_by_name(obj, "tool_events");
    struct bpf_map *dropped = bpf_object__find_map_by_name(obj, "tool_dropped");
    if (!events || (ring_size && bpf_map__set_max_entries(events, ring_size))) {
        fprintf(stderr, "snoop_ref: no tool_events ring buffer\n");
        return 1;
    }
    if (bpf_object__load(obj)) {
        fprintf(stderr, "snoop_ref: load failed\n");
        return 1;
    }
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) {
        // opensnoop's open(2) tracepoints exist only where the architecture has open(2); a
        // program that cannot attach is skipped, as the Swift tool skips it.
        if (!bpf_program__attach(prog))
            fprintf(stderr, "snoop_ref: %s not attached\n", bpf_program__name(prog));
    }
    struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(events), fn, NULL, NULL);
    if (!rb)
        return 1;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    puts(header);
    fflush(stdout);
    while (!stop) {
        int n = ring_buffer__poll(rb, 200);
        if (n > 0)
            fflush(stdout);
        else if (n < 0 && n != -4)  // -EINTR: the stop signal
            break;
    }
    ring_buffer__consume(rb);
    fflush(stdout);
    if (dropped) {
        int cpus = libbpf_num_possible_cpus();
        unsigned long long *v = calloc(cpus, sizeof(*v)), lost = 0;
        unsigned zero = 0;
        if (v && !bpf_map_lookup_elem(bpf_map__fd(dropped), &zero, v))
            for (int i = 0; i < cpus; i++)
                lost += v[i];
        if (lost)
            fprintf(stderr, "%s: %llu events dropped (ring buffer full)\n", tool, lost);
        free(v);
    }
    ring_buffer__free(rb);
    bpf_object__close(obj);
    return 0;
}
