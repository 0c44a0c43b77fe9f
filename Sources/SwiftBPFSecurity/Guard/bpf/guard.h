// SPDX-License-Identifier: GPL-2.0
// The layouts guard_kernel.bpf.c shares with Swift (GuardKernelObject, generated from this BTF).
#ifndef GUARD_H
#define GUARD_H

#define GUARD_MAX_RULES 128      /* the bits of struct guard_mask */
#define GUARD_COMM_LEN 16
#define GUARD_PATH_DEPTH 32        /* components walked per path (dentry -> root, across mounts) */
#define GUARD_NAME_MAX 256
#define GUARD_PATH_SIZE 4096       /* the resolved path region of data[] */
#define GUARD_STR_MASK 8191        /* strings start at (offset & mask) */
#define GUARD_STR_MAX 4096         /* one string read at most */
#define GUARD_DATA_SIZE 12288      /* >= GUARD_STR_MASK + GUARD_STR_MAX */
#define GUARD_KINDS 32
#define GUARD_FNV_OFFSET 0xcbf29ce484222325ULL   /* FNV-1a 64 of an argument (GuardArgumentHash) */
#define GUARD_FNV_PRIME 0x100000001b3ULL
#define GUARD_SOCKET_TYPE_KEY 0x10000   /* guard_socket_args: a type's key; a family's key is the family */

// Event kinds (GuardEventKind in Swift). A rule's `kinds` is a bit mask of (1 << kind).
enum guard_kind {
    GUARD_EXEC = 1, GUARD_EXIT = 2, GUARD_FORK = 3,
    GUARD_OPEN = 4, GUARD_UNLINK = 5, GUARD_RENAME = 6, GUARD_CHMOD = 7, GUARD_CHOWN = 8,
    GUARD_CONNECT = 9, GUARD_BIND = 10, GUARD_LISTEN = 11, GUARD_ACCEPT = 12,
    GUARD_SENDMSG = 13, GUARD_SOCKET = 14,
    GUARD_SETUID = 15, GUARD_SETGID = 16, GUARD_CAPSET = 17, GUARD_PTRACE = 18,
    GUARD_MODULE = 19, GUARD_BPF = 20, GUARD_MOUNT = 21,
    GUARD_DEVICE = 22,
};

enum guard_action { GUARD_NONE = 0, GUARD_ALERT = 1, GUARD_DENY = 2, GUARD_KILL = 3 };

// Event flags.
#define GUARD_F_FILELESS 0x1       /* the executed file has no link left (memfd, deleted) */
#define GUARD_F_FD_EXEC 0x2        /* exec through a file descriptor (fexecve, execveat) */
#define GUARD_F_SCRIPT 0x4         /* a #! script: the interpreter runs it */
#define GUARD_F_PATH_TRUNC 0x8     /* the resolved path was longer than captured */
#define GUARD_F_STR_TRUNC 0x10     /* argv or a string was longer than captured */
#define GUARD_F_WRITE 0x20         /* open for writing */
#define GUARD_F_CREATE 0x40        /* open with O_CREAT */
#define GUARD_F_LSM 0x80           /* decided in a BPF LSM hook, before the call */

// A set of rules: bit i is rule i (lo: rules 0-63, hi: rules 64-127).
struct guard_mask {
    __u64 lo;
    __u64 hi;
};

// Identity of a file: inode number and the kernel's dev_t of its super block (MKDEV: major << 20 | minor).
struct guard_file_id {
    __u64 ino;
    __u32 dev;
    __u32 pad;
};

// Which rules an inode selects (bit i: rule i), as binary, as parent binary, as path (itself or an ancestor directory).
struct guard_inode_rules {
    struct guard_mask binary;
    struct guard_mask parent;
    struct guard_mask path;
    struct guard_mask binary_except;  /* rules whose except_binary names it: a process running it is exempt */
    struct guard_mask path_except;    /* rules whose except_paths name it or a directory above: opens below are exempt */
};

// A directory as the path cache keys it: the mount it was reached through (its never-reused
// 64-bit id where the kernel has one, from 6.8; else its address, with the reusable int id) and
// the directory's inode (the mount fixes the super block).
struct guard_dir_key {
    __u64 mnt;
    __u64 ino;
    __s32 mnt_id;  /* 0 where mnt is the never-reused id */
    __u32 pad;
};

// The rules a directory and every directory above it (across mounts) select by path, as the
// walk found them in generation `gen` of the path cache.
struct guard_dir_rules {
    __u64 gen;
    __u32 dev;     /* the mount's device: the key of its files' own inodes */
    __u32 pad;
    struct guard_mask path;
    struct guard_mask except;
};

