import BPF

/// biolatency: block I/O latency from issue to the device to completion, as log2 or linear
/// histograms built in the kernel from tp_btf block_rq_issue and block_rq_complete, in total
/// or per disk. Completions are not attributable to a task, so the filter is by disk.
public final class BioLatency: Sendable {
    public struct Options: Sendable {
        /// One histogram per disk.
        public var perDisk: Bool
        /// Only this disk (a name under /sys/class/block, e.g. "sda" or "loop0").
        public var disk: String?
        /// Start timing when the request is queued (block_rq_insert), as BCC's -Q: the
        /// latency then includes the time in the OS queue.
        public var includeQueued: Bool
        public var histogram: HistogramOptions

        public init(perDisk: Bool = false, disk: String? = nil, includeQueued: Bool = false, histogram: HistogramOptions = HistogramOptions()) {
            self.perDisk = perDisk
            self.disk = disk
            self.includeQueued = includeQueued
            self.histogram = histogram
        }
    }

    public let session: ToolSession

    public let options: Options

    public init(options: Options = Options()) throws(BPFError) {
        self.options = options
        let target = try options.disk.map { name throws(BPFError) in try BlockDevices.device(named: name) }
        session = try ToolSession(EmbeddedObjects.biolatency, ringBufferSize: ToolRing.unusedBytes) { opts throws(BPFError) in
            opts.set("per_disk", to: UInt8(options.perDisk ? 1 : 0))
            opts.set("from_insert", to: UInt8(options.includeQueued ? 1 : 0))
            if let target {
                opts.set("filter_disk", to: UInt8(1))
                opts.set("targ_dev", to: target.kernelDev)
            }
            try options.histogram.apply(to: &opts)
        }
    }

    /// The histograms since the last call (the map is emptied): key 0 for the total, or per
    /// disk the kernel's dev_t (`BlockDevices.Device(kernelDev:)`). Sorted by key.
    public func take() throws(BPFError) -> [KeyedHistogram] {
        try KeyedHistograms.take(session.object.map("hists")).sorted { $0.key < $1.key }
    }
}

/// Block devices by name and number, from sysfs.
public enum BlockDevices {
    /// A device number.
    public struct Device: Sendable, Equatable, Hashable {
        public var major: UInt32
        public var minor: UInt32

        public init(major: UInt32, minor: UInt32) {
            self.major = major
            self.minor = minor
        }

        /// From the kernel's internal dev_t (`MKDEV`: major << 20 | minor).
        public init(kernelDev: UInt64) {
            major = UInt32(truncatingIfNeeded: kernelDev >> 20)
            minor = UInt32(truncatingIfNeeded: kernelDev & 0xfffff)
        }

        /// The kernel's internal dev_t, as the BPF program computes it.
        public var kernelDev: UInt32 { (major << 20) | (minor & 0xfffff) }
    }

    /// The number of disk `name` (/sys/class/block/NAME/dev, "MAJ:MIN").
    public static func device(named name: String) throws(BPFError) -> Device {
        guard !name.isEmpty, !name.contains("/"), !name.contains("..") else {
            throw .invalidArgument("not a block device name: \"\(name)\"")
        }
        let text: String
        do {
            text = String(decoding: try Syscalls.readFile("/sys/class/block/\(name)/dev"), as: UTF8.self)
        } catch {
            throw .invalidArgument("no block device named \"\(name)\" (/sys/class/block/\(name)/dev: \(error))")
        }
        let parts = text.trimmingTrailingNewline.split(separator: ":")
        guard parts.count == 2, let major = UInt32(parts[0]), let minor = UInt32(parts[1]) else {
            throw .invalidArgument("/sys/class/block/\(name)/dev holds \"\(text)\", not MAJ:MIN")
        }
        return Device(major: major, minor: minor)
    }

    /// The name of a device (DEVNAME of /sys/dev/block/MAJ:MIN/uevent), or "MAJ:MIN" when sysfs
    /// does not know it (a device that is gone).
    public static func name(of device: Device) -> String {
        let fallback = "\(device.major):\(device.minor)"
        guard let bytes = try? Syscalls.readFile("/sys/dev/block/\(fallback)/uevent") else { return fallback }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("DEVNAME=") {
            return String(line.dropFirst("DEVNAME=".count))
        }
        return fallback
    }
}

extension String {
    fileprivate var trimmingTrailingNewline: Substring {
        var s = Substring(self)
        while s.last == "\n" || s.last == " " { s = s.dropLast() }
        return s
    }
}
