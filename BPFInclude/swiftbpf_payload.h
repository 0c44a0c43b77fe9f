// SPDX-License-Identifier: GPL-2.0
// What sslsniff and http share: the payload of one read or write (TLS plaintext from uprobes on
// the TLS library, or a plain TCP socket's bytes from syscall tracepoints), copied into a bounded
// per-CPU buffer and sent with the task, the call's latency and the socket's endpoints.
// Include after vmlinux.h, <bpf/bpf_helpers.h>, <bpf/bpf_tracing.h> and "swiftbpf_tool.h".
#ifndef SWIFTBPF_PAYLOAD_H
#define SWIFTBPF_PAYLOAD_H

// The most bytes one event carries (a power of two). A per-CPU map value is at most 32 KiB
// (PCPU_MIN_UNIT_SIZE), so the scratch event with its header must stay under that.
#define PAYLOAD_MAX 16384

#define PAYLOAD_READ 0
#define PAYLOAD_WRITE 1
#define PAYLOAD_HANDSHAKE 2

#define PAYLOAD_OPENSSL 1
#define PAYLOAD_GNUTLS 2
#define PAYLOAD_SYSCALL 3

// The probed functions.
#define PAYLOAD_FN_SSL_WRITE 1
#define PAYLOAD_FN_SSL_READ 2
#define PAYLOAD_FN_SSL_WRITE_EX 3
#define PAYLOAD_FN_SSL_READ_EX 4
#define PAYLOAD_FN_SSL_DO_HANDSHAKE 5
#define PAYLOAD_FN_GNUTLS_RECORD_SEND 6
#define PAYLOAD_FN_GNUTLS_RECORD_RECV 7
#define PAYLOAD_FN_GNUTLS_HANDSHAKE 8

#define PAYLOAD_TRUNCATED 1     // the call moved more bytes than were captured
#define PAYLOAD_READ_FAILED 2   // bpf_probe_read_user failed: no bytes captured

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif
#define PAYLOAD_S_IFMT 00170000
#define PAYLOAD_S_IFSOCK 0140000

// The socket behind a call, when it could be found (family 0 otherwise). Ports in host order;
// addresses in network order (IPv4 in the first 4 bytes).
struct payload_conn {
    __u16 family;
    __u16 sport;
    __u16 dport;
    __u16 pad;
    __u8 saddr[16];
    __u8 daddr[16];
};

struct payload_event {
    struct tool_task task;
    __u64 latency_ns;   // from the call's entry to its return
    __u64 conn_id;      // the SSL* / gnutls_session_t, or the struct sock* of a plain socket
    __s64 ret;          // the call's return value
    __u32 len;          // bytes the call moved (0 for a handshake or a failed call)
    __u32 captured;     // bytes in data (at most payload_max_bytes)
    __s32 fd;           // the socket's fd, -1 when unknown
    __u8 direction;     // PAYLOAD_READ, PAYLOAD_WRITE, PAYLOAD_HANDSHAKE
    __u8 source;        // PAYLOAD_OPENSSL, PAYLOAD_GNUTLS, PAYLOAD_SYSCALL
    __u8 flags;         // PAYLOAD_TRUNCATED, PAYLOAD_READ_FAILED
    __u8 function;      // PAYLOAD_FN_*: which function (0 for a syscall)
    struct payload_conn conn;
    __u8 data[PAYLOAD_MAX];
};

#define PAYLOAD_HEADER_SIZE (__builtin_offsetof(struct payload_event, data))

// Set from Swift (--max-bytes) before load; at most PAYLOAD_MAX.
const volatile __u32 payload_max_bytes = 4096;
// The tracer's own process, never traced (its output may go to a socket). 0: none.
const volatile __u32 payload_self_tgid = 0;

static __always_inline int payload_is_self(void)
{
    return payload_self_tgid && (bpf_get_current_pid_tgid() >> 32) == payload_self_tgid;
}

// A call between its entry and its return, per thread.
struct payload_call {
    __u64 start_ns;
    __u64 buf;       // the caller's buffer
    __u64 conn_id;
    __u64 len_ptr;   // SSL_read_ex/SSL_write_ex: where the count is written; else 0
    __s32 fd;        // learned from the syscalls made during the call, -1 until then
    __u8 direction;
    __u8 source;
    __u8 int_ret;    // the function returns int: only the low 32 bits of the return register count
    __u8 function;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 10240);
    __type(key, __u64);   // pid_tgid
    __type(value, struct payload_call);
} payload_calls SEC(".maps");

