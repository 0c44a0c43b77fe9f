import ArgumentParser
import SwiftBPFSecurity
import SwiftBPFTools

struct GuardLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load policies and pin them: they stay enforced after the command exits, until 'guard unload'.",
        discussion: """
            The programs, their attachments and maps are pinned under PIN-ROOT/NAME (default \
            /sys/fs/bpf/swiftbpf/guard/NAME; NAME defaults to the first policy file's name without \
            its extension). Kill and deny act in the kernel and the counters count with no process \
            running; alerts are not streamed ('guard status' shows the counters, and the alerts past \
            the ring buffer's size as lost). Nothing is left behind when loading fails.
            """
    )

    @OptionGroup var policies: GuardPolicyOptions

    @Option(help: "The name to pin under (letters, digits, '-', '_').")
    var name: String?

    @OptionGroup var pin: GuardPinRootOption

    func run() throws {
        guard let first = policies.policy.first else { throw ValidationError("guard load needs at least one --policy FILE") }
        let compiled = try policies.compiled()
        let name = name ?? GuardPinLocation.name(forPolicyFile: first)
        let installed: PinnedGuard.Installed
        do {
            installed = try PinnedGuard.install(policy: compiled, name: name, cgroupRoot: policies.cgroupRoot, root: pin.pinRoot)
        } catch {
            throw CommandError("guard: \(error)")
        }
        if !installed.unavailable.isEmpty {
            Output.error("guard: not on this kernel (no tracepoint, so no such calls): \(installed.unavailable.joined(separator: ", "))")
        }
        Output.error("guard: " + installed.enforcement.summary)
        print("guard '\(name)' loaded: \(compiled.rules.count) rules\(policies.monitor ? " (monitor)" : ""), \(installed.pins) pins in \(installed.location.directory)")
    }
}

struct GuardUnloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unload",
        abstract: "Remove a pinned guard: its links (enforcement stops), programs and maps."
    )

    @Argument(help: "The pinned guard's name (default: the only one loaded).")
    var name: String?

    @Flag(help: "Remove every pinned guard.")
    var all = false

    @OptionGroup var pin: GuardPinRootOption

    func run() throws {
        do {
            if all {
                guard name == nil else { throw ValidationError("give a name or --all, not both") }
                for r in try PinnedGuard.uninstallAll(root: pin.pinRoot) { report(r) }
                return
            }
            let target: String
            if let name {
                target = name
            } else {
                let loaded = GuardPinLocation.installed(root: pin.pinRoot).map(\.name)
                guard loaded.count == 1 else {
                    throw GuardPinError(loaded.isEmpty ? "no guard is loaded (nothing pinned under \(pin.pinRoot))"
                                        : "guards are loaded as \(loaded.joined(separator: ", ")); name one, or use --all")
                }
                target = loaded[0]
            }
            report(try PinnedGuard.uninstall(name: target, root: pin.pinRoot))
        } catch let error as GuardPinError {
            throw CommandError("guard: \(error)")
        }
    }

    func report(_ r: PinnedGuard.Removed) {
        print("guard '\(r.location.name)' unloaded (\(r.pins.count) pins removed from \(r.location.directory))")
        if !r.stillLoaded.isEmpty {
            Output.error("guard: programs \(r.stillLoaded.map(String.init).joined(separator: ", ")) are still loaded: another process holds them (see 'swiftbpf prog list' or bpftool prog show)")
        }
    }
}
