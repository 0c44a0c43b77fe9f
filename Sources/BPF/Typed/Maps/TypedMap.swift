/// A map whose kind and key and value types were checked once, when the value was made from an
/// untyped `Map`. Its calls then go straight to the kernel without checking sizes again.
///
/// Generated bindings (`swiftbpf gen`, the `BPFCompiler` plugin) declare one typed map per map
/// of an object, with key and value types generated from the map's BTF; a typed map can also be
/// made by hand from any `Map` with `init(_:)`.
public protocol TypedMap: Sendable {
    /// The untyped map underneath, for what the typed API does not offer (pinning, info, freeze).
    var map: Map { get }
    /// Makes the typed map, checking the map's type and its key and value sizes.
    /// - Throws: `BPFError.invalidArgument` naming the map, the expected and the actual shape.
    init(_ map: Map) throws(BPFError)
}

/// How a Swift type's layout relates to a map's key or value size, decided once.
@usableFromInline
enum SlotLayout: Sendable {
    /// `MemoryLayout<T>.size` is the slot size: the value's own bytes are passed.
    case exact
    /// Only the stride matches (a C struct with tail padding written without a padding field):
    /// the bytes are copied into a zeroed slot.
    case padded

    /// The layout of `T` for a slot of `size` bytes, or nil when neither size nor stride fits.
    static func of<T>(_: T.Type, size: Int) -> SlotLayout? {
        if MemoryLayout<T>.size == size { return .exact }
        if MemoryLayout<T>.stride == size { return .padded }
        return nil
    }
}

extension Map {
    /// Checks once that this map can be used as `typeName`: its type is one of `types`, its key
    /// size fits `Key` and its value size fits `Value` (`MemoryLayout` size, or stride for a
    /// struct whose C layout has tail padding). Pass `Void.self` for a side that is not checked.
    /// - Throws: `BPFError.invalidArgument` naming the map, the expected and the actual shape.
    func requireTyped<Key, Value>(
        _ typeName: String, types: [MapType], key: Key.Type, value: Value.Type
    ) throws(BPFError) -> (key: SlotLayout, value: SlotLayout) {
        let checksKey = Key.self != Void.self, checksValue = Value.self != Void.self
        let keyLayout = checksKey ? SlotLayout.of(Key.self, size: keySize) : .exact
        let valueLayout = checksValue ? SlotLayout.of(Value.self, size: valueSize) : .exact
        guard types.contains(type), let keyLayout, let valueLayout else {
            let kinds = types.map(\.description).joined(separator: " or ")
            let wantedKey = checksKey ? "\(MemoryLayout<Key>.size)-byte keys (\(Key.self))" : "any keys"
            let wantedValue = checksValue ? "\(MemoryLayout<Value>.size)-byte values (\(Value.self))" : "any values"
            throw .invalidArgument(
                "map '\(name)' cannot be used as \(typeName): expected a \(kinds) map with \(wantedKey) and \(wantedValue), "
                + "but it is a \(type) map with \(keySize)-byte keys and \(valueSize)-byte values")
        }
        return (keyLayout, valueLayout)
    }
}
