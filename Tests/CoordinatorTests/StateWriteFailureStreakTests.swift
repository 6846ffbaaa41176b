import Testing

@testable import Coordinator

#if canImport(Glibc)
import Glibc
#endif

struct StateWriteFailureStreakTests {
    @Test func aStreakIsLoggedOnceAndThenOnceAMinute() {
        var streak = StateWriteFailureStreak()
        let start = ContinuousClock.now
        #expect(streak.failed(at: start))
        // A coordinator under load commits every few milliseconds: none of these is logged.
        for millisecond in stride(from: 5, to: 59_999, by: 5) {
            #expect(!streak.failed(at: start + .milliseconds(millisecond)))
        }
        #expect(streak.failed(at: start + .seconds(60)))
        #expect(!streak.failed(at: start + .seconds(61)))
        #expect(streak.failures == 12_002)
    }

    @Test func successEndsTheStreakAndSaysHowLongItLasted() {
        var streak = StateWriteFailureStreak()
        let start = ContinuousClock.now
        #expect(streak.succeeded(at: start) == nil)
        _ = streak.failed(at: start)
        _ = streak.failed(at: start + .seconds(1))
        let ended = streak.succeeded(at: start + .seconds(3))
        #expect(ended?.failures == 2)
        #expect(ended?.duration == .seconds(3))
        #expect(streak.succeeded(at: start + .seconds(4)) == nil)
        // The next refusal starts a new streak, logged at once.
        #expect(streak.failed(at: start + .seconds(5)))
        #expect(streak.failures == 1)
    }

    @Test func aFullDiskNamesTheErrnoAndThePath() {
        let error = StateStoreError.system("write", path: "/var/lib/curriculum/journal-3.log", errno: ENOSPC)
        #expect(error.description == "write(/var/lib/curriculum/journal-3.log): No space left on device (ENOSPC, errno 28)")
        #expect(StateStoreError.system("read", path: "/x", errno: EAGAIN).description.hasSuffix("(errno \(EAGAIN))"))
    }
}
