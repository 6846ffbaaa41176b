import Coordinator
import CurriculumTestSupport
import Testing

/// The engine decides a report's change from `preview` before the state admits it, so
/// the two must agree on every ledger.
struct SequenceLedgerPreviewTests {
    @Test(arguments: [UInt64(0), 1, 4, 1 << 16])
    func previewAnswersWhatAdmitThenDoes(window: UInt64) {
        var random = TestRandom(seed: window + 11)
        var ledger = SequenceLedger(window: window)
        for _ in 0..<5_000 {
            let sequence = UInt64.random(in: 1...40, using: &random) + ledger.contiguousThrough / 2
            let floor = Bool.random(using: &random) ? 0 : UInt64.random(in: 0...(ledger.contiguousThrough + 6), using: &random)
            let before = ledger.contiguousThrough
            let (admission, watermarkMoves) = ledger.preview(sequence, settlingBelow: floor)
            var settledOnly = ledger
            settledOnly.settle(below: floor)
            #expect(watermarkMoves == (settledOnly.contiguousThrough != before))
            #expect(ledger.admit(sequence, settlingBelow: floor) == admission)
        }
    }
}
