import Curriculum
import Foundation
import Testing

/// The replay pipeline as the CLI runs it: decode a line, handle it, encode the record.
@Suite struct ReplayRunnerTests {
    private func replay(_ lines: [String], policy: PolicyConfiguration = .sec(.init()),
                        staleness: StalenessConfiguration = .init(weighting: .polynomial, maximum: 2)) throws -> [String]
    {
        var runner = ReplayRunner(curriculum: try Curriculum(policy: policy, staleness: staleness))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try lines.enumerated().map { i, line in
            let record: ReplayRecord
            do {
                record = runner.handle(try JSONDecoder().decode(ReplayEvent.self, from: Data(line.utf8)), line: i + 1)
            } catch {
                record = runner.malformed(line: i + 1, reason: "undecodable")
            }
            return String(decoding: try encoder.encode(record), as: UTF8.self)
        }
    }

    @Test func reportsStepsAndErrors() throws {
        let out = try replay([
            #"{"category":"a","n":4,"sum_abs_adv":2,"sum_sq_adv":1,"sum_reward":3,"version":0}"#,
            #"{"category":"b","n":2,"sum_abs_adv":0.2,"sum_sq_adv":0.1,"sum_reward":1,"version":0,"share":1}"#,
            #"{"step":3}"#,
            #"{"category":"a","n":1,"sum_abs_adv":1,"sum_sq_adv":1,"sum_reward":1,"version":0}"#,
            #"{"category":"a","n":4,"sum_abs_adv":2,"sum_sq_adv":1,"sum_reward":3,"version":1}"#,
            #"{"category":"a","n":-1,"sum_abs_adv":0,"sum_sq_adv":0,"sum_reward":0,"version":3}"#,
            #"{"category":"a","n":1 "#,
            #"{"step":2}"#,
        ])
        #expect(out[0] == #"{"arms":[{"category":"a","p":1,"value":0.25}],"category":"a","line":1,"staleness":0,"version":0,"weight":1}"#)
        // Q = [0.25, 0.05]: p_a = 1 / (1 + e^-0.2) = 0.549833997312478 (see SECPolicyTests).
        #expect(out[1].contains(#""p":0.549833997312478"#))
        #expect(out[2].hasPrefix(#"{"arms":"#) && out[2].contains(#""line":3,"version":3}"#))
        #expect(out[3] == #"{"error":"too_stale","line":4,"reason":"staleness 3 exceeds the maximum 2"}"#)
        // s = 2, w = 3^-0.5 = 0.57735026918962576... (the last digit depends on libm's pow).
        #expect(out[4].contains(#""staleness":2"#) && out[4].contains(#""weight":0.577350269189625"#))
        #expect(out[5] == #"{"error":"negative_count","line":6,"reason":"the sample count n = -1 is negative"}"#)
        #expect(out[6] == #"{"error":"malformed_line","line":7,"reason":"undecodable"}"#)
        #expect(out[7] == #"{"error":"version_regression","line":8,"reason":"version 2 is behind the current version 3"}"#)
    }

    @Test func futureReportsAreRefused() throws {
        let out = try replay([#"{"category":"a","n":1,"sum_abs_adv":1,"sum_sq_adv":1,"sum_reward":1,"version":1}"#])
        #expect(out[0] == #"{"error":"future_version","line":1,"reason":"report version 1 is ahead of the current version 0"}"#)
    }
}
