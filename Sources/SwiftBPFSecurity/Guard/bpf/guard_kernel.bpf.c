// SPDX-License-Identifier: GPL-2.0
// swiftbpf guard: security events with the process's binary identity, matched against compiled
// policies in the kernel. Binaries and paths are matched by inode and device (resolved here from
// the file the kernel actually uses), never by the string the caller passed, so symlinks, hard
// links, renames, relative paths and exec through a descriptor cannot slip past a rule.
// Actions: alert (an event), kill (bpf_send_signal(SIGKILL) from the violating call's
// tracepoint: the process never returns to user space), deny (cgroup sock_addr/sock hooks
// return 0, the call fails with EPERM; exec, open, unlink, rename, chmod and chown through the
// BPF LSM hooks at the end of this file, where the kernel has BPF LSM). GPL: bpf_send_signal and bpf_probe_read_* are GPL-only.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "swiftbpf_ringbuf.h"
#include "guard.h"

// swiftbpf:record guard_event

#define SIGKILL 9
#define EPERM 1
#define FMODE_WRITE 0x2
#define FMODE_CREATED 0x100000
#define O_CREAT 0100
#define AF_INET 2
#define AF_INET6 10

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct guard_config);
} guard_config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, GUARD_MAX_RULES);
    __type(key, __u32);
    __type(value, struct guard_rule);
} guard_rules SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, GUARD_MAX_RULES);
    __type(key, __u32);
    __type(value, struct guard_counter);
} guard_counters SEC(".maps");

// Inodes named by the policies (binaries, parents, watched paths).
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, struct guard_file_id);
    __type(value, struct guard_inode_rules);
} guard_inodes SEC(".maps");

// Ports named by connect/bind rules (host order) -> rules.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u16);
    __type(value, struct guard_mask);
} guard_ports SEC(".maps");

// Ports named by except_ports (host order) -> rules that do not apply to them.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u16);
    __type(value, struct guard_mask);
} guard_port_except SEC(".maps");

// Address ranges -> rules (each entry holds the rules of its own and every enclosing range).
struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, 4096);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct guard_lpm_key);
    __type(value, struct guard_mask);
} guard_addrs SEC(".maps");

// except_peers with a port: (port, address range) -> rules that do not apply to it (each entry
// holds the rules of its own and every enclosing range of the same port).
struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, 4096);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct guard_peer_key);
    __type(value, struct guard_mask);
} guard_peer_except SEC(".maps");

// except_peers without a port: address range -> rules that do not apply to it, on any port.
struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, 4096);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct guard_lpm_key);
    __type(value, struct guard_mask);
} guard_addr_except SEC(".maps");

// Socket conditions: a family (AF_*) or GUARD_SOCKET_TYPE_KEY | a type (SOCK_*) -> rules naming it.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, struct guard_mask);
} guard_socket_args SEC(".maps");

// Device conditions: (type, major or any, minor or any) -> rules, by access.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, struct guard_device_key);
    __type(value, struct guard_device_rules);
} guard_devices SEC(".maps");

// Exec argument conditions: FNV-1a 64 hash of one whole argument (argv[1] on) -> rules.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, __u64);
    __type(value, struct guard_mask);
} guard_args SEC(".maps");

// The process cache: tgid -> binary and rule masks. Filled at exec and fork, on first sight of a
// process that predates guard, and seeded by user space from /proc; removed at exit.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u32);
    __type(value, struct guard_proc);
} guard_procs SEC(".maps");

// The path cache: per directory (and the mount it was reached through), the path rules of it
// and every directory above it, so that an open in a known directory costs one lookup instead
// of a walk to the root. LRU: a full cache forgets the least used directory, never an answer.
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16384);
    __type(key, struct guard_dir_key);
    __type(value, struct guard_dir_rules);
} guard_dirs SEC(".maps");

// The path cache's generation: an entry counts only when made in the current one. Bumped at
// the entry and the exit of each call that can change which directories lie above another or
// give a directory inode a new place (rename, mkdir, mount, umount, move_mount, pivot_root):
// a walk racing such a call is tagged with the generation read before the walk, which the
// call's exit bump retires, and no entry made before the call survives its entry bump.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} guard_dir_gen SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct guard_event);
} guard_scratch SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} guard_dropped SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4 * 1024 * 1024);
} guard_events SEC(".maps");

static __always_inline struct guard_config *guard_cfg(void)
{
    __u32 zero = 0;
    return bpf_map_lookup_elem(&guard_config, &zero);
}

static __always_inline int reported(struct guard_config *cfg, __u32 kind)
{
    return (cfg->report_kinds >> kind) & 1;
}

// --- rule sets (struct guard_mask: two words, so 128 rules) ------------------------------------

static __always_inline struct guard_mask m_and(struct guard_mask a, struct guard_mask b)
{
    return (struct guard_mask){ .lo = a.lo & b.lo, .hi = a.hi & b.hi };
}

static __always_inline struct guard_mask m_or(struct guard_mask a, struct guard_mask b)
{
    return (struct guard_mask){ .lo = a.lo | b.lo, .hi = a.hi | b.hi };
}

// a without the rules of b.
static __always_inline struct guard_mask m_minus(struct guard_mask a, struct guard_mask b)
{
    return (struct guard_mask){ .lo = a.lo & ~b.lo, .hi = a.hi & ~b.hi };
}

static __always_inline int m_any(struct guard_mask a)
{
    return (a.lo | a.hi) != 0;
}

static __always_inline int m_has(struct guard_mask a, __u32 i)
{
    __u64 word = i < 64 ? a.lo : a.hi;
    return (word >> (i & 63)) & 1;
}

// --- files ----------------------------------------------------------------------------------

static __always_inline __u32 dev_of(struct super_block *sb)
{
    return BPF_CORE_READ(sb, s_dev);
}

static __always_inline struct mount *real_mount_of(struct vfsmount *vfs)
{
    return (struct mount *)((void *)vfs - bpf_core_field_offset(struct mount, mnt));
}

// Rules whose path selector names `dentry` or a directory above it, walking dentries to the
// root and across mount points, so that any name that reaches the inode is covered.
static __always_inline struct guard_mask walk_path_rules(struct dentry *dentry, struct mount *mnt, struct guard_mask *except)
{
    struct guard_mask rules = {};
    *except = (struct guard_mask){};
    // Per mount, not per component: every dentry reached inside a mount is on its super block
    // (a bind mount shares it), and the mount's root ends the walk inside it.
    __u32 dev = dev_of(BPF_CORE_READ(mnt, mnt.mnt_sb));
    struct dentry *root = BPF_CORE_READ(mnt, mnt.mnt_root);
    for (int i = 0; i < GUARD_PATH_DEPTH; i++) {
        struct guard_file_id id = {};
        id.ino = BPF_CORE_READ(dentry, d_inode, i_ino);
        id.dev = dev;
        struct guard_inode_rules *r = bpf_map_lookup_elem(&guard_inodes, &id);
        if (r) {
            rules = m_or(rules, r->path);
            *except = m_or(*except, r->path_except);
        }
        struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
        if (dentry == root || dentry == parent) {
            struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
            if (up == mnt)
                break;
            dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
            mnt = up;
            dev = dev_of(BPF_CORE_READ(mnt, mnt.mnt_sb));
            root = BPF_CORE_READ(mnt, mnt.mnt_root);
            continue;
        }
        dentry = parent;
    }
    return rules;
}

static __always_inline void bump_dir_gen(void)
{
    __u32 zero = 0;
    __u64 *gen = bpf_map_lookup_elem(&guard_dir_gen, &zero);
    if (gen)
        __sync_fetch_and_add(gen, 1);
}

