import BPF

/// runqlat's generated bindings (`RunqlatObject`, from runqlat.bpf.c) over the object of its
/// Swift twin, runqlat_swift.bpf.swift: same programs, maps, load-time constants and globals,
/// so the same typed bindings check and drive it.
struct RunqlatSwiftTwin: ToolObject {
    let bindings: RunqlatObject

    static func load(config: RunqlatObject.Config, options: LoadOptions) throws(BPFError) -> RunqlatSwiftTwin {
        var options = options
        config.apply(to: &options)
        let embedded = EmbeddedObjects.runqlatSwift
        let object = try BPFObject(ObjectSpec(bytes: embedded.bytes, name: embedded.name), options: options)
        return RunqlatSwiftTwin(bindings: try RunqlatObject(object))
    }

    var object: BPFObject { bindings.object }
    var toolCgroup: UntypedMap { bindings.toolCgroup }
    var toolDropped: PerCPUArrayMap<UInt64> { bindings.toolDropped }
    var toolEvents: UntypedMap { bindings.toolEvents }
}
