/// The pprof format (`perftools.profiles.Profile`, gzip optional), which `go tool pprof`,
/// Pyroscope and Grafana read, written without a protobuf library: the message has a dozen
/// fields and `swiftbpf` stays free of swift-protobuf and the Foundation it links.
///
/// Field numbers of profile.proto: Profile {sample_type 1, sample 2, mapping 3, location 4,
/// function 5, string_table 6, time_nanos 9, duration_nanos 10, period_type 11, period 12};
/// ValueType {type 1, unit 2}; Sample {location_id 1, value 2, label 3}; Label {key 1, str 2,
/// num 3}; Location {id 1, mapping_id 2, address 3, line 4}; Line {function_id 1, line 2};
/// Function {id 1, name 2, system_name 3, filename 4, start_line 5}.
public enum PprofProfile {
    /// The profile of `stacks`: two sample values, `samples/count` and `cpu/nanoseconds`
    /// (count × the sampling period), one location per distinct frame (with its address when
    /// known), the process as `comm` and `pid` labels, kernel functions with
    /// `[kernel.kallsyms]` as file name.
    public static func encode(_ stacks: [FoldedStack], frequency: UInt64, timeNanoseconds: Int64 = 0,
                              durationNanoseconds: Int64 = 0) -> [UInt8] {
        var strings: [String] = [""]
        var stringIndex: [String: Int] = ["": 0]
        func str(_ s: String) -> UInt64 {
            if let i = stringIndex[s] { return UInt64(i) }
            strings.append(s)
            stringIndex[s] = strings.count - 1
            return UInt64(strings.count - 1)
        }
        struct LocationKey: Hashable { var name: String, kind: FrameKind, address: UInt64 }
        var functionIDs: [FoldedFrame: UInt64] = [:]
        var functions: [(id: UInt64, frame: FoldedFrame)] = []
        var locationIDs: [LocationKey: UInt64] = [:]
        var locations: [(id: UInt64, function: UInt64, address: UInt64)] = []
        let period = Int64(1_000_000_000 / max(frequency, 1))

        var out = ProtobufWriter()
        for (type, unit) in [("samples", "count"), ("cpu", "nanoseconds")] {
            let t = str(type), u = str(unit)
            out.message(1) { $0.uint(1, t); $0.uint(2, u) }
        }
        for stack in stacks where stack.count > 0 {
            var ids: [UInt64] = []
            var comm: String?
            // pprof lists a sample's locations leaf first.
            for frame in stack.frames.reversed() {
                if frame.kind == .process {
                    comm = frame.name
                    continue
                }
                let fid: UInt64
                if let known = functionIDs[frame] { fid = known } else {
                    fid = UInt64(functions.count + 1)
                    functionIDs[frame] = fid
                    functions.append((fid, frame))
                }
                let key = LocationKey(name: frame.name, kind: frame.kind, address: frame.address ?? 0)
                if let known = locationIDs[key] { ids.append(known); continue }
                let lid = UInt64(locations.count + 1)
                locationIDs[key] = lid
                locations.append((lid, fid, frame.address ?? 0))
                ids.append(lid)
            }
            let commIndex = comm.map(str)
            let keys = (comm: str("comm"), pid: str("pid"))
            out.message(2) { s in
                s.packed(1, ids)
                s.packed(2, [stack.count, UInt64(bitPattern: Int64(stack.count) &* period)])
                if let commIndex { s.message(3) { $0.uint(1, keys.comm); $0.uint(2, commIndex) } }
                if let pid = stack.pid { s.message(3) { $0.uint(1, keys.pid); $0.uint(3, UInt64(pid)) } }
            }
        }
        for l in locations {
            out.message(4) { m in
                m.uint(1, l.id)
                m.uint(3, l.address)
                m.message(4) { $0.uint(1, l.function) }
            }
        }
        let kernelFile = str("[kernel.kallsyms]")
        for f in functions {
            let name = str(f.frame.name)
            out.message(5) { m in
                m.uint(1, f.id)
                m.uint(2, name)
                m.uint(3, name)
                if f.frame.kind == .kernel { m.uint(4, kernelFile) }
            }
        }
        // The string table is written last, once every string is known.
        var tail = ProtobufWriter()
        tail.int(9, timeNanoseconds)
        tail.int(10, durationNanoseconds)
        let periodType = (str("cpu"), str("nanoseconds"))
        tail.message(11) { $0.uint(1, periodType.0); $0.uint(2, periodType.1) }
        tail.int(12, period)
        for s in strings { out.string(6, s) }
        return out.bytes + tail.bytes
    }
}
