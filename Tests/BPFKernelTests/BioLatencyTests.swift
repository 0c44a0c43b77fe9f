import BPF
import Foundation
import Glibc
@testable import SwiftBPFTools
import ToolText
import Testing

/// biolatency against direct writes to a loop device that the test creates and detaches.
@Suite(.serialized, .enabled(if: geteuid() == 0, "biolatency needs root"),
       .enabled(if: access("/dev/loop-control", F_OK) == 0 && Command.which("losetup") != nil,
                "needs loop devices (/dev/loop-control) and losetup"))
struct BioLatencyTests {
    /// A loop device over a new file in /tmp; detached and deleted by `close()`.
    struct LoopDevice {
        let file: String
        let device: String // /dev/loopN
        var name: String { String(device.split(separator: "/").last ?? "") }

        init() throws {
            file = "/tmp/swiftbpf-biolatency-\(UInt32.random(in: 0...UInt32.max)).img"
            let path = file
            let fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0o600)
            guard fd >= 0 else { throw BPFError.invalidArgument("cannot create \(path): errno \(errno)") }
            let sized = ftruncate(fd, 4 << 20) == 0
            Glibc.close(fd)
            guard sized else { unlink(path); throw BPFError.invalidArgument("cannot size \(path)") }
            let r = try Command.run(Command.which("losetup")!, ["-f", "--show", path])
            guard r.status == 0 else {
                unlink(path)
                throw BPFError.invalidArgument("losetup failed: \(r.stderr)")
            }
            device = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func close() {
            _ = try? Command.run(Command.which("losetup")!, ["-d", device])
            unlink(file)
        }
    }

    /// Writes `count` 4 KiB blocks with O_DIRECT (one request each), then fsync.
    func directWrites(_ device: String, count: Int) throws {
        let fd = open(device, O_WRONLY | 0o40000) // O_DIRECT (x86_64), hidden without _GNU_SOURCE
        try #require(fd >= 0, "open \(device): errno \(errno)")
        defer { Glibc.close(fd) }
        var allocated: UnsafeMutableRawPointer?
        try #require(posix_memalign(&allocated, 4096, 4096) == 0)
        let buf = try #require(allocated)
        defer { free(buf) }
        memset(buf, 0x5a, 4096)
        for i in 0..<count {
            try #require(pwrite(fd, buf, 4096, off_t(i * 8192)) == 4096)
        }
        try #require(fsync(fd) == 0)
    }

    @Test func perDiskHistogramCountsTheLoopDevicesWrites() throws {
        let loop = try LoopDevice()
        defer { loop.close() }
        let dev = try BlockDevices.device(named: loop.name)
        #expect(BlockDevices.name(of: dev) == loop.name)
        let perDisk = try BioLatency(options: .init(perDisk: true))
        let onlyLoop = try BioLatency(options: .init(perDisk: true, disk: loop.name))
        try directWrites(loop.device, count: 64)
        usleep(100_000) // completions of the last requests
        let hists = try perDisk.take()
        let h = try #require(hists.first { $0.key == UInt64(dev.kernelDev) }, "no histogram for \(loop.name): \(hists.map(\.key))")
        #expect(h.total >= 64)
        #expect(h.slots[0] == 0) // slot 0 is never used: 0 and 1 go to slot 1
        let only = try onlyLoop.take()
        #expect(only.map(\.key) == [UInt64(dev.kernelDev)])
        #expect((only.first?.total ?? 0) >= 64)
        let json = LatencyFormat.json(only, options: HistogramOptions(), listKey: "histograms", seconds: nil, dropped: 0) {
            [("disk", JSON.string(BlockDevices.name(of: BlockDevices.Device(kernelDev: $0.key))))]
        }
        #expect(json.hasPrefix("{\"unit\":\"usecs\",\"histograms\":[{\"disk\":\"\(loop.name)\",\"count\":"))
        #expect(LatencyFormat.text(only, options: HistogramOptions()) { _ in "disk = \(loop.name)" }.contains("disk = \(loop.name)\n     usecs"))
    }

    @Test func totalHistogramWithoutPerDisk() throws {
        let loop = try LoopDevice()
        defer { loop.close() }
        let tool = try BioLatency(options: .init(disk: loop.name, histogram: .init(linearStep: 1_000_000)))
        let queued = try BioLatency(options: .init(disk: loop.name, includeQueued: true))
        try directWrites(loop.device, count: 16)
        usleep(100_000)
        let hists = try tool.take()
        #expect(hists.map(\.key) == [0])
        #expect(hists.first?.slots[0] ?? 0 >= 16) // every write under a second: linear slot 0
        let q = try queued.take()
        #expect(q.map(\.key) == [0])
        #expect((q.first?.total ?? 0) >= 16) // -Q counts the same requests, from insert or issue
    }

    @Test func unknownDiskIsAClearError() {
        #expect(throws: BPFError.self) { try BioLatency(options: .init(disk: "nosuchdisk0")) }
        #expect(throws: BPFError.self) { try BlockDevices.device(named: "../etc") }
    }
}
