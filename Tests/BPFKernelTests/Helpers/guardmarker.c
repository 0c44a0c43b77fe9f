// The marker workload of GuardTests: its first act is to create a marker file, so a marker that
// never appears proves the process was killed before running any of its own code. Other modes
// reach the same binary by the routes the bypass suite tries, or open a file and then mark.
//   guardmarker MARKER                      create MARKER, exit 0
//   guardmarker SCRIPT MARKER               the same, run as the #! interpreter of SCRIPT
//   guardmarker --open PATH MARKER          open PATH read-only, then create MARKER
//   guardmarker --fdexec BIN MARKER         execveat(open(BIN), "", AT_EMPTY_PATH)
//   guardmarker --procfd BIN MARKER         execv("/proc/self/fd/N") of open(BIN)
//   guardmarker --memfd BIN MARKER          copy BIN into a memfd and fexecve it
//   guardmarker --argv0 NAME BIN MARKER     execv(BIN) with argv[0] = NAME
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static int mark(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror("marker"); return 1; }
    if (write(fd, "ran\n", 4) != 4) return 1;
    close(fd);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2) return mark(argv[1]);
    if (argc == 3 && argv[1][0] != '-') return mark(argv[2]);  // as a #! interpreter: SCRIPT MARKER
    if (argc == 4 && strcmp(argv[1], "--open") == 0) {
        int fd = open(argv[2], O_RDONLY);
        if (fd < 0) { perror("open"); return 2; }
        return mark(argv[3]);
    }
    if (argc == 4 && (strcmp(argv[1], "--fdexec") == 0 || strcmp(argv[1], "--procfd") == 0 || strcmp(argv[1], "--memfd") == 0)) {
        int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
        if (fd < 0) { perror("open"); return 2; }
        char *args[] = { argv[2], argv[3], NULL };
        if (strcmp(argv[1], "--memfd") == 0) {
            int mfd = memfd_create("guardmarker", MFD_CLOEXEC);
            char buf[65536];
            ssize_t n;
            while ((n = read(fd, buf, sizeof(buf))) > 0)
                if (write(mfd, buf, n) != n) return 3;
            fd = mfd;
        }
        if (strcmp(argv[1], "--procfd") == 0) {
            int plain = fcntl(fd, F_DUPFD, 10);  // without CLOEXEC: the kernel reopens it by path
            char path[64];
            snprintf(path, sizeof(path), "/proc/self/fd/%d", plain);
            execv(path, args);
        } else {
            syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH);
        }
        perror("exec");
        return 4;
    }
    if (argc == 5 && strcmp(argv[1], "--argv0") == 0) {
        char *args[] = { argv[2], argv[4], NULL };
        execv(argv[3], args);
        perror("exec");
        return 4;
    }
    fprintf(stderr, "usage: see guardmarker.c\n");
    return 64;
}
