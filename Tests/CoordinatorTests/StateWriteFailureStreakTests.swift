import Testing

@testable import Coordinator

#if canImport(Glibc)
import Glibc
#endif

struct StateWriteFailureStreakTests {
    @Test func aStreakIsLoggedOnceAndThenOnceAMinute() {
        var streak = StateWriteFailureStreak()
        let start = ContinuousClock.now
        var logged: [Duration] = []
        // A coordinator under load commits every few milliseconds.
        for millisecond in stride(from: 0, through: 61_000, by: 5) {
            if streak.failed(at: start + .milliseconds(millisecond)) { logged.append(.milliseconds(millisecond)) }
        }
        #expect(logged == [.zero, .seconds(60)])
        #expect(streak.failures == 12_201)
    }

    @Test func successEndsTheStreakAndSaysHowLongItLasted() {
        var streak = StateWriteFailureStreak()
        let start = ContinuousClock.now
        let none = streak.succeeded(at: start)
        #expect(none == nil)
        _ = streak.failed(at: start)
        _ = streak.failed(at: start + .seconds(1))
        let ended = streak.succeeded(at: start + .seconds(3))
        #expect(ended?.failures == 2)
        #expect(ended?.duration == .seconds(3))
        let after = streak.succeeded(at: start + .seconds(4))
        #expect(after == nil)
        // The next refusal starts a new streak, logged at once.
        let next = streak.failed(at: start + .seconds(5))
        #expect(next)
        #expect(streak.failures == 1)
    }

    @Test func aFullDiskNamesTheErrnoAndThePath() {
        let error = StateStoreError.system("write", path: "/var/lib/curriculum/journal-3.log", errno: ENOSPC)
        #expect(error.description == "write(/var/lib/curriculum/journal-3.log): No space left on device (ENOSPC, errno 28)")
        #expect(StateStoreError.system("read", path: "/x", errno: EAGAIN).description.hasSuffix("(errno \(EAGAIN))"))
    }
}
