import BPF
import Foundation
import Testing

/// Objects of shapes where libbpf answers differently than a plain load would, compiled at test
/// time: freplace without its target program, and maps pinned by name given --pin-maps.
@Suite(.serialized, .enabled(if: isRoot && ClangBPF.available && CLI.path != nil, "needs root, clang and the built swiftbpf binary"))
struct LoaderParityTests {
    static let freplaceSource = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>

        SEC("freplace/handle")
        int replacement(void *ctx)
        {
            return 0;
        }

        char LICENSE[] SEC("license") = "GPL";
        """

    /// The target of freplace is a BPF program: the error says it must be given, rather than
    /// "kernel BTF has no FUNC 'handle'".
    @Test func freplaceWithoutTargetSaysTheTargetProgramIsNeeded() throws {
        let dir = try TemporaryDirectory("harden-freplace")
        let object = try ClangBPF.compile(Self.freplaceSource, name: "freplace", in: dir.path)
        do {
            _ = try BPFObject(path: object)
            Issue.record("an freplace program without a target program loaded")
        } catch {
            #expect(error.description.contains("target program must be given"), "\(error)")
            #expect(error.description.contains("replacement"), "\(error)")
            #expect(!error.description.contains("kernel BTF has no"), "\(error)")
        }
    }

    static let pinnedMapsSource = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>

        struct {
            __uint(type, BPF_MAP_TYPE_ARRAY);
            __uint(max_entries, 1);
            __type(key, __u32);
            __type(value, __u64);
            __uint(pinning, LIBBPF_PIN_BY_NAME);
        } PINNED_NAME SEC(".maps");

        struct {
            __uint(type, BPF_MAP_TYPE_ARRAY);
            __uint(max_entries, 1);
            __type(key, __u32);
            __type(value, __u64);
        } a_map_name_longer_than_fifteen SEC(".maps");

        SEC("syscall")
        int touch_maps(void *ctx)
        {
            __u32 k = 0;
            __u64 *a = bpf_map_lookup_elem(&PINNED_NAME, &k);
            __u64 *b = bpf_map_lookup_elem(&a_map_name_longer_than_fifteen, &k);
            return (a ? 1 : 0) + (b ? 1 : 0);
        }

        char LICENSE[] SEC("license") = "GPL";
        """

    /// A map pinned by name is refused a second pin by --pin-maps (libbpf: "already has pin
    /// path"), leaving nothing behind; other maps pin under their full names, not the kernel's
    /// 15 bytes.
    @Test func pinMapsRefusesADoublePinAndUsesFullNames() throws {
        let dir = try TemporaryDirectory("harden-pinmaps")
        let pinnedName = "harden_byname_\(getpid())"
        let withPin = try ClangBPF.compile(Self.pinnedMapsSource.replacingOccurrences(of: "PINNED_NAME", with: pinnedName), name: "pinmaps", in: dir.path)
        let progs = try PinDirectory("harden_pm_p"), maps = try PinDirectory("harden_pm_m")
        let r = try TimedCommand.run(CLI.path!, ["object", "load", withPin, "--pin", progs.path + "/p", "--pin-maps", maps.path + "/m"])
        #expect(r.status != 0)
        #expect(r.stderr.contains(pinnedName) && r.stderr.contains("pinned by name"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/sys/fs/bpf/" + pinnedName), "the refused load left its by-name pin")
        #expect(!FileManager.default.fileExists(atPath: progs.path + "/p"))

        // Without the by-name map: every map pinned once, under its full name.
        let plainSource = Self.pinnedMapsSource.replacingOccurrences(of: "__uint(pinning, LIBBPF_PIN_BY_NAME);", with: "")
            .replacingOccurrences(of: "PINNED_NAME", with: "plain_map")
        let plain = try ClangBPF.compile(plainSource, name: "plainmaps", in: dir.path)
        let ok = try TimedCommand.run(CLI.path!, ["object", "load", plain, "--pin", progs.path + "/q", "--pin-maps", maps.path + "/n"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let pins = try FileManager.default.contentsOfDirectory(atPath: maps.path + "/n").sorted()
        #expect(pins.contains("a_map_name_longer_than_fifteen"), "\(pins)")
        #expect(pins.contains("plain_map"), "\(pins)")
    }
}
