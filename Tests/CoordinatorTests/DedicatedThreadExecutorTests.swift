import Foundation
import Testing

@testable import Coordinator

@Suite struct DedicatedThreadExecutorTests {
    actor Counter {
        let executor = DedicatedThreadExecutor(name: "counter-thread")
        nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
        var count = 0
        var threadNames: Set<String> = []

        func increment() {
            count += 1
            threadNames.insert(Thread.current.name ?? "")
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
        let names = await counter.threadNames
        #expect(names == ["counter-thread"], "\(names)")
    }

    @Test func theCoordinatorRunsOffTheCooperativePool() async throws {
        let prefix = uniqueEndpointPrefix()
        let coordinator = try Coordinator(
            configuration: CoordinatorConfiguration(broadcastURL: "\(prefix)-b", reportsURL: "\(prefix)-r"))
        #expect(await coordinator.isolatedThreadName() == "coordinator")
    }
}

extension Coordinator {
    fileprivate func isolatedThreadName() -> String? {
        Thread.current.name
    }
}
