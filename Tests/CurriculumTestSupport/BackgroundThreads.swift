import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs CPU-bound test work (the fuzzers) on threads of its own, one per seed, and
/// returns the results in seed order.
///
/// Off Swift's cooperative pool, so the tests running beside it keep its threads; and at
/// the lowest scheduling priority, so the processes other tests start (a coordinator
/// held to a publication cadence) keep the CPU on a 2-core machine.
public func onBackgroundThreads<T: Sendable>(
    seeds: [UInt64], _ body: @escaping @Sendable (UInt64) -> T
) async -> [T] {
    await withTaskGroup(of: (Int, T).self) { group in
        for (index, seed) in seeds.enumerated() {
            group.addTask {
                await withCheckedContinuation { continuation in
                    Thread {
                        #if os(Linux)
                        // Linux keeps the nice value per thread, and `who` 0 names the
                        // calling thread: this lowers only this one.
                        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
                        #endif
                        continuation.resume(returning: (index, body(seed)))
                    }.start()
                }
            }
        }
        var results: [(Int, T)] = []
        for await result in group { results.append(result) }
        return results.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
