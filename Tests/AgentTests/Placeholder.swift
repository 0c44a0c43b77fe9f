import Testing
@testable import SwiftBPFAgent
