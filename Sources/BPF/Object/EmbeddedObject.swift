/// A BPF object compiled at build time and embedded in the binary as hex text.
/// The bytes are decoded once, on first use.
public final class EmbeddedObject: Sendable {
    /// The source file's base name, e.g. `execsnoop` for `execsnoop.bpf.c`.
    public let name: String
    private let hex: StaticString
    private let decoded: LazyBytes

    /// An object named `name` whose bytes are `hex`, two lowercase hex digits a byte (as the plugin
    /// writes it). A leading NUL is skipped: the plugin writes one to keep the literal out of the
    /// linker's merged string sections.
    public init(name: String, hex: StaticString) {
        self.name = name
        self.hex = hex
        self.decoded = LazyBytes()
    }

    /// The ELF object's bytes.
    public var bytes: [UInt8] {
        decoded.get { Self.decode(hex) }
    }

    static func decode(_ hex: StaticString) -> [UInt8] {
        hex.withUTF8Buffer { whole in
            let buf = whole.first == 0 ? UnsafeBufferPointer(rebasing: whole.dropFirst()) : whole
            var out = [UInt8](repeating: 0, count: buf.count / 2)
            func nibble(_ c: UInt8) -> UInt8 { c >= 97 ? c - 87 : c - 48 }
            for i in 0..<out.count { out[i] = nibble(buf[2 * i]) << 4 | nibble(buf[2 * i + 1]) }
            return out
        }
    }
}

/// Namespace the generated files extend with one `EmbeddedObject` per compiled `*.bpf.c`.
public enum EmbeddedObjects {}

import Synchronization

/// A value computed once and shared across threads.
final class LazyBytes: Sendable {
    private let state = Mutex<[UInt8]?>(nil)
    func get(_ make: () -> [UInt8]) -> [UInt8] {
        state.locked { v in
            if let v { return v }
            let made = make()
            v = made
            return made
        }
    }
}