// The fd last seen under each TLS connection (per process), for calls served from the
// library's buffer without a syscall.
struct payload_conn_key {
    __u64 conn_id;
    __u32 tgid;
    __u32 pad;
};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16384);
    __type(key, struct payload_conn_key);
    __type(value, __s32);
} payload_conn_fds SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct payload_event);
} payload_scratch SEC(".maps");

// The struct sock behind fd `fd` of the current task, or NULL when it is no socket.
static __always_inline struct sock *payload_socket(int fd)
{
    if (fd < 0)
        return 0;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
    if (!fdt)
        return 0;
    unsigned int max = BPF_CORE_READ(fdt, max_fds);
    if ((unsigned int)fd >= max)
        return 0;
    struct file **fds = BPF_CORE_READ(fdt, fd);
    struct file *f = 0;
    if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
        return 0;
    // Only a socket's file has a struct socket as private_data.
    umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
    if ((mode & PAYLOAD_S_IFMT) != PAYLOAD_S_IFSOCK)
        return 0;
    struct socket *sock = BPF_CORE_READ(f, private_data);
    if (!sock)
        return 0;
    return BPF_CORE_READ(sock, sk);
}

// True for an IPv4 or IPv6 TCP socket.
static __always_inline int payload_is_tcp(struct sock *sk)
{
    if (!sk)
        return 0;
    __u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
    if (family != AF_INET && family != AF_INET6)
        return 0;
    return BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP && BPF_CORE_READ(sk, sk_type) == SOCK_STREAM;
}

