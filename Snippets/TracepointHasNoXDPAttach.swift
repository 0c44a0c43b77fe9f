//! A typed program offers only the attach calls of its hook. A tracepoint program attaches to the
//! tracepoint its `SEC()` names; asking it to attach to a network interface, as an XDP program
//! does, is a compile-time error. `Scripts/build-examples.sh` type-checks this file, and checks
//! that the lines marked `does-not-compile` really do not.
import BPF

// snippet.show
/// `handle_exec` of `hello.bpf.c`, in `SEC("tracepoint/sched/sched_process_exec")`.
func attachExecTracer(_ handleExec: TracepointProgram) throws -> Link {
    try handleExec.attach()
}

/// An `SEC("xdp")` program takes the interface to attach to.
func attachPacketFilter(_ filter: XDPProgram) throws -> Link {
    try filter.attach(interface: "lo")
}

// A tracepoint program has no XDP attach. This does not compile:
// error: argument passed to call that takes no arguments
// does-not-compile: func attachExecTracerToInterface(_ handleExec: TracepointProgram) throws -> Link {
// does-not-compile:     try handleExec.attach(interface: "lo")
// does-not-compile: }
