import CurriculumTestSupport
import Testing

@testable import Coordinator

struct SequenceLedgerTests {
    @Test func inOrderSequencesAdvanceTheWatermark() {
        var ledger = SequenceLedger()
        for sequence in UInt64(1)...5 {
            #expect(ledger.admit(sequence) == .new)
        }
        #expect(ledger.contiguousThrough == 5)
        #expect(ledger.selectiveAcknowledgements(limit: 10).isEmpty)
    }

    @Test func outOfOrderSequencesAreKeptAboveTheGapUntilItFills() {
        var ledger = SequenceLedger()
        #expect(ledger.admit(3) == .new)
        #expect(ledger.admit(5) == .new)
        #expect(ledger.contiguousThrough == 0)
        #expect(ledger.selectiveAcknowledgements(limit: 10) == [3, 5])
        #expect(ledger.admit(1) == .new)
        #expect(ledger.contiguousThrough == 1)
        #expect(ledger.admit(2) == .new)
        #expect(ledger.contiguousThrough == 3)
        #expect(ledger.selectiveAcknowledgements(limit: 10) == [5])
    }

    @Test func everyRepeatIsADuplicate() {
        var ledger = SequenceLedger()
        _ = ledger.admit(1)
        _ = ledger.admit(4)
        #expect(ledger.admit(1) == .duplicate)
        #expect(ledger.admit(4) == .duplicate)
        #expect(ledger.admit(2) == .new)
        #expect(ledger.admit(2) == .duplicate)
    }

    @Test func sequencesBeyondTheWindowAreNeitherMergedNorRemembered() {
        var ledger = SequenceLedger(window: 8)
        #expect(ledger.admit(9) == .outOfWindow)
        #expect(ledger.admit(8) == .new)
        #expect(ledger.admit(9) == .outOfWindow)
        for sequence in UInt64(1)...7 { _ = ledger.admit(sequence) }
        #expect(ledger.admit(9) == .new)
        #expect(ledger.contiguousThrough == 9)
    }

    @Test func aResendFloorClosesAbandonedGaps() {
        var ledger = SequenceLedger()
        _ = ledger.admit(1)
        _ = ledger.admit(4)
        _ = ledger.admit(6)
        // The worker abandoned 2 and 3: it will never send them.
        ledger.settle(below: 4)
        #expect(ledger.contiguousThrough == 4)
        #expect(ledger.selectiveAcknowledgements(limit: 10) == [6])
        // A floor below the watermark changes nothing.
        ledger.settle(below: 2)
        #expect(ledger.contiguousThrough == 4)
        #expect(ledger.admit(3) == .duplicate)
    }

    @Test func randomDeliveryWithDuplicatesAdmitsEachSequenceExactlyOnce() {
        var generator = TestRandom(seed: 42)
        var deliveries: [UInt64] = []
        for sequence in UInt64(1)...2_000 {
            deliveries.append(sequence)
            if generator.next() % 10 == 0 { deliveries.append(sequence) }
        }
        deliveries.shuffle(using: &generator)
        var ledger = SequenceLedger()
        var admitted = Set<UInt64>()
        for sequence in deliveries where ledger.admit(sequence) == .new {
            #expect(admitted.insert(sequence).inserted)
        }
        #expect(admitted.count == 2_000)
        #expect(ledger.contiguousThrough == 2_000)
    }
}