static __always_inline void payload_fill_conn(struct sock *sk, struct payload_conn *c)
{
    __builtin_memset(c, 0, sizeof(*c));
    if (!sk)
        return;
    __u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
    if (family == AF_INET) {
        // bpf_core_read with explicit sizes: BPF_CORE_READ_INTO into an array copies one element.
        bpf_core_read(c->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
        bpf_core_read(c->daddr, 4, &sk->__sk_common.skc_daddr);
    } else if (family == AF_INET6) {
        bpf_core_read(c->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
        bpf_core_read(c->daddr, 16, &sk->__sk_common.skc_v6_daddr);
    } else {
        return;
    }
    c->family = family;
    c->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
    c->dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
}

// Entry of a TLS read or write: remembers the call for its return.
static __always_inline int payload_call_start(__u8 function, __u8 direction, __u8 source, __u64 conn_id,
                                              const void *buf, __u64 len_ptr, __u8 int_ret)
{
    if (payload_is_self() || !tool_filter_pass())
        return 0;
    __u64 id = bpf_get_current_pid_tgid();
    struct payload_call call = {
        .start_ns = bpf_ktime_get_ns(),
        .buf = (__u64)buf,
        .conn_id = conn_id,
        .len_ptr = len_ptr,
        .fd = -1,
        .direction = direction,
        .source = source,
        .int_ret = int_ret,
        .function = function,
    };
    struct payload_conn_key key = { .conn_id = conn_id, .tgid = id >> 32 };
    __s32 *fd = bpf_map_lookup_elem(&payload_conn_fds, &key);
    if (fd)
        call.fd = *fd;
    bpf_map_update_elem(&payload_calls, &id, &call, BPF_ANY);
    return 0;
}

// A syscall on `fd` by the current thread: if it runs inside a TLS call, that call's
// connection uses this fd. Returns 1 when a TLS call is active (its bytes are ciphertext).
static __always_inline int payload_note_fd(int fd)
{
    __u64 id = bpf_get_current_pid_tgid();
    struct payload_call *call = bpf_map_lookup_elem(&payload_calls, &id);
    if (!call)
        return 0;
    if (call->fd != fd) {
        call->fd = fd;
        struct payload_conn_key key = { .conn_id = call->conn_id, .tgid = id >> 32 };
        bpf_map_update_elem(&payload_conn_fds, &key, &fd, BPF_ANY);
    }
    return 1;
}

// min(n, PAYLOAD_MAX) as one compare on the register the helper receives: a clamp written in C
// becomes a select whose bound the 6.1 verifier loses (it rejected the helper's size as
// unbounded), while 6.18 keeps it.
static __always_inline __u64 payload_clamp(__u64 n)
{
    asm volatile("if %[n] <= %[max] goto +1\n\t%[n] = %[max]" : [n] "+r"(n) : [max] "i"(PAYLOAD_MAX));
    return n;
}

// Sends one event: `len` bytes moved by the call at `buf` (up to payload_max_bytes copied).
static __always_inline void payload_emit(__u64 start_ns, __u8 function, __u8 direction, __u8 source, __u64 conn_id, __s32 fd,
                                         struct sock *sk, __s64 ret, __u32 len, __u64 buf)
{
    __u32 zero = 0;
    struct payload_event *e = bpf_map_lookup_elem(&payload_scratch, &zero);
    if (!e)
        return;
    tool_fill_task(&e->task);
    e->latency_ns = e->task.timestamp_ns - start_ns;
    e->conn_id = conn_id;
    e->ret = ret;
    e->len = len;
    e->fd = fd;
    e->direction = direction;
    e->source = source;
    e->flags = 0;
    e->function = function;
    if (!sk && fd >= 0)
        sk = payload_socket(fd);
    payload_fill_conn(sk, &e->conn);

    __u64 n = len;
    if (n > payload_max_bytes)
        n = payload_max_bytes;
    n = payload_clamp(n);
    if (n < len)
        e->flags |= PAYLOAD_TRUNCATED;
    if (n > 0 && bpf_probe_read_user(e->data, n, (const void *)buf)) {
        e->flags |= PAYLOAD_READ_FAILED;
        n = 0;
    }
    e->captured = n;
    tool_submit(e, PAYLOAD_HEADER_SIZE + payload_clamp(n));
}

// Return of a TLS call: sends its event (a handshake carries no bytes).
static __always_inline int payload_call_return(long rc)
{
    __u64 id = bpf_get_current_pid_tgid();
    struct payload_call *found = bpf_map_lookup_elem(&payload_calls, &id);
    if (!found)
        return 0;
    struct payload_call call = *found;
    bpf_map_delete_elem(&payload_calls, &id);
    __s64 ret = call.int_ret ? (__s64)(int)rc : (__s64)rc;
    __u64 len = 0;
    if (call.direction != PAYLOAD_HANDSHAKE) {
        if (call.len_ptr) {
            // SSL_read_ex/SSL_write_ex return 1 on success and store the count.
            if (ret == 1)
                bpf_probe_read_user(&len, sizeof(len), (const void *)call.len_ptr);
            // Seen at the internal function on behalf of SSL_read/SSL_write, which return the
            // count themselves.
            if (ret > 0 && (call.function == PAYLOAD_FN_SSL_READ || call.function == PAYLOAD_FN_SSL_WRITE))
                ret = len;
        } else if (ret > 0) {
            len = ret;
        }
        if (len == 0)
            return 0;   // nothing moved (WANT_READ, EOF, error): no event
    }
    if (len > 0xffffffff)
        len = 0xffffffff;
    payload_emit(call.start_ns, call.function, call.direction, call.source, call.conn_id, call.fd, 0, ret, (__u32)len, call.buf);
    return 0;
}

// --- the TLS libraries' functions -------------------------------------------------------------
// Attached by Swift to each libssl / libgnutls (or a binary linking one statically) by name.

// int SSL_write(SSL *ssl, const void *buf, int num) / int SSL_read(SSL *ssl, void *buf, int num)
SEC("uprobe")
int BPF_KPROBE(ssl_write_entry, void *ssl, const void *buf, int num)
{
    return payload_call_start(PAYLOAD_FN_SSL_WRITE, PAYLOAD_WRITE, PAYLOAD_OPENSSL, (__u64)ssl, buf, 0, 1);
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_entry, void *ssl, void *buf, int num)
{
    return payload_call_start(PAYLOAD_FN_SSL_READ, PAYLOAD_READ, PAYLOAD_OPENSSL, (__u64)ssl, buf, 0, 1);
}

// int SSL_write_ex(SSL *s, const void *buf, size_t num, size_t *written), SSL_read_ex likewise.
SEC("uprobe")
int BPF_KPROBE(ssl_write_ex_entry, void *ssl, const void *buf, __u64 num, __u64 *written)
{
    return payload_call_start(PAYLOAD_FN_SSL_WRITE_EX, PAYLOAD_WRITE, PAYLOAD_OPENSSL, (__u64)ssl, buf, (__u64)written, 1);
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_ex_entry, void *ssl, void *buf, __u64 num, __u64 *readbytes)
{
    return payload_call_start(PAYLOAD_FN_SSL_READ_EX, PAYLOAD_READ, PAYLOAD_OPENSSL, (__u64)ssl, buf, (__u64)readbytes, 1);
}

// OpenSSL's internal read and write (ssl_read_internal, ssl_write_internal: the arguments and
// return of SSL_read_ex/SSL_write_ex), which SSL_read, SSL_read_ex, SSL_write and SSL_write_ex
// call. Swift attaches these instead of the public functions when the public ones only set up a
// frame and call them (TLSShortcut): the public functions start with `sub $N,%rsp`, which the
// kernel's uprobes single-step out of line (a second trap), while the internal ones start with
// `push`, which it emulates. Which public function called is found from the return address.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 256);
    __type(key, __s64);     // return address - the internal function's address (per library)
    __type(value, __u32);   // PAYLOAD_FN_* of the public function whose call returns there
} payload_callers SEC(".maps");

static __always_inline __u8 payload_caller(struct pt_regs *ctx, __u8 fallback)
{
    __u64 ret_addr = 0;
    // At a function's first instruction the return address is at the stack pointer, and the
    // uprobe's ip is the probed (function) address.
    if (bpf_probe_read_user(&ret_addr, sizeof(ret_addr), (const void *)PT_REGS_SP(ctx)))
        return fallback;
    __s64 delta = (__s64)(ret_addr - PT_REGS_IP(ctx));
    __u32 *fn = bpf_map_lookup_elem(&payload_callers, &delta);
    return fn ? (__u8)*fn : fallback;
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_inner_entry, void *ssl, const void *buf, __u64 num, __u64 *written)
{
    __u8 fn = payload_caller(ctx, PAYLOAD_FN_SSL_WRITE_EX);
    return payload_call_start(fn, PAYLOAD_WRITE, PAYLOAD_OPENSSL, (__u64)ssl, buf, (__u64)written, 1);
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_inner_entry, void *ssl, void *buf, __u64 num, __u64 *readbytes)
{
    __u8 fn = payload_caller(ctx, PAYLOAD_FN_SSL_READ_EX);
    return payload_call_start(fn, PAYLOAD_READ, PAYLOAD_OPENSSL, (__u64)ssl, buf, (__u64)readbytes, 1);
}

// int SSL_do_handshake(SSL *s)
SEC("uprobe")
int BPF_KPROBE(ssl_handshake_entry, void *ssl)
{
    return payload_call_start(PAYLOAD_FN_SSL_DO_HANDSHAKE, PAYLOAD_HANDSHAKE, PAYLOAD_OPENSSL, (__u64)ssl, 0, 0, 1);
}

// ssize_t gnutls_record_send(gnutls_session_t s, const void *data, size_t size), recv likewise.
SEC("uprobe")
int BPF_KPROBE(gnutls_send_entry, void *session, const void *data, __u64 size)
{
    return payload_call_start(PAYLOAD_FN_GNUTLS_RECORD_SEND, PAYLOAD_WRITE, PAYLOAD_GNUTLS, (__u64)session, data, 0, 0);
}

SEC("uprobe")
int BPF_KPROBE(gnutls_recv_entry, void *session, void *data, __u64 size)
{
    return payload_call_start(PAYLOAD_FN_GNUTLS_RECORD_RECV, PAYLOAD_READ, PAYLOAD_GNUTLS, (__u64)session, data, 0, 0);
}

// int gnutls_handshake(gnutls_session_t session)
SEC("uprobe")
int BPF_KPROBE(gnutls_handshake_entry, void *session)
{
    return payload_call_start(PAYLOAD_FN_GNUTLS_HANDSHAKE, PAYLOAD_HANDSHAKE, PAYLOAD_GNUTLS, (__u64)session, 0, 0, 1);
}

// One return probe for every function above: the entry recorded what the return needs.
SEC("uretprobe")
int BPF_KRETPROBE(tls_call_return, long rc)
{
    return payload_call_return(rc);
}

#endif
