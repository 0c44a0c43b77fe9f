import BPF

/// execsnoop's generated bindings (`ExecsnoopObject`, from execsnoop.bpf.c) over the object of
/// its Swift twin, execsnoop_swift.bpf.swift: same programs, maps, load-time constants and
/// records, so the same typed bindings check and drive it.
struct ExecsnoopSwiftTwin: ToolObject {
    let bindings: ExecsnoopObject

    static func load(config: ExecsnoopObject.Config, options: LoadOptions) throws(BPFError) -> ExecsnoopSwiftTwin {
        var options = options
        config.apply(to: &options)
        let embedded = EmbeddedObjects.execsnoopSwift
        let object = try BPFObject(ObjectSpec(bytes: embedded.bytes, name: embedded.name), options: options)
        return ExecsnoopSwiftTwin(bindings: try ExecsnoopObject(object))
    }

    var object: BPFObject { bindings.object }
    var toolCgroup: UntypedMap { bindings.toolCgroup }
    var toolDropped: PerCPUArrayMap<UInt64> { bindings.toolDropped }
    var toolEvents: RingBufferMap<ExecsnoopObject.ExecEvent> { bindings.toolEvents }
}
