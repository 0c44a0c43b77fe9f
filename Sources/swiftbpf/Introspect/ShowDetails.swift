/// What the `prog|map|link show` commands share: every object's details when no target is
/// given, else the one the reference names; JSON or text.
enum ShowDetails {
    static func run<Details>(_ target: [String], json: Bool, what: String, all: () throws -> [Details],
                             open: (ObjectReference) throws -> Details,
                             toJSON: (Details) -> JSONNode, toText: (Details) -> String) throws {
        if target.isEmpty {
            let details = try all()
            print(json ? JSONNode.array(details.map(toJSON)).text : details.map(toText).joined(separator: "\n"))
            return
        }
        let ref = try ObjectReference.parseWhole(target, what: what)
        let details = try open(ref)
        print(json ? toJSON(details).text : toText(details))
    }
}
