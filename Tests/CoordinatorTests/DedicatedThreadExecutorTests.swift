import Foundation
import Testing

@testable import Coordinator

@Suite struct DedicatedThreadExecutorTests {
    actor Counter {
        let executor = DedicatedThreadExecutor(name: "counter-thread")
        nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
        var count = 0
        var threads: Set<UInt> = []
        var allOnExecutorThread = true

        func increment() {
            count += 1
            threads.insert(UInt(pthread_self()))
            allOnExecutorThread = allOnExecutorThread && executor.isCurrentThread
        }

        deinit { executor.stop() }
    }

    @Test func anActorOnItRunsEveryJobOnItsOwnThreadOneAtATime() async {
        let counter = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<2_000 {
                group.addTask { await counter.increment() }
            }
        }
        #expect(await counter.count == 2_000)
        // Thread identity, not names: a name set from inside a Foundation thread does not
        // always take on Linux (6 of 25 runs read the pool's name instead).
        #expect(await counter.threads.count == 1)
        #expect(await counter.allOnExecutorThread)
    }

    @Test func theCoordinatorRunsOffTheCooperativePool() async throws {
        let prefix = uniqueEndpointPrefix()
        let coordinator = try Coordinator(
            configuration: CoordinatorConfiguration(
                broadcastURL: "\(prefix)-b", requestsURL: "\(prefix)-q", statusURL: "\(prefix)-s", reportsURL: "\(prefix)-r"))
        #expect(await coordinator.runsOnItsExecutorThread())
    }
}

extension Coordinator {
    fileprivate func runsOnItsExecutorThread() -> Bool {
        executor.isCurrentThread
    }
}
