import BPF
import Glibc
@testable import SwiftBPFTools
import Testing

/// syscount against syscalls this process makes itself, filtered to its own pid.
@Suite(.serialized, .enabled(if: geteuid() == 0, "syscount needs root"))
struct SysCountTests {
    let me = UInt32(getpid())
    let getppidNR: UInt32 = 110 // x86_64
    let clockNanosleepNR: UInt32 = 230

    @Test func syscallTableIsX86_64() {
        #expect(SysCount.syscallName(0) == "read")
        #expect(SysCount.syscallName(110) == "getppid")
        #expect(SysCount.syscallName(230) == "clock_nanosleep")
        #expect(SysCount.syscallNumber("getppid") == 110)
        #expect(SysCount.syscallName(99_999) == "[99999]")
    }

    @Test func exactCountOfARareSyscallFilteredBySyscallAndPid() throws {
        let tool = try SysCount(filter: ToolFilter(pid: me), options: .init(syscall: Int32(getppidNR)))
        for _ in 0..<500 { _ = getppid() }
        let entries = try tool.take()
        #expect(entries.count == 1)
        let e = try #require(entries.first)
        #expect(e.key == getppidNR)
        #expect(e.name == "getppid")
        #expect(e.count == 500)
        #expect(e.totalNanoseconds == 0) // no latency asked for
        #expect(try tool.take().isEmpty) // take() empties the table
    }

    @Test func countsEverySyscallOfThePidAndPerProcess() throws {
        let tool = try SysCount(filter: ToolFilter(pid: me))
        let perProcess = try SysCount(filter: ToolFilter(pid: me), options: .init(byProcess: true))
        for _ in 0..<500 { _ = getppid() }
        let entries = try tool.take()
        let e = try #require(entries.first { $0.key == getppidNR })
        #expect(e.count == 500)
        let procs = try perProcess.take()
        #expect(procs.count == 1)
        let p = try #require(procs.first)
        #expect(p.key == me)
        #expect(!p.name.isEmpty)
        #expect(p.count >= 500)
        // Sorted by count, largest first.
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $0.count >= $1.count })
    }

    @Test func failedOnlyCountsErrors() throws {
        let tool = try SysCount(filter: ToolFilter(pid: me), options: .init(failedOnly: true))
        for _ in 0..<100 { _ = close(-1) } // EBADF
        for _ in 0..<50 { _ = getppid() } // never fails
        let entries = try tool.take()
        #expect(entries.first { $0.name == "close" }?.count == 100)
        #expect(entries.first { $0.key == getppidNR } == nil)
    }

    /// A sleep of known length: nanosleep(50 ms) lands in the 32768 -> 65535 usecs bucket.
    @Test func knownSleepLandsInTheRightLog2Bucket() throws {
        let options = SysCount.Options(latency: true, syscall: Int32(clockNanosleepNR))
        let tool = try SysCount(filter: ToolFilter(pid: me), options: options)
        for _ in 0..<3 { sleepNanoseconds(50_000_000) }
        let e = try #require(try tool.take().first { $0.key == clockNanosleepNR })
        #expect(e.count >= 3)
        let slot = HistogramOptions().slot(of: 50_000)
        #expect(slot == 16)
        #expect(e.slots[16] >= 3)
        #expect(e.totalNanoseconds >= 150_000_000)
        #expect(e.averageNanoseconds >= 50_000_000)
        #expect(options.histogram.json(e.slots).contains("{\"low\":32768,\"high\":65535,\"count\":\(e.slots[16])}"))
        let text = options.histogram.render(e.slots)
        #expect(text.contains("32768 -> 65535"))
        #expect(text.hasPrefix("     usecs               : count     distribution"))
    }

    @Test func knownSleepInMillisecondsAndLinearBuckets() throws {
        let ms = SysCount.Options(latency: true, syscall: Int32(clockNanosleepNR), histogram: .init(milliseconds: true))
        let linear = SysCount.Options(latency: true, syscall: Int32(clockNanosleepNR), histogram: .init(milliseconds: true, linearStep: 10))
        let a = try SysCount(filter: ToolFilter(pid: me), options: ms)
        let b = try SysCount(filter: ToolFilter(pid: me), options: linear)
        for _ in 0..<2 { sleepNanoseconds(50_000_000) }
        let ea = try #require(try a.take().first)
        let eb = try #require(try b.take().first)
        #expect(ea.slots[6] >= 2) // 32 -> 63 msecs
        #expect(eb.slots[5] >= 2) // [50, 60) msecs
        #expect(linear.histogram.json(eb.slots).contains("{\"low\":50,\"high\":59,\"count\":\(eb.slots[5])}"))
        #expect(linear.histogram.render(eb.slots).contains("msecs"))
    }

    @Test func jsonAndTableShape() throws {
        let options = SysCount.Options(latency: true, syscall: Int32(getppidNR))
        let tool = try SysCount(filter: ToolFilter(pid: me), options: options)
        for _ in 0..<7 { _ = getppid() }
        let entries = try tool.take()
        let json = SysCountFormat.json(entries, options: options, top: 10, seconds: 1.5, dropped: 0)
        #expect(json.hasPrefix("{\"time\":1.500,\"unit\":\"usecs\",\"syscalls\":[{\"syscall\":\"getppid\",\"nr\":110,\"count\":7,\"total_ns\":"))
        #expect(json.contains("\"avg_ns\":"))
        #expect(json.contains("\"hist\":[{\"low\":0,\"high\":1,"))
        #expect(json.hasSuffix("\"dropped\":0}"))
        let table = SysCountFormat.table(entries, options: options, top: 10).split(separator: "\n")
        #expect(table.first == "SYSCALL                   COUNT        TIME (us)     AVG (us)")
        #expect(table.count == 2)
        #expect(table.last?.hasPrefix("getppid                       7 ") == true)
    }

    @Test func bucketMathMatchesBCC() {
        let h = HistogramOptions()
        #expect([0, 1, 2, 3, 4, 7, 8, 32767, 32768, 65535, 65536].map { h.slot(of: $0) } == [1, 1, 2, 2, 3, 3, 4, 15, 16, 16, 17])
        #expect(h.slot(of: .max) == 63)
        var slots = [UInt64](repeating: 0, count: 64)
        slots[16] = 1
        #expect(Histogram.log2JSON(slots).hasSuffix("{\"low\":32768,\"high\":65535,\"count\":1}]"))
        let lin = HistogramOptions(linearStep: 100)
        #expect(lin.slot(of: 99) == 0 && lin.slot(of: 100) == 1 && lin.slot(of: 1_000_000) == 63)
    }
}
