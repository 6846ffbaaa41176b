import Foundation
import Testing

@testable import CurriculumCLI

/// The JSON line `curriculum worker` prints when it stops, read back with the type that writes it.
typealias Summary = WorkerCommand.Summary

extension WorkerCommand.Summary {
    static func parse(_ output: String) throws -> Self {
        let line = try #require(output.split(separator: "\n").last, "no summary line")
        return try JSONDecoder().decode(Self.self, from: Data(line.utf8))
    }
}