// A device condition: the type as the cgroup device hook gives it (BPF_DEVCG_DEV_BLOCK 1,
// BPF_DEVCG_DEV_CHAR 2) and the numbers, GUARD_DEVICE_ANY for "*".
#define GUARD_DEVICE_ANY 0xffffffff
struct guard_device_key {
    __u32 type;
    __u32 major;
    __u32 minor;
};

// The rules naming a device, by access: [0] mknod, [1] read, [2] write (the bit positions of
// BPF_DEVCG_ACC_MKNOD, _READ and _WRITE).
struct guard_device_rules {
    struct guard_mask access[3];
};

// The kernel's process cache entry, by tgid.
struct guard_proc {
    __u64 exe_ino;
    __u32 exe_dev;
    __u32 flags;          /* GUARD_F_FILELESS ... of its exec */
    struct guard_mask binary_rules;   /* rules whose binary selector names this process's binary */
    struct guard_mask parent_rules;   /* rules whose parent selector names its parent's binary */
    struct guard_mask binary_except;  /* rules that exempt this process's binary (except_binary) */
};

// One rule, as user space compiled it (the selectors the masks below do not cover).
struct guard_rule {
    __u32 kinds;          /* bit mask of (1 << guard_kind) */
    __u8 action;          /* guard_action */
    __u8 enforce;         /* 0: monitor (count and report only) */
    __u8 uid_count;       /* 0: any user */
    __u8 cgroup_level;    /* with cgroup_id: the ancestor level of the cgroup */
    __u32 uids[8];
    __u64 cgroup_id;      /* 0: any cgroup */
    char name[64];        /* the policy's rule name, for `guard status` */
};

// Masks that make the hot path a few ANDs.
struct guard_config {
    struct guard_mask kind_rules[GUARD_KINDS];   /* rules that match each kind */
    struct guard_mask nobinary_rules;            /* rules without a binary selector */
    struct guard_mask noparent_rules;
    struct guard_mask nopath_rules;
    struct guard_mask noport_rules;
    struct guard_mask noaddr_rules;
    struct guard_mask write_only_rules;          /* open rules for writes only */
    struct guard_mask fileless_rules;            /* rules selecting fileless executions */
    struct guard_mask args_rules;                /* exec rules with an argument condition */
    struct guard_mask lsm_rules;                 /* rules the BPF LSM programs decide (none without BPF LSM) */
    struct guard_mask except_peer_rules;         /* rules with except_peers: the peer tries are read for them */
    struct guard_mask nofamily_rules;            /* rules without a socket family condition */
    struct guard_mask notype_rules;              /* rules without a socket type condition */
    __u32 report_kinds;                          /* kinds reported even when no rule matches */
    __u32 self_tgid;                             /* guard itself: its bpf() calls are not reported */
    __u32 wakeup_bytes;                          /* records wake the consumer once this much waits (0: each) */
    __u32 pad;
};

struct guard_counter {
    __u64 matched;   /* events the rule matched (monitor and enforce) */
    __u64 acted;     /* of them, enforced (killed, denied) */
};

struct guard_lpm_key {
    __u32 prefixlen;
    __u8 addr[16];   /* IPv4 as ::ffff:a.b.c.d */
};

// An except_peers entry with a port: the port (network order) then the address, so one
// longest-prefix match covers "this port, an address in this range" (prefixlen = 16 + bits).
struct guard_peer_key {
    __u32 prefixlen;
    __u8 port[2];
    __u8 addr[16];   /* IPv4 as ::ffff:a.b.c.d */
};

struct guard_task {
    __u64 start_ns;          /* task start, ns since boot (start_boottime) */
    __u64 parent_start_ns;
    __u64 cgroup_id;
    __u64 exe_ino;
    __u32 exe_dev;
    __u32 pid;               /* tgid */
    __u32 tid;
    __u32 ppid;
    __u32 uid;
    __u32 gid;
    char comm[GUARD_COMM_LEN];
};

struct guard_event {
    __u64 timestamp_ns;
    __u32 kind;
    __u32 rule;              /* the deciding rule, 0xffffffff for none */
    __u8 action;             /* guard_action of that rule */
    __u8 enforced;           /* 1: done; 0: monitor mode, would have */
    __u16 flags;             /* GUARD_F_* */
    __s32 ret;               /* syscall result, or exit code */
    struct guard_task task;
    __u64 arg[4];            /* kind-specific numbers */
    __u64 obj_ino;           /* the file acted on (exec'd, opened) */
    __u32 obj_dev;
    __u16 family;
    __u16 port;              /* host order */
    __u8 addr[16];
    __u32 path_size;         /* data[0, path_size): resolved path, components leaf first, each NUL-ended */
    __u32 str_size;          /* data[path_size, +str_size): strings (exec: filename, interp, argv) */
    char data[GUARD_DATA_SIZE];
};

#endif
