import BPF
import Foundation

/// A snapshot of what a leak could leave behind: the ids of every program, map and link in the
/// kernel, and this process's open descriptors with what they point at (`anon_inode:bpf-prog`,
/// `anon_inode:[perf_event]`, `anon_inode:[eventpoll]`, pipes, files).
///
/// The kernel's ids are global and the machine is shared, so a comparison only judges the ids a
/// test created itself (`KernelObjectCensus.remaining(_:)`); the descriptors are this process's
/// own and are compared whole.
struct KernelObjectCensus: Equatable, CustomStringConvertible {
    var programs: Set<UInt32>
    var maps: Set<UInt32>
    var links: Set<UInt32>
    /// Descriptor number → readlink of /proc/self/fd/N.
    var descriptors: [Int32: String]

    static func take() throws -> KernelObjectCensus {
        var descriptors: [Int32: String] = [:]
        for fd in try Syscalls.openDescriptors() {
            // A descriptor closed between listing and reading is simply not there.
            if let target = try? Syscalls.readLink("/proc/self/fd/\(fd)") { descriptors[fd] = target }
        }
        return KernelObjectCensus(programs: Set(try Program.allIDs()), maps: Set(try Map.allIDs()),
                                  links: Set(try Link.allIDs()), descriptors: descriptors)
    }

    /// Descriptors open now that were not open in `before`, and those closed since.
    func descriptorChanges(since before: KernelObjectCensus) -> (opened: [Int32: String], closed: [Int32: String]) {
        let opened = descriptors.filter { before.descriptors[$0.key] != $0.value }
        let closed = before.descriptors.filter { descriptors[$0.key] != $0.value }
        return (opened, closed)
    }

    /// Which of `created` still exist in this census.
    func remaining(_ created: CreatedObjects) -> CreatedObjects {
        CreatedObjects(programs: created.programs.intersection(programs), maps: created.maps.intersection(maps),
                       links: created.links.intersection(links))
    }

    var description: String {
        "\(programs.count) programs, \(maps.count) maps, \(links.count) links, \(descriptors.count) descriptors"
    }

    /// Takes censuses until `settled` holds or `timeout` passes (the kernel frees a program's
    /// maps after an RCU grace period, so ids linger briefly after the last close).
    static func waitFor(timeout: Double = 5, _ settled: (KernelObjectCensus) -> Bool) throws -> KernelObjectCensus {
        let deadline = Date().addingTimeInterval(timeout)
        var census = try take()
        while !settled(census), Date() < deadline {
            usleep(20_000)
            census = try take()
        }
        return census
    }
}

/// The ids of the kernel objects one piece of test code created.
struct CreatedObjects: Equatable, CustomStringConvertible {
    var programs: Set<UInt32> = []
    var maps: Set<UInt32> = []
    var links: Set<UInt32> = []

    var isEmpty: Bool { programs.isEmpty && maps.isEmpty && links.isEmpty }

    mutating func add(_ program: Program) throws {
        programs.insert(program.id)
        maps.formUnion(try program.info().mapIDs)
    }

    mutating func add(_ map: Map) { maps.insert(map.id) }

    mutating func add(_ link: Link) throws { links.insert(try link.details().id) }

    var description: String {
        "programs \(programs.sorted()), maps \(maps.sorted()), links \(links.sorted())"
    }
}
