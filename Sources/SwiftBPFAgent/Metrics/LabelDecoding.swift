import BPF
import Foundation
import Glibc
import SwiftBPFTools

/// Turns a key field's bytes into a label value through a chain of decoders (ebpf_exporter's
/// model). Returns nil when a `regex` decoder rejects the value (the entry is skipped).
struct LabelDecoding: Sendable {
    let spec: LabelDecoderSpec
    let regex: NSRegularExpression?
    let ksyms: KernelSymbols?
    let cgroups: CgroupPaths

    init(spec: LabelDecoderSpec, ksyms: KernelSymbols?, cgroups: CgroupPaths) throws(ConfigError) {
        self.spec = spec
        self.ksyms = ksyms
        self.cgroups = cgroups
        if let pattern = spec.regex {
            do { regex = try NSRegularExpression(pattern: pattern) } catch {
                throw ConfigError("label \(spec.name): regex \(pattern) does not compile: \(error)")
            }
        } else {
            regex = nil
        }
    }

    func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        var text: String? = nil
        for d in spec.decoders {
            switch d {
            case .integer: text = String(Self.unsigned(bytes))
            case .ksym:
                let address = Self.unsigned(bytes)
                text = ksyms?.symbolize(address)?.name ?? String(format: "0x%llx", address)
            case .ipv4:
                let b = Array(bytes.prefix(4))
                text = b.count == 4 ? b.map(String.init).joined(separator: ".") : nil
            case .ipv6:
                var b = Array(bytes.prefix(16))
                guard b.count == 16 else { return nil }
                var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                _ = inet_ntop(AF_INET6, &b, &out, socklen_t(out.count))
                text = String(cString: out)
            case .cgroup:
                let id = Self.unsigned(bytes)
                text = cgroups.path(of: id) ?? String(id)
            case .string:
                text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            case .staticMap:
                let current = text ?? String(Self.unsigned(bytes))
                text = spec.mapping[current] ?? current
            case .regex:
                let current = text ?? String(Self.unsigned(bytes))
                guard let regex, regex.firstMatch(in: current, range: NSRange(current.startIndex..., in: current)) != nil else { return nil }
                text = current
            }
        }
        return text ?? String(Self.unsigned(bytes))
    }

    /// Little-endian unsigned integer of up to 8 bytes.
    static func unsigned(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in bytes.prefix(8).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }
}