// The same answer as walk_path_rules, with the walk above the file's directory taken from the
// path cache: the file's own inode is looked up every time (hard links give one inode several
// directories), its directory's answer once per directory, mount and generation.
static __always_inline struct guard_mask path_rules_of(struct dentry *dentry, struct vfsmount *vfs, struct guard_mask *except)
{
    struct mount *mnt = real_mount_of(vfs);
    struct dentry *dir = BPF_CORE_READ(dentry, d_parent);
    __u32 zero = 0;
    __u64 *genp = bpf_map_lookup_elem(&guard_dir_gen, &zero);
    // A mount's root has its directory in another mount: walked, not cached (rare).
    if (!genp || dentry == dir || dentry == BPF_CORE_READ(vfs, mnt_root))
        return walk_path_rules(dentry, mnt, except);
    // Read before the walk: a walk racing a rename is stored under the generation the rename's
    // exit bump retires.
    __u64 gen = *(volatile __u64 *)genp;
    struct guard_dir_key key = {};
    key.ino = BPF_CORE_READ(dir, d_inode, i_ino);
    if (bpf_core_field_exists(mnt->mnt_id_unique)) {
        key.mnt = BPF_CORE_READ(mnt, mnt_id_unique);
    } else {
        key.mnt = (__u64)(unsigned long)mnt;
        key.mnt_id = BPF_CORE_READ(mnt, mnt_id);
    }
    struct guard_dir_rules *cached = bpf_map_lookup_elem(&guard_dirs, &key);
    struct guard_dir_rules fresh = {};
    if (cached && cached->gen == gen) {
        fresh = *cached;
    } else {
        fresh.gen = gen;
        fresh.dev = dev_of(BPF_CORE_READ(vfs, mnt_sb));
        fresh.path = walk_path_rules(dir, mnt, &fresh.except);
        bpf_map_update_elem(&guard_dirs, &key, &fresh, BPF_ANY);
    }
    // The file itself, on the mount's device (the same for every dentry of the mount).
    struct guard_file_id id = {};
    id.ino = BPF_CORE_READ(dentry, d_inode, i_ino);
    id.dev = fresh.dev;
    struct guard_inode_rules *own = bpf_map_lookup_elem(&guard_inodes, &id);
    *except = fresh.except;
    if (!own)
        return fresh.path;
    *except = m_or(*except, own->path_except);
    return m_or(fresh.path, own->path);
}

struct path_walk {
    struct dentry *dentry;
    struct mount *mnt;
    struct guard_event *e;
    __u32 off;
};

// One step of put_path, as a bpf_loop callback (a plain loop with a data-dependent offset gives
// the verifier more states than it allows): one component, or one mount crossed.
static long put_path_step(__u32 i, struct path_walk *w)
{
    // Locals: CO-RE relocations must not reach into path_walk, which the kernel's BTF lacks.
    struct dentry *dentry = w->dentry;
    struct mount *mnt = w->mnt;
    struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
    struct dentry *root = BPF_CORE_READ(mnt, mnt.mnt_root);
    if (dentry == root || dentry == parent) {
        struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
        if (up == mnt)
            return 1;
        w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
        w->mnt = up;
        return 0;
    }
    __u32 off = w->off;
    if (off > GUARD_PATH_SIZE - GUARD_NAME_MAX) {
        w->e->flags |= GUARD_F_PATH_TRUNC;
        return 1;
    }
    const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
    long n = bpf_probe_read_kernel_str(&w->e->data[off & (GUARD_PATH_SIZE - 1)], GUARD_NAME_MAX, name);
    if (n <= 0)
        return 1;
    w->off = off + n;
    w->dentry = parent;
    return 0;
}

// Writes the file's full path into e->data, components leaf first, each ending in NUL, walking
// dentries to the root and across mount points; returns the size.
static __always_inline __u32 put_path(struct guard_event *e, struct dentry *dentry, struct vfsmount *vfs)
{
    struct path_walk w = { .dentry = dentry, .mnt = real_mount_of(vfs), .e = e, .off = 0 };
    long steps = bpf_loop(GUARD_PATH_DEPTH, put_path_step, &w, 0);
    if (steps >= GUARD_PATH_DEPTH)
        e->flags |= GUARD_F_PATH_TRUNC;
    return w.off;
}

static __always_inline __u32 put_file_path(struct guard_event *e, struct file *file)
{
    return put_path(e, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt));
}

// Appends a kernel or user string at e->data[off]; returns the new offset.
static __always_inline __u32 put_str(struct guard_event *e, __u32 off, const char *s, int user)
{
    if (off > GUARD_STR_MASK)
        return off;
    long n = user ? bpf_probe_read_user_str(&e->data[off & GUARD_STR_MASK], GUARD_NAME_MAX, s)
                  : bpf_probe_read_kernel_str(&e->data[off & GUARD_STR_MASK], GUARD_NAME_MAX, s);
    if (n <= 0) {
        e->data[off & GUARD_STR_MASK] = 0;
        n = 1;
    }
    return off + n;
}

static __always_inline struct file *exe_file_of(struct task_struct *t)
{
    return BPF_CORE_READ(t, mm, exe_file);
}

static __always_inline void file_id_of(struct file *f, struct guard_file_id *id)
{
    id->ino = BPF_CORE_READ(f, f_inode, i_ino);
    id->dev = dev_of(BPF_CORE_READ(f, f_inode, i_sb));
}

// --- processes ------------------------------------------------------------------------------

static __always_inline void fill_proc(struct guard_proc *p, struct guard_config *cfg, struct guard_file_id *exe,
                                      __u32 flags, struct guard_file_id *parent_exe)
{
    p->exe_ino = exe->ino;
    p->exe_dev = exe->dev;
    p->flags = flags;
    p->binary_rules = (struct guard_mask){};
    p->parent_rules = (struct guard_mask){};
    p->binary_except = (struct guard_mask){};
    struct guard_inode_rules *r = bpf_map_lookup_elem(&guard_inodes, exe);
    if (r) {
        p->binary_rules = r->binary;
        p->binary_except = r->binary_except;
    }
    if (flags & GUARD_F_FILELESS)
        p->binary_rules = m_or(p->binary_rules, cfg->fileless_rules);
    r = bpf_map_lookup_elem(&guard_inodes, parent_exe);
    if (r)
        p->parent_rules = r->parent;
}

// The cache entry of the current process, made from its task on first sight.
static __always_inline struct guard_proc *current_proc(struct guard_config *cfg)
{
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    struct guard_proc *p = bpf_map_lookup_elem(&guard_procs, &tgid);
    if (p)
        return p;
    struct task_struct *t = (struct task_struct *)bpf_get_current_task();
    struct guard_file_id exe = {}, parent = {};
    struct file *f = exe_file_of(t);
    if (f)
        file_id_of(f, &exe);
    f = exe_file_of(BPF_CORE_READ(t, real_parent));
    if (f)
        file_id_of(f, &parent);
    struct guard_proc fresh = {};
    fill_proc(&fresh, cfg, &exe, 0, &parent);
    bpf_map_update_elem(&guard_procs, &tgid, &fresh, BPF_NOEXIST);
    return bpf_map_lookup_elem(&guard_procs, &tgid);
}

static __always_inline void fill_task(struct guard_task *out, struct task_struct *t, struct guard_proc *p)
{
    struct task_struct *parent = BPF_CORE_READ(t, real_parent);
    out->start_ns = BPF_CORE_READ(t, start_boottime);
    out->parent_start_ns = BPF_CORE_READ(parent, start_boottime);
    out->cgroup_id = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
    out->pid = BPF_CORE_READ(t, tgid);
    out->tid = BPF_CORE_READ(t, pid);
    out->ppid = BPF_CORE_READ(parent, tgid);
    out->uid = BPF_CORE_READ(t, cred, uid.val);
    out->gid = BPF_CORE_READ(t, cred, gid.val);
    BPF_CORE_READ_STR_INTO(&out->comm, t, comm);
    if (p) {
        out->exe_ino = p->exe_ino;
        out->exe_dev = p->exe_dev;
    } else {
        out->exe_ino = 0;
        out->exe_dev = 0;
    }
}

