// Loads a BPF object with libbpf, attaches every program by its section name, prints "attached"
// and holds the attachments until SIGINT or SIGTERM (Benchmarks/guard.sh's floor measurement).
//   attach_object OBJECT.o
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: attach_object OBJECT.o\n"); return 2; }
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj || bpf_object__load(obj)) { fprintf(stderr, "attach_object: %s does not load\n", argv[1]); return 1; }
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) {
        if (!bpf_program__attach(prog)) {
            fprintf(stderr, "attach_object: %s does not attach\n", bpf_program__name(prog));
            bpf_object__close(obj);
            return 1;
        }
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    printf("attached\n");
    fflush(stdout);
    while (!stop) pause();
    bpf_object__close(obj);
    return 0;
}
