import CurriculumAuth
import Testing

struct ReplayWindowTests {
    @Test func inOrderCountersAreFreshOnceAndCopiesAreReplays() {
        var window = ReplayWindow(size: 64)
        for counter in UInt64(1)...200 {
            #expect(window.admit(counter) == .fresh)
            #expect(window.admit(counter) == .replayed)
        }
        #expect(window.highest == 200)
    }

    /// A restarted receiver resumes from a saved high-water mark: everything up to it is
    /// refused, whether still inside the window or older, and the sender's next counter is fresh.
    @Test func aResumedWindowRefusesEveryCounterUpToItsHighWaterMark() {
        var window = ReplayWindow(size: 64, resumingAfter: 500)
        #expect(window.highest == 500)
        #expect(window.admit(500) == .replayed)
        #expect(window.admit(437) == .replayed)
        #expect(window.admit(1) == .tooOld)
        #expect(window.admit(501) == .fresh)
        #expect(window.admit(499) == .replayed)
    }

    @Test func counterZeroIsNeverIssuedSoNeverAccepted() {
        var window = ReplayWindow()
        #expect(window.admit(0) == .tooOld)
        #expect(window.admit(1) == .fresh)
        #expect(window.admit(0) == .tooOld)
    }

    @Test func reorderedCountersInsideTheWindowAreEachAcceptedOnce() {
        var window = ReplayWindow(size: 64)
        #expect(window.admit(100) == .fresh)
        // Tracked: 100 down to 37.
        for counter in [UInt64](arrayLiteral: 99, 37, 64, 65, 63, 98) {
            #expect(window.admit(counter) == .fresh, "\(counter)")
            #expect(window.admit(counter) == .replayed, "\(counter)")
        }
        #expect(window.admit(36) == .tooOld)
        #expect(window.admit(100) == .replayed)
        #expect(window.highest == 100)
    }

    @Test func theWindowsEdgesAreExact() {
        var window = ReplayWindow(size: 1024)
        #expect(window.admit(5000) == .fresh)
        // 1024 counters are tracked: 5000 down to 3977. 3976 is one too old.
        #expect(window.admit(3977) == .fresh)
        #expect(window.admit(3976) == .tooOld)
        #expect(window.admit(1) == .tooOld)
        // Moving up by one pushes 3977 out.
        #expect(window.admit(5001) == .fresh)
        #expect(window.admit(3977) == .tooOld)
        #expect(window.admit(3978) == .fresh)
    }

    @Test func seenCountersKeepTheirMarksAcrossShiftsOfEveryWidth() {
        // Shifts by 1, 63, 64, 65 and 130 move marks across word boundaries.
        var window = ReplayWindow(size: 256)
        var admitted: [UInt64] = []
        var counter: UInt64 = 10
        for step in [UInt64](arrayLiteral: 1, 63, 64, 65, 130, 1, 7) {
            counter += step
            #expect(window.admit(counter) == .fresh)
            admitted.append(counter)
            for old in admitted {
                let expected: ReplayWindow.Admission = counter - old < 256 ? .replayed : .tooOld
                #expect(window.admit(old) == expected, "\(old) after \(counter)")
            }
        }
        // Every counter in the window that was never admitted is still fresh once.
        let inWindow = (counter - 255)...counter
        for candidate in inWindow where !admitted.contains(candidate) {
            #expect(window.admit(candidate) == .fresh, "\(candidate)")
        }
        for candidate in inWindow {
            #expect(window.admit(candidate) == .replayed, "\(candidate)")
        }
    }

    @Test func aJumpBeyondTheWindowForgetsEverythingBelow() {
        var window = ReplayWindow(size: 64)
        for counter in UInt64(1)...10 { _ = window.admit(counter) }
        #expect(window.admit(1_000_000) == .fresh)
        #expect(window.admit(999_937) == .fresh)
        #expect(window.admit(999_936) == .tooOld)
        #expect(window.admit(10) == .tooOld)
    }
}