static __always_inline struct guard_event *new_event(__u32 kind, struct task_struct *t, struct guard_proc *p)
{
    __u32 zero = 0;
    struct guard_event *e = bpf_map_lookup_elem(&guard_scratch, &zero);
    if (!e)
        return 0;
    e->timestamp_ns = bpf_ktime_get_ns();
    e->kind = kind;
    e->rule = 0xffffffff;
    e->action = GUARD_NONE;
    e->enforced = 0;
    e->flags = 0;
    e->ret = 0;
    fill_task(&e->task, t, p);
    e->arg[0] = e->arg[1] = e->arg[2] = e->arg[3] = 0;
    e->obj_ino = 0;
    e->obj_dev = 0;
    e->family = 0;
    e->port = 0;
    __builtin_memset(e->addr, 0, sizeof(e->addr));
    e->path_size = 0;
    e->str_size = 0;
    return e;
}

// Events are read by a consumer that polls at least every quarter second, so a record wakes
// it only once cfg->wakeup_bytes (an eighth of the ring) wait (swiftbpf_ringbuf.h): a steady
// stream of execs costs a wakeup per batch, not one per event, and a burst still wakes it long
// before the ring fills. Actions never wait for the consumer: kill and deny happen here.
static __always_inline void submit(struct guard_event *e)
{
    __u64 size = e->path_size + e->str_size;
    if (size > GUARD_DATA_SIZE)
        size = GUARD_DATA_SIZE;
    struct guard_config *cfg = guard_cfg();
    __u64 flags = ringbuf_wakeup_flags(&guard_events, cfg ? cfg->wakeup_bytes : 0);
    if (bpf_ringbuf_output(&guard_events, e, __builtin_offsetof(struct guard_event, data) + size, flags)) {
        __u32 zero = 0;
        __u64 *d = bpf_map_lookup_elem(&guard_dropped, &zero);
        if (d)
            __sync_fetch_and_add(d, 1);
    }
}

// --- rules ----------------------------------------------------------------------------------

// Rules of `kind` whose binary and parent selectors admit the process.
static __always_inline struct guard_mask selected(struct guard_config *cfg, __u32 kind, struct guard_proc *p)
{
    struct guard_mask none = {};
    if (kind >= GUARD_KINDS)
        return none;
    struct guard_mask rules = cfg->kind_rules[kind];
    if (!m_any(rules))
        return none;
    struct guard_mask bin = cfg->nobinary_rules, parent = cfg->noparent_rules;
    if (p) {
        bin = m_or(bin, p->binary_rules);
        parent = m_or(parent, p->parent_rules);
        rules = m_minus(rules, p->binary_except);
    }
    return m_and(rules, m_and(bin, parent));
}

// selected() for the tracepoints: without the rules the BPF LSM programs decide (they see the
// call first, and a call they refuse never reaches its exit tracepoint).
static __always_inline struct guard_mask candidates(struct guard_config *cfg, __u32 kind, struct guard_proc *p)
{
    return m_minus(selected(cfg, kind, p), cfg->lsm_rules);
}

struct decision {
    struct guard_mask rules;
    __u32 uid;
    __u32 rule;
    __u8 action;
    __u8 enforce;
};

// One rule of decide(), as a bpf_loop callback: the verifier checks the body once instead of
// unrolling 128 rules (with 8 users each) into more states than it allows.
static long decide_one(__u32 i, struct decision *d)
{
    if (i >= GUARD_MAX_RULES)
        return 1;
    if (!m_has(d->rules, i))
        return 0;
    __u32 key = i;
    struct guard_rule *r = bpf_map_lookup_elem(&guard_rules, &key);
    if (!r)
        return 0;
    if (r->uid_count) {
        int ok = 0;
        for (int j = 0; j < 8; j++) {
            if (j < r->uid_count && r->uids[j] == d->uid)
                ok = 1;
        }
        if (!ok)
            return 0;
    }
    if (r->cgroup_id && bpf_get_current_ancestor_cgroup_id(r->cgroup_level) != r->cgroup_id)
        return 0;
    struct guard_counter *c = bpf_map_lookup_elem(&guard_counters, &key);
    if (c) {
        c->matched++;
        if (r->enforce && r->action != GUARD_ALERT)
            c->acted++;
    }
    if (d->rule == 0xffffffff || r->enforce > d->enforce || (r->enforce == d->enforce && r->action > d->action)) {
        d->rule = i;
        d->action = r->action;
        d->enforce = r->enforce;
    }
    return 0;
}

// Checks the remaining selectors (user, cgroup) of each candidate rule, counts every match, and
// picks the strongest: enforced before monitored, then kill > deny > alert.
static __always_inline void decide(struct guard_mask rules, struct decision *d)
{
    d->rules = rules;
    d->rule = 0xffffffff;
    d->action = GUARD_NONE;
    d->enforce = 0;
    if (!m_any(rules))
        return;
    d->uid = (__u32)bpf_get_current_uid_gid();
    // Rules 64-127 only cost their iterations when one of them is a candidate.
    bpf_loop(rules.hi ? GUARD_MAX_RULES : 64, decide_one, d, 0);
}

// Applies a decision from a cgroup hook that refuses by its return value (sock_create, device):
// records it in `e` when there is one and returns the hook's verdict (0: the call fails with
// EPERM, 1: it goes on). The verdict does not depend on the event.
static __always_inline int hook_verdict(struct guard_event *e, struct decision *d)
{
    int deny = d->enforce && d->action == GUARD_DENY;
    if (e) {
        e->rule = d->rule;
        e->action = d->action;
        e->enforced = deny;
        e->ret = deny ? -EPERM : 0;
    }
    return deny ? 0 : 1;
}

// Applies a decision from a tracepoint: SIGKILL now, so the task never returns to user space.
static __always_inline void enforce_in_tracepoint(struct guard_event *e, struct decision *d)
{
    e->rule = d->rule;
    e->action = d->action;
    e->enforced = d->enforce;
    if (d->enforce && d->action == GUARD_KILL)
        bpf_send_signal(SIGKILL);
}

// --- exec arguments -------------------------------------------------------------------------

struct args_walk {
    struct guard_event *e;
    __u32 start;
    __u32 end;
    __u64 hash;
    struct guard_mask rules;
};

// argv[0] is the caller's to choose and is not matched: stops at its NUL, so that bpf_loop's
// count (iterations, the stopping one included) is argv[0]'s size and argv[1] starts after it.
static long argv0_step(__u32 i, struct args_walk *w)
{
    __u32 pos = w->start + i;
    if (pos >= w->end)
        return 1;
    return w->e->data[pos & GUARD_STR_MASK] == 0;
}

// One byte of argv[1...] (NUL-separated in e->data), as a bpf_loop callback: hashes each argument
// and, at its end, ORs in the rules whose argument condition names it.
// No "past argv[0]" flag in the walk state: verifiers before 6.8 check a bpf_loop callback once,
// with the state the caller set up, so a branch on a flag the caller initialised to 0 is seen as
// never taken and removed as dead code (6.1: the lookup never ran and no argument ever matched).
static long args_step(__u32 i, struct args_walk *w)
{
    __u32 pos = w->start + i;
    if (pos >= w->end)
        return 1;
    unsigned char c = w->e->data[pos & GUARD_STR_MASK];
    if (c) {
        w->hash = (w->hash ^ c) * GUARD_FNV_PRIME;
        return 0;
    }
    __u64 h = w->hash;
    struct guard_mask *m = bpf_map_lookup_elem(&guard_args, &h);
    if (m)
        w->rules = m_or(w->rules, *m);
    w->hash = GUARD_FNV_OFFSET;
    return 0;
}

