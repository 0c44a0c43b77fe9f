import BPF
/// The observability tools built on the BPF library.
public enum SwiftBPFTools {}
