import ArgumentParser
import BPF
import ToolText

/// One tool of `swiftbpf`, in one folder: its BPF C in `bpf/`, its event and format types, and
/// one type conforming to this protocol, which says what the command line is (its options and
/// filters), how a record becomes an event, and how an event prints as columns and as JSON.
/// `ToolCommand<YourTool>` turns it into the `swiftbpf` subcommand.
///
/// A tool conforms through one of the two refinements, which also supply its run loop:
/// ``EventTool`` (one line per ring-buffer record) or ``IntervalTool`` (a summary per interval).
public protocol Tool {
    /// The tool's command line: its own options and the common groups it takes
    /// (``ToolOptions``, ``LatencyOptions``), validated before the tool loads.
    associatedtype Arguments: ToolArguments
    /// What one line (or one report) of output is made from.
    associatedtype Event

    /// The subcommand's name, abstract and discussion (`swiftbpf NAME --help`).
    static var configuration: CommandConfiguration { get }

    /// Loads the tool with the filters and options of `arguments` and attaches it: events start
    /// arriving at once.
    init(arguments: Arguments) throws

    /// The loaded tool: object, links, ring buffer and drop counter.
    var session: ToolSession { get }

    /// The line printed before the columns (BCC's header); nil for none. Not printed with --json.
    func header() -> String?

    /// One event (or report) in the tool's columns; `seconds` is the time since start with -T.
    func text(_ event: Event, seconds: Double?) -> String

    /// One event (or report) as one JSON object.
    func json(_ event: Event, seconds: Double?) -> String

    /// Prints events until Ctrl-C, SIGTERM or --duration. ``EventTool`` and ``IntervalTool``
    /// provide it; a tool with its own way of writing (opensnoop writes bytes) replaces it.
    func run(arguments: Arguments) throws
}

/// A tool's command line: what ``ToolCommand`` parses. The tool's own `ParsableArguments`
/// struct conforms by saying where its output options are.
public protocol ToolArguments: ParsableArguments {
    /// Columns or JSON, timestamps, --duration.
    var output: ToolOutputOptions { get }
}

extension Tool {
    /// The subcommand's name, for messages ("execsnoop: 3 events dropped").
    public static var name: String { configuration.commandName ?? "\(Self.self)" }

    public func header() -> String? { nil }
}

/// A tool that prints one line per record of its ring buffer (execsnoop, opensnoop, tcpconnect).
public protocol EventTool: Tool {
    /// The event in one ring-buffer record; nil skips the record (too short, unknown kind).
    func decode(_ record: UnsafeRawBufferPointer) -> Event?
}

extension EventTool {
    public func run(arguments: Arguments) throws {
        let output = arguments.output
        try EventLoop.run(session, tool: Self.name, output: output, header: header()) { record, seconds in
            guard let event = decode(record) else { return nil }
            return output.json ? json(event, seconds: seconds) : text(event, seconds: seconds)
        }
    }
}

/// A tool that aggregates in the kernel and prints a summary every interval and at the end
/// (syscount, runqlat, biolatency, profile).
public protocol IntervalTool: Tool {
    /// Seconds between reports; nil for one report at the end.
    var interval: Double? { get }

    /// The report of the interval that ended (`final`: the run ended), read from the maps and
    /// reset; nil when there is nothing to print this time.
    func take(final: Bool) throws -> Event?

    /// After the last report: what the kernel side could not count, on stderr (and with --json
    /// as a record). The default reports nothing.
    func finish(json: Bool) throws
}

extension IntervalTool {
    public func finish(json: Bool) throws {}

    public func run(arguments: Arguments) throws {
        let output = arguments.output
        let start = TimeText.monotonicSeconds()
        if !output.json, let header = header() {
            print(header)
            Output.flush()
        }
        try IntervalLoop.run(interval: interval, duration: output.duration) { final in
            guard let report = try take(final: final) else { return }
            let seconds = output.timestamp ? TimeText.monotonicSeconds() - start : nil
            print(output.json ? json(report, seconds: seconds) : text(report, seconds: seconds))
            Output.flush()
        }
        session.stop()
        try finish(json: output.json)
    }
}