// Keeps of `rules` those without an argument condition, and those whose condition one of the
// arguments in e->data[start, end) (argv[1] on) meets.
static __always_inline struct guard_mask args_filter(struct guard_config *cfg, struct guard_mask rules, struct guard_event *e,
                                                     __u32 start, __u32 end)
{
    if (!m_any(m_and(rules, cfg->args_rules)))
        return rules;
    struct args_walk w = { .e = e, .start = start, .end = end, .hash = GUARD_FNV_OFFSET };
    long argv0 = bpf_loop(GUARD_STR_MAX, argv0_step, &w, 0);
    if (argv0 > 0 && argv0 <= GUARD_STR_MAX) {
        w.start = start + (__u32)argv0;
        bpf_loop(GUARD_STR_MAX, args_step, &w, 0);
    }
    return m_or(m_minus(rules, cfg->args_rules), m_and(rules, w.rules));
}

// --- process lifecycle ----------------------------------------------------------------------

SEC("tp_btf/sched_process_exec")
int BPF_PROG(guard_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
    struct guard_config *cfg = guard_cfg();
    if (!cfg)
        return 0;
    __u32 tgid = BPF_CORE_READ(p, tgid);
    struct file *file = BPF_CORE_READ(bprm, file);
    struct guard_file_id exe = {}, parent = {};
    file_id_of(file, &exe);
    struct file *pf = exe_file_of(BPF_CORE_READ(p, real_parent));
    if (pf)
        file_id_of(pf, &parent);
    __u32 flags = 0;
    if (BPF_CORE_READ(file, f_inode, __i_nlink) == 0)
        flags |= GUARD_F_FILELESS;
    const char *filename = BPF_CORE_READ(bprm, filename);
    const char *interp = BPF_CORE_READ(bprm, interp);
    if (filename != interp)
        flags |= GUARD_F_SCRIPT;
    char head[9] = {};
    bpf_probe_read_kernel_str(head, sizeof(head), filename);
    if (head[0] == '/' && head[1] == 'd' && head[2] == 'e' && head[3] == 'v' && head[4] == '/' &&
        head[5] == 'f' && head[6] == 'd' && head[7] == '/')
        flags |= GUARD_F_FD_EXEC;

    struct guard_proc fresh = {};
    fill_proc(&fresh, cfg, &exe, flags, &parent);
    bpf_map_update_elem(&guard_procs, &tgid, &fresh, BPF_ANY);

    struct guard_event *e = new_event(GUARD_EXEC, p, &fresh);
    if (!e)
        return 0;
    e->flags = flags;
    e->arg[0] = old_pid;
    e->obj_ino = exe.ino;
    e->obj_dev = exe.dev;
    e->path_size = put_file_path(e, file);
    // Strings: the filename as passed, the interpreter (for scripts), then argv as it is in the new image.
    __u32 off = e->path_size;
    off = put_str(e, off, filename, 0);
    if (flags & GUARD_F_SCRIPT) {
        off = put_str(e, off, interp, 0);
    } else if (off <= GUARD_STR_MASK) {
        e->data[off & GUARD_STR_MASK] = 0;
        off += 1;
    }
    unsigned long start = BPF_CORE_READ(p, mm, arg_start), end = BPF_CORE_READ(p, mm, arg_end);
    __u64 len = end - start;
    if (len >= GUARD_STR_MAX) {
        len = GUARD_STR_MAX - 1;
        e->flags |= GUARD_F_STR_TRUNC;
    }
    __u32 argv_start = off;
    if (off <= GUARD_STR_MASK && bpf_probe_read_user(&e->data[off & GUARD_STR_MASK], len & (GUARD_STR_MAX - 1), (void *)start) == 0)
        off += len & (GUARD_STR_MAX - 1);
    e->str_size = off - e->path_size;
    // Decided once argv is in hand (argument conditions); SIGKILL still lands before the new
    // image runs a single instruction of its own.
    struct decision d;
    decide(args_filter(cfg, candidates(cfg, GUARD_EXEC, &fresh), e, argv_start, off), &d);
    enforce_in_tracepoint(e, &d);
    if (d.rule != 0xffffffff || reported(cfg, GUARD_EXEC))
        submit(e);
    return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(guard_fork, struct task_struct *parent, struct task_struct *child)
{
    struct guard_config *cfg = guard_cfg();
    if (!cfg)
        return 0;
    __u32 tgid = BPF_CORE_READ(child, tgid);
    if (BPF_CORE_READ(child, pid) != tgid)
        return 0;  // a new thread, not a process
    struct guard_proc *pp = current_proc(cfg);
    struct guard_proc fresh = {};
    if (pp) {
        // The child runs its parent's binary, and its parent is that same binary.
        struct guard_file_id exe = { .ino = pp->exe_ino, .dev = pp->exe_dev };
        fill_proc(&fresh, cfg, &exe, pp->flags, &exe);
        fresh.binary_rules = pp->binary_rules;
    }
    bpf_map_update_elem(&guard_procs, &tgid, &fresh, BPF_ANY);
    if (!reported(cfg, GUARD_FORK))
        return 0;
    struct guard_event *e = new_event(GUARD_FORK, child, &fresh);
    if (!e)
        return 0;
    // comm, uid and the parent are the forking task's: the child's fields are not all set yet.
    e->task.ppid = BPF_CORE_READ(parent, tgid);
    e->task.parent_start_ns = BPF_CORE_READ(parent, start_boottime);
    BPF_CORE_READ_STR_INTO(&e->task.comm, parent, comm);
    e->arg[0] = BPF_CORE_READ(parent, pid);
    submit(e);
    return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(guard_exit, struct task_struct *p)
{
    struct guard_config *cfg = guard_cfg();
    if (!cfg)
        return 0;
    // Only the last thread of the process: signal->live has dropped to zero.
    if (BPF_CORE_READ(p, signal, live.counter) != 0)
        return 0;
    __u32 tgid = BPF_CORE_READ(p, tgid);
    struct guard_proc *pp = bpf_map_lookup_elem(&guard_procs, &tgid);
    if (reported(cfg, GUARD_EXIT)) {
        struct guard_event *e = new_event(GUARD_EXIT, p, pp);
        if (e) {
            e->ret = BPF_CORE_READ(p, exit_code);
            e->arg[0] = BPF_CORE_READ(p, signal, group_exit_code);
            submit(e);
        }
    }
    bpf_map_delete_elem(&guard_procs, &tgid);
    return 0;
}

// --- files ----------------------------------------------------------------------------------

// Opens are seen once, at exit, from the file the new descriptor holds: its mode says whether
// it is open for writing and whether this open created it (no entry program, so an open costs
// one tracepoint run, not two and a map entry per call in flight).
static __always_inline int open_exit(long ret)
{
    struct guard_config *cfg = guard_cfg();
    if (!cfg || ret < 0 || (!m_any(cfg->kind_rules[GUARD_OPEN]) && !reported(cfg, GUARD_OPEN)))
        return 0;
    // Direct loads through the task's BTF pointer; the descriptor table's slot is read as a probe.
    struct task_struct *t = bpf_get_current_task_btf();
    struct file **fds = t->files->fdt->fd;
    struct file *file = 0;
    bpf_probe_read_kernel(&file, sizeof(file), &fds[ret]);
    if (!file)
        return 0;
    __u32 mode = BPF_CORE_READ(file, f_mode);
    int write = (mode & FMODE_WRITE) != 0;
    // Path conditions first: an open no rule's path covers needs no process lookup.
    struct guard_mask rules = m_minus(cfg->kind_rules[GUARD_OPEN], cfg->lsm_rules);
    if (!write)
        rules = m_minus(rules, cfg->write_only_rules);
    struct path fpath;
    BPF_CORE_READ_INTO(&fpath, file, f_path);  // the mount and the dentry in one read
    struct dentry *dentry = fpath.dentry;
    struct vfsmount *mnt = fpath.mnt;
    if (m_any(rules)) {
        // The walk also collects except_paths exemptions, so it runs for any candidate rule.
        struct guard_mask except;
        struct guard_mask on_path = path_rules_of(dentry, mnt, &except);
        rules = m_minus(m_and(rules, m_or(on_path, cfg->nopath_rules)), except);
    }
    if (!m_any(rules) && !reported(cfg, GUARD_OPEN))
        return 0;
    struct guard_proc *p = current_proc(cfg);
    rules = m_and(rules, candidates(cfg, GUARD_OPEN, p));
    struct decision d;
    decide(rules, &d);
    if (d.rule == 0xffffffff && !reported(cfg, GUARD_OPEN))
        return 0;
    struct guard_event *e = new_event(GUARD_OPEN, t, p);
    if (!e)
        return 0;
    enforce_in_tracepoint(e, &d);
    e->ret = ret;
    // The kernel keeps the open flags without O_CREAT, O_EXCL, O_NOCTTY and O_TRUNC; O_CREAT
    // is put back when this open created the file (FMODE_CREATED).
    __u32 flags = BPF_CORE_READ(file, f_flags);
    if (mode & FMODE_CREATED) {
        flags |= O_CREAT;
        e->flags |= GUARD_F_CREATE;
    }
    e->arg[0] = flags;
    if (write)
        e->flags |= GUARD_F_WRITE;
    struct guard_file_id id = {};
    file_id_of(file, &id);
    e->obj_ino = id.ino;
    e->obj_dev = id.dev;
    e->path_size = put_path(e, dentry, mnt);
    submit(e);
    return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int guard_exit_openat(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_exit_open")
int guard_exit_open(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_exit_creat")
int guard_exit_creat(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_exit_openat2")
int guard_exit_openat2(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx->ret); }

// Calls reported from their entry, with the caller's arguments: path strings as passed (user
// space resolves them against the process's cwd for display), numbers as given. A kill from
// here lands before the task returns to user space; the call itself still runs (only the BPF
// LSM can refuse it, where the kernel has one).
static __always_inline int syscall_event(__u32 kind, __u64 a0, __u64 a1, __u64 a2, const char *s1, const char *s2)
{
    struct guard_config *cfg = guard_cfg();
    if (!cfg)
        return 0;
    if (!m_any(cfg->kind_rules[kind]) && !reported(cfg, kind))
        return 0;
    if (kind == GUARD_BPF && (bpf_get_current_pid_tgid() >> 32) == cfg->self_tgid)
        return 0;
    struct guard_proc *p = current_proc(cfg);
    struct guard_mask rules = candidates(cfg, kind, p);
    // Path and port conditions apply to opens and sockets only; here a rule needs none.
    rules = m_and(rules, m_and(cfg->nopath_rules, m_and(cfg->noport_rules, cfg->noaddr_rules)));
    struct decision d;
    decide(rules, &d);
    if (d.rule == 0xffffffff && !reported(cfg, kind))
        return 0;
    struct guard_event *e = new_event(kind, (struct task_struct *)bpf_get_current_task(), p);
    if (!e)
        return 0;
    enforce_in_tracepoint(e, &d);
    e->arg[0] = a0;
    e->arg[1] = a1;
    e->arg[2] = a2;
    __u32 off = 0;
    if (s1)
        off = put_str(e, off, s1, 1);
    if (s2)
        off = put_str(e, off, s2, 1);
    e->str_size = off;
    submit(e);
    return 0;
}

#define ARG(i) (ctx->args[i])

// --- socket creation: AF_INET/AF_INET6 in the cgroup sock_create hook (which can deny), every
// other family at the socket() tracepoint (which can kill); each call is decided once ----------

// The rules whose families and types conditions admit this socket.
static __always_inline struct guard_mask socket_rules(struct guard_config *cfg, struct guard_mask rules, __u32 family, __u32 type)
{
    __u32 key = family;
    struct guard_mask *f = bpf_map_lookup_elem(&guard_socket_args, &key);
    rules = m_and(rules, f ? m_or(*f, cfg->nofamily_rules) : cfg->nofamily_rules);
    key = GUARD_SOCKET_TYPE_KEY | type;
    struct guard_mask *t = bpf_map_lookup_elem(&guard_socket_args, &key);
    return m_and(rules, t ? m_or(*t, cfg->notype_rules) : cfg->notype_rules);
}

SEC("tracepoint/syscalls/sys_enter_socket")
int guard_socket(struct trace_event_raw_sys_enter *ctx)
{
    __u32 family = ARG(0), type = ARG(1) & 0xf;   /* SOCK_TYPE_MASK: without SOCK_NONBLOCK, SOCK_CLOEXEC */
    if (family == AF_INET || family == AF_INET6)
        return 0;
    struct guard_config *cfg = guard_cfg();
    if (!cfg)
        return 0;
    if (!m_any(cfg->kind_rules[GUARD_SOCKET]) && !reported(cfg, GUARD_SOCKET))
        return 0;
    struct guard_proc *p = current_proc(cfg);
    struct guard_mask rules = socket_rules(cfg, candidates(cfg, GUARD_SOCKET, p), family, type);
    struct decision d;
    decide(rules, &d);
    if (d.rule == 0xffffffff && !reported(cfg, GUARD_SOCKET))
        return 0;
    struct guard_event *e = new_event(GUARD_SOCKET, (struct task_struct *)bpf_get_current_task(), p);
    if (!e)
        return 0;
    enforce_in_tracepoint(e, &d);
    e->family = family;
    e->arg[0] = family;
    e->arg[1] = type;
    e->arg[2] = ARG(2);
    submit(e);
    return 0;
}

// BPF_CGROUP_INET_SOCK_CREATE: inet_create/inet6_create run it for user sockets; 0 fails socket() with EPERM.
SEC("cgroup/sock_create")
int guard_sock_create(struct bpf_sock *ctx)
{
    struct guard_config *cfg = guard_cfg();
    if (!cfg)
        return 1;
    if (!m_any(cfg->kind_rules[GUARD_SOCKET]) && !reported(cfg, GUARD_SOCKET))
        return 1;
    __u32 family = ctx->family, type = ctx->type, protocol = ctx->protocol;
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    struct guard_proc *p = bpf_map_lookup_elem(&guard_procs, &tgid);
    struct guard_mask rules = socket_rules(cfg, selected(cfg, GUARD_SOCKET, p), family, type);
    struct decision d;
    decide(rules, &d);
    if (d.rule == 0xffffffff && !reported(cfg, GUARD_SOCKET))
        return 1;
    struct guard_event *e = new_event(GUARD_SOCKET, (struct task_struct *)bpf_get_current_task(), p);
    int verdict = hook_verdict(e, &d);
    if (e) {
        e->family = family;
        e->arg[0] = family;
        e->arg[1] = type;
        e->arg[2] = protocol;
        submit(e);
    }
    return verdict;
}

SEC("tracepoint/syscalls/sys_enter_unlinkat")
int guard_unlinkat(struct trace_event_raw_sys_enter *ctx) { return syscall_event(GUARD_UNLINK, ARG(0), ARG(2), 0, (const char *)ARG(1), 0); }

SEC("tracepoint/syscalls/sys_enter_renameat2")
int guard_renameat2(struct trace_event_raw_sys_enter *ctx)
{
    bump_dir_gen();
    return syscall_event(GUARD_RENAME, ARG(0), ARG(2), ARG(4), (const char *)ARG(1), (const char *)ARG(3));
}

SEC("tracepoint/syscalls/sys_enter_fchmodat")
int guard_fchmodat(struct trace_event_raw_sys_enter *ctx) { return syscall_event(GUARD_CHMOD, ARG(0), ARG(2), 0, (const char *)ARG(1), 0); }

SEC("tracepoint/syscalls/sys_enter_fchownat")
int guard_fchownat(struct trace_event_raw_sys_enter *ctx) { return syscall_event(GUARD_CHOWN, ARG(0), ARG(2), ARG(3), (const char *)ARG(1), 0); }

SEC("tracepoint/syscalls/sys_enter_setuid")
int guard_setuid(struct trace_event_raw_sys_enter *ctx) { return syscall_event(GUARD_SETUID, ARG(0), (__u32)-1, (__u32)-1, 0, 0); }

SEC("tracepoint/syscalls/sys_enter_setreuid")
int guard_setreuid(struct trace_event_raw_sys_enter *ctx) { return syscall_event(GUARD_SETUID, ARG(0), ARG(1), (__u32)-1, 0, 0); }

SEC("tracepoint/syscalls/sys_enter_setresuid")
int guard_setresuid(struct trace_event_raw_sys_enter *ctx) { return syscall_event(GUARD_SETUID, ARG(0), ARG(1), ARG(2), 0, 0); }

SEC("tracepoint/syscalls/sys_enter_setgid")
int guard_setgid(struct trace_event_raw_sys_enter *ctx) { return syscall_event(GUARD_SETGID, ARG(0), (__u32)-1, (__u32)-1, 0, 0); }

SEC("tracepoint/syscalls/sys_enter_setresgid")
int guard_setresgid(struct trace_event_raw_sys_enter *ctx) { return syscall_event(GUARD_SETGID, ARG(0), ARG(1), ARG(2), 0, 0); }

SEC("tracepoint/syscalls/sys_enter_capset")
int guard_capset(struct trace_event_raw_sys_enter *ctx) { return syscall_event(GUARD_CAPSET, 0, 0, 0, 0, 0); }

SEC("tracepoint/syscalls/sys_enter_ptrace")
int guard_ptrace(struct trace_event_raw_sys_enter *ctx) { return syscall_event(GUARD_PTRACE, ARG(0), ARG(1), 0, 0, 0); }

SEC("tracepoint/syscalls/sys_enter_init_module")
int guard_init_module(struct trace_event_raw_sys_enter *ctx) { return syscall_event(GUARD_MODULE, 0, ARG(1), 0, (const char *)ARG(2), 0); }

SEC("tracepoint/syscalls/sys_enter_finit_module")
int guard_finit_module(struct trace_event_raw_sys_enter *ctx) { return syscall_event(GUARD_MODULE, 1, ARG(0), ARG(2), (const char *)ARG(1), 0); }

SEC("tracepoint/syscalls/sys_enter_bpf")
int guard_bpf(struct trace_event_raw_sys_enter *ctx)
{
    // The calls that change what runs in the kernel: map and program creation and attachment.
    __u64 cmd = ARG(0);
    if (cmd != 0 /* MAP_CREATE */ && cmd != 5 /* PROG_LOAD */ && cmd != 8 /* PROG_ATTACH */ && cmd != 28 /* LINK_CREATE */)
        return 0;
    return syscall_event(GUARD_BPF, cmd, 0, 0, 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_mount")
int guard_mount(struct trace_event_raw_sys_enter *ctx)
{
    bump_dir_gen();
    return syscall_event(GUARD_MOUNT, ARG(3), 0, 0, (const char *)ARG(0), (const char *)ARG(1));
}

// --- the path cache's generation (see guard_dir_gen): the other ends of the calls above, and
// the calls that move directories or mounts without an event of their own.
#define DIR_GEN(tp, name) \
    SEC("tracepoint/syscalls/" tp) \
    int name(void *ctx) { bump_dir_gen(); return 0; }

DIR_GEN("sys_exit_renameat2", guard_gen_renameat2_exit)
DIR_GEN("sys_enter_renameat", guard_gen_renameat)
DIR_GEN("sys_exit_renameat", guard_gen_renameat_exit)
DIR_GEN("sys_enter_rename", guard_gen_rename)
DIR_GEN("sys_exit_rename", guard_gen_rename_exit)
// A new directory can take the inode number of a removed one: entries made before it are retired.
DIR_GEN("sys_enter_mkdir", guard_gen_mkdir)
DIR_GEN("sys_enter_mkdirat", guard_gen_mkdirat)
DIR_GEN("sys_exit_mount", guard_gen_mount_exit)
DIR_GEN("sys_enter_umount", guard_gen_umount)
DIR_GEN("sys_exit_umount", guard_gen_umount_exit)
DIR_GEN("sys_enter_move_mount", guard_gen_move_mount)
DIR_GEN("sys_exit_move_mount", guard_gen_move_mount_exit)
DIR_GEN("sys_enter_pivot_root", guard_gen_pivot_root)
DIR_GEN("sys_exit_pivot_root", guard_gen_pivot_root_exit)

// --- sockets: cgroup hooks (deny returns 0: the call fails with EPERM) ----------------------

static __always_inline struct guard_mask addr_rules(struct guard_config *cfg, struct guard_lpm_key *key)
{
    struct guard_mask *r = bpf_map_lookup_elem(&guard_addrs, key);
    return r ? m_or(*r, cfg->noaddr_rules) : cfg->noaddr_rules;
}

// The rules an except_peers entry exempts this peer from: one with its port, one on any port.
static __always_inline struct guard_mask peer_except(struct guard_lpm_key *addr, __u16 port)
{
    struct guard_mask none = {};
    struct guard_peer_key pk;
    __builtin_memset(&pk, 0, sizeof(pk));   /* the key's 2 tail bytes of padding too */
    pk.prefixlen = 16 + 128;
    pk.port[0] = port >> 8;
    pk.port[1] = port & 0xff;
    __builtin_memcpy(pk.addr, addr->addr, 16);
    struct guard_mask *with_port = bpf_map_lookup_elem(&guard_peer_except, &pk);
    struct guard_mask *any_port = bpf_map_lookup_elem(&guard_addr_except, addr);
    return m_or(with_port ? *with_port : none, any_port ? *any_port : none);
}

// The rules whose ports, addresses, except_ports and except_peers admit this address and port.
static __always_inline struct guard_mask net_rules(struct guard_config *cfg, struct guard_mask rules, struct guard_lpm_key *key, __u16 port)
{
    struct guard_mask *pr = bpf_map_lookup_elem(&guard_ports, &port);
    rules = m_and(rules, pr ? m_or(*pr, cfg->noport_rules) : cfg->noport_rules);
    struct guard_mask *pe = bpf_map_lookup_elem(&guard_port_except, &port);
    if (pe)
        rules = m_minus(rules, *pe);
    if (m_any(m_minus(rules, cfg->noaddr_rules)))
        rules = m_and(rules, addr_rules(cfg, key));
    if (m_any(m_and(rules, cfg->except_peer_rules)))
        rules = m_minus(rules, peer_except(key, port));
    return rules;
}

// --- listen and accept: the socket behind the descriptor, its local (listen) or peer (accept)
// address, matched by the same tables as the cgroup hooks, at the tracepoint (alert or kill) ---

// The socket of descriptor fd of task t, or 0 when fd is not an open socket.
static __always_inline struct sock *sock_of_fd(struct task_struct *t, __s64 fd)
{
    if (fd < 0)
        return 0;
    struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
    if ((__u64)fd >= BPF_CORE_READ(fdt, max_fds))
        return 0;
    struct file **fds = BPF_CORE_READ(fdt, fd);
    struct file *f = 0;
    bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
    if (!f)
        return 0;
    // private_data is a struct socket only for socket files, and a socket points back at its file.
    struct socket *sock = BPF_CORE_READ(f, private_data);
    if (!sock || BPF_CORE_READ(sock, file) != f)
        return 0;
    return BPF_CORE_READ(sock, sk);
}

static __always_inline int listen_accept_event(__u32 kind, __s64 fd, __u64 a1, int remote)
{
    struct guard_config *cfg = guard_cfg();
    if (!cfg)
        return 0;
    if (!m_any(cfg->kind_rules[kind]) && !reported(cfg, kind))
        return 0;
    struct task_struct *t = (struct task_struct *)bpf_get_current_task();
    struct sock *sk = sock_of_fd(t, fd);
    struct guard_lpm_key key = { .prefixlen = 128 };
    __u16 family = 0, port = 0;
    if (sk) {
        family = BPF_CORE_READ(sk, __sk_common.skc_family);
        if (family == AF_INET) {
            __u32 a = remote ? BPF_CORE_READ(sk, __sk_common.skc_daddr) : BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
            key.addr[10] = 0xff;
            key.addr[11] = 0xff;
            __builtin_memcpy(&key.addr[12], &a, 4);
        } else if (family == AF_INET6) {
            if (remote)
                BPF_CORE_READ_INTO(&key.addr, sk, __sk_common.skc_v6_daddr);
            else
                BPF_CORE_READ_INTO(&key.addr, sk, __sk_common.skc_v6_rcv_saddr);
        }
        port = remote ? bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport)) : BPF_CORE_READ(sk, __sk_common.skc_num);
    }
    struct guard_proc *p = current_proc(cfg);
    struct guard_mask rules = candidates(cfg, kind, p);
    // Rules with port or address conditions need an inet socket to match.
    if (family == AF_INET || family == AF_INET6)
        rules = net_rules(cfg, rules, &key, port);
    else
        rules = m_and(rules, m_and(cfg->noport_rules, cfg->noaddr_rules));
    struct decision d;
    decide(rules, &d);
    if (d.rule == 0xffffffff && !reported(cfg, kind))
        return 0;
    struct guard_event *e = new_event(kind, t, p);
    if (!e)
        return 0;
    enforce_in_tracepoint(e, &d);
    e->arg[0] = fd;
    e->arg[1] = a1;
    e->family = family;
    e->port = port;
    __builtin_memcpy(e->addr, key.addr, 16);
    submit(e);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_listen")
int guard_listen(struct trace_event_raw_sys_enter *ctx) { return listen_accept_event(GUARD_LISTEN, (__s64)ctx->args[0], ctx->args[1], 0); }

SEC("tracepoint/syscalls/sys_exit_accept4")
int guard_accept4(struct trace_event_raw_sys_exit *ctx) { return ctx->ret < 0 ? 0 : listen_accept_event(GUARD_ACCEPT, ctx->ret, 0, 1); }

SEC("tracepoint/syscalls/sys_exit_accept")
int guard_accept(struct trace_event_raw_sys_exit *ctx) { return ctx->ret < 0 ? 0 : listen_accept_event(GUARD_ACCEPT, ctx->ret, 0, 1); }

static __always_inline int sock_addr_check(struct bpf_sock_addr *ctx, __u32 kind, int v6)
{
    struct guard_config *cfg = guard_cfg();
    if (!cfg)
        return 1;
    if (!m_any(cfg->kind_rules[kind]) && !reported(cfg, kind))
        return 1;
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    struct guard_proc *p = bpf_map_lookup_elem(&guard_procs, &tgid);
    struct guard_mask rules = selected(cfg, kind, p);
    __u16 port = bpf_ntohs((__u16)ctx->user_port);
    struct guard_lpm_key key = { .prefixlen = 128 };
    // Each hook reads only its own family's fields: a v4 program may not touch user_ip6.
    __u32 family = v6 ? AF_INET6 : AF_INET;
    if (!v6) {
        __u32 a = ctx->user_ip4;
        key.addr[10] = 0xff;
        key.addr[11] = 0xff;
        __builtin_memcpy(&key.addr[12], &a, 4);
    } else {
        __u32 a[4];
        a[0] = ctx->user_ip6[0];
        a[1] = ctx->user_ip6[1];
        a[2] = ctx->user_ip6[2];
        a[3] = ctx->user_ip6[3];
        __builtin_memcpy(key.addr, a, 16);
    }
    rules = net_rules(cfg, rules, &key, port);
    struct decision d;
    decide(rules, &d);
    if (d.rule == 0xffffffff && !reported(cfg, kind))
        return 1;
    struct guard_event *e = new_event(kind, (struct task_struct *)bpf_get_current_task(), p);
    if (!e)
        return 1;
    e->rule = d.rule;
    e->action = d.action;
    e->enforced = d.enforce && d.action == GUARD_DENY;
    e->family = family;
    e->port = port;
    __builtin_memcpy(e->addr, key.addr, 16);
    e->ret = e->enforced ? -1 : 0;
    submit(e);
    return e->enforced ? 0 : 1;
}

SEC("cgroup/connect4")
int guard_connect4(struct bpf_sock_addr *ctx) { return sock_addr_check(ctx, GUARD_CONNECT, 0); }

SEC("cgroup/connect6")
int guard_connect6(struct bpf_sock_addr *ctx) { return sock_addr_check(ctx, GUARD_CONNECT, 1); }

SEC("cgroup/bind4")
int guard_bind4(struct bpf_sock_addr *ctx) { return sock_addr_check(ctx, GUARD_BIND, 0); }

SEC("cgroup/bind6")
int guard_bind6(struct bpf_sock_addr *ctx) { return sock_addr_check(ctx, GUARD_BIND, 1); }

SEC("cgroup/sendmsg4")
int guard_sendmsg4(struct bpf_sock_addr *ctx) { return sock_addr_check(ctx, GUARD_SENDMSG, 0); }

SEC("cgroup/sendmsg6")
int guard_sendmsg6(struct bpf_sock_addr *ctx) { return sock_addr_check(ctx, GUARD_SENDMSG, 1); }

// --- BPF LSM: refusal before the call happens -------------------------------------------------
// Only where the kernel has BPF LSM (`bpf` in /sys/kernel/security/lsm): the '?' keeps these out
// of the default load, user space names them in LoadOptions.programs. They decide the rules in
// lsm_rules (deny rules, and path conditions of unlink/rename/chmod/chown, which only a hook with
// the dentry can match by inode). Returning -EPERM makes the kernel refuse the call.

static __always_inline int lsm_verdict(struct guard_config *cfg, __u32 kind, struct guard_mask rules, struct guard_proc *p,
                                       struct dentry *dentry, struct vfsmount *mnt, struct guard_file_id *obj, __u16 flags)
{
    struct decision d;
    decide(rules, &d);
    if (d.rule == 0xffffffff)
        return 0;
    int refuse = d.enforce && (d.action == GUARD_DENY || d.action == GUARD_KILL);
    if (d.enforce && d.action == GUARD_KILL)
        bpf_send_signal(SIGKILL);
    struct guard_event *e = new_event(kind, (struct task_struct *)bpf_get_current_task(), p);
    if (!e)
        return refuse ? -EPERM : 0;
    e->rule = d.rule;
    e->action = d.action;
    e->enforced = d.enforce && d.action != GUARD_ALERT;
    e->flags = flags | GUARD_F_LSM;
    e->ret = refuse ? -EPERM : 0;
    e->obj_ino = obj->ino;
    e->obj_dev = obj->dev;
    if (dentry)
        e->path_size = put_path(e, dentry, mnt);
    submit(e);
    return refuse ? -EPERM : 0;
}

static __always_inline int lsm_wanted(struct guard_config *cfg, __u32 kind)
{
    return cfg && kind < GUARD_KINDS && m_any(m_and(cfg->kind_rules[kind], cfg->lsm_rules));
}

SEC("?lsm/bprm_check_security")
int BPF_PROG(guard_lsm_exec, struct linux_binprm *bprm)
{
    struct guard_config *cfg = guard_cfg();
    if (!lsm_wanted(cfg, GUARD_EXEC))
        return 0;
    // The binary about to run (for a #! script, called again with the interpreter), and the
    // parent the new image will have: the exec'ing task's parent.
    struct file *file = BPF_CORE_READ(bprm, file);
    struct task_struct *t = (struct task_struct *)bpf_get_current_task();
    struct guard_file_id exe = {}, parent = {};
    file_id_of(file, &exe);
    struct file *pf = exe_file_of(BPF_CORE_READ(t, real_parent));
    if (pf)
        file_id_of(pf, &parent);
    __u16 flags = BPF_CORE_READ(file, f_inode, __i_nlink) == 0 ? GUARD_F_FILELESS : 0;
    struct guard_proc fresh = {};
    fill_proc(&fresh, cfg, &exe, flags, &parent);
    // Argument conditions are the exec tracepoint's (the parser keeps them from deny rules).
    struct guard_mask rules = m_minus(m_and(selected(cfg, GUARD_EXEC, &fresh), cfg->lsm_rules), cfg->args_rules);
    if (!m_any(rules))
        return 0;
    struct guard_proc *p = current_proc(cfg);
    return lsm_verdict(cfg, GUARD_EXEC, rules, p, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt), &exe, flags);
}

SEC("?lsm/file_open")
int BPF_PROG(guard_lsm_open, struct file *file)
{
    struct guard_config *cfg = guard_cfg();
    if (!lsm_wanted(cfg, GUARD_OPEN))
        return 0;
    struct guard_proc *p = current_proc(cfg);
    struct guard_mask rules = m_and(selected(cfg, GUARD_OPEN, p), cfg->lsm_rules);
    int write = (BPF_CORE_READ(file, f_mode) & FMODE_WRITE) != 0;
    if (!write)
        rules = m_minus(rules, cfg->write_only_rules);
    if (!m_any(rules))
        return 0;
    struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
    struct vfsmount *mnt = BPF_CORE_READ(file, f_path.mnt);
    // As open_exit: the walk also collects except_paths exemptions, so it runs for any candidate rule.
    struct guard_mask except;
    struct guard_mask on_path = path_rules_of(dentry, mnt, &except);
    rules = m_minus(m_and(rules, m_or(on_path, cfg->nopath_rules)), except);
    struct guard_file_id id = {};
    file_id_of(file, &id);
    return lsm_verdict(cfg, GUARD_OPEN, rules, p, dentry, mnt, &id, write ? GUARD_F_WRITE : 0);
}

// --- device nodes: BPF_CGROUP_DEVICE runs when a task of the cgroup opens or creates (mknod) a
// character or block device node; returning 0 fails the call with EPERM.

static __always_inline struct guard_mask device_rules_of(__u32 type, __u32 major, __u32 minor, __u32 access)
{
    struct guard_mask rules = {};
    struct guard_device_key keys[4] = {
        { type, major, minor }, { type, major, GUARD_DEVICE_ANY },
        { type, GUARD_DEVICE_ANY, minor }, { type, GUARD_DEVICE_ANY, GUARD_DEVICE_ANY },
    };
    for (int i = 0; i < 4; i++) {
        struct guard_device_rules *r = bpf_map_lookup_elem(&guard_devices, &keys[i]);
        if (!r)
            continue;
        for (int bit = 0; bit < 3; bit++)
            if (access & (1 << bit))
                rules = m_or(rules, r->access[bit]);
    }
    return rules;
}

SEC("cgroup/dev")
int guard_device(struct bpf_cgroup_dev_ctx *ctx)
{
    struct guard_config *cfg = guard_cfg();
    if (!cfg || (!m_any(cfg->kind_rules[GUARD_DEVICE]) && !reported(cfg, GUARD_DEVICE)))
        return 1;
    // access_type: BPF_DEVCG_ACC_* << 16 | BPF_DEVCG_DEV_*.
    __u32 type = ctx->access_type & 0xffff, access = ctx->access_type >> 16;
    __u32 major = ctx->major, minor = ctx->minor;
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    struct guard_proc *p = bpf_map_lookup_elem(&guard_procs, &tgid);
    struct guard_mask rules = m_and(selected(cfg, GUARD_DEVICE, p), device_rules_of(type, major, minor, access));
    struct decision d;
    decide(rules, &d);
    if (d.rule == 0xffffffff && !reported(cfg, GUARD_DEVICE))
        return 1;
    struct guard_event *e = new_event(GUARD_DEVICE, (struct task_struct *)bpf_get_current_task(), p);
    int verdict = hook_verdict(e, &d);
    if (e) {
        e->arg[0] = type;
        e->arg[1] = major;
        e->arg[2] = minor;
        e->arg[3] = access;
        submit(e);
    }
    return verdict;
}

// unlink, rename, chmod, chown: the file (and for rename the new name's place) by dentry.
static __always_inline int lsm_path_call(__u32 kind, struct dentry *dentry, struct vfsmount *mnt,
                                         struct dentry *other, struct vfsmount *other_mnt)
{
    struct guard_config *cfg = guard_cfg();
    if (!lsm_wanted(cfg, kind))
        return 0;
    struct guard_proc *p = current_proc(cfg);
    struct guard_mask rules = m_and(selected(cfg, kind, p), cfg->lsm_rules);
    rules = m_and(rules, m_and(cfg->noport_rules, cfg->noaddr_rules));
    if (!m_any(rules))
        return 0;
    if (m_any(m_minus(rules, cfg->nopath_rules))) {
        // except_paths is an open condition only (the parser refuses it elsewhere): the exemptions go unused.
        struct guard_mask unused;
        struct guard_mask paths = path_rules_of(dentry, mnt, &unused);
        if (other)
            paths = m_or(paths, path_rules_of(other, other_mnt, &unused));
        rules = m_and(rules, m_or(paths, cfg->nopath_rules));
    }
    struct guard_file_id id = {};
    id.ino = BPF_CORE_READ(dentry, d_inode, i_ino);
    id.dev = dev_of(BPF_CORE_READ(dentry, d_sb));
    return lsm_verdict(cfg, kind, rules, p, dentry, mnt, &id, 0);
}

SEC("?lsm/path_unlink")
int BPF_PROG(guard_lsm_unlink, const struct path *dir, struct dentry *dentry)
{
    return lsm_path_call(GUARD_UNLINK, dentry, BPF_CORE_READ(dir, mnt), 0, 0);
}

SEC("?lsm/path_rename")
int BPF_PROG(guard_lsm_rename, const struct path *old_dir, struct dentry *old_dentry, const struct path *new_dir,
             struct dentry *new_dentry)
{
    return lsm_path_call(GUARD_RENAME, old_dentry, BPF_CORE_READ(old_dir, mnt), new_dentry, BPF_CORE_READ(new_dir, mnt));
}

SEC("?lsm/path_chmod")
int BPF_PROG(guard_lsm_chmod, const struct path *path)
{
    return lsm_path_call(GUARD_CHMOD, BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt), 0, 0);
}

SEC("?lsm/path_chown")
int BPF_PROG(guard_lsm_chown, const struct path *path)
{
    return lsm_path_call(GUARD_CHOWN, BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt), 0, 0);
}

char LICENSE[] SEC("license") = "GPL";
