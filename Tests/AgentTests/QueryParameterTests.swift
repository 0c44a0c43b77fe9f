import Hummingbird
import Testing
@testable import SwiftBPFAgent

/// The API's time parameters, shared by `/api/v1/events` and `/api/v1/profile`: Unix
/// nanoseconds or seconds with a fraction, and a bad value named in the error.
struct QueryParameterTests {
    func parameters(_ pairs: [(Substring, Substring)]) -> Parameters {
        var p = Parameters()
        for (k, v) in pairs { p[k] = v }
        return p
    }

    @Test func eventAndProfileQueriesReadTheSameTimes() throws {
        let p = parameters([("since", "1700000000000000000"), ("until", "1700000001.5")])
        let events = try EventQuery(parameters: p)
        let profile = try ProfileQuery(parameters: p)
        #expect(events.since == 1_700_000_000_000_000_000 && profile.since == events.since)
        #expect(events.until == 1_700_000_001_500_000_000 && profile.until == events.until)
    }

    @Test func aBadTimeIsNamed() {
        let p = parameters([("until", "yesterday")])
        #expect { try EventQuery(parameters: p) } throws: { "\($0)".contains("until must be Unix nanoseconds or seconds, got yesterday") }
        #expect { try ProfileQuery(parameters: p) } throws: { "\($0)".contains("until must be Unix nanoseconds or seconds, got yesterday") }
    }
}
