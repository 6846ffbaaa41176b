import Foundation
import Synchronization

/// A serial executor with a thread of its own, for an actor whose work blocks: the
/// coordinator waits in `fdatasync` before anything leaves it. On Swift's cooperative pool
/// (one thread per core) that wait would stall a thread other tasks need, such as the
/// worker agents of the same process; here it stalls only this one.
final class DedicatedThreadExecutor: SerialExecutor {
    private enum Work {
        case run(UnownedJob)
        case stop
    }

    private let queue = Mutex<[Work]>([])
    private let wakeUp = DispatchSemaphore(value: 0)
    /// The thread's identity, set before it runs any job.
    private let thread = Mutex<pthread_t?>(nil)

    /// `name` shows in debuggers and `top -H`; Linux refuses names over 15 bytes.
    init(name: String) {
        Thread.detachNewThread { [self] in
            thread.withLock { $0 = pthread_self() }
            // Named from inside: swift-corelibs-foundation does not pass a name set before
            // start to the system thread, where debuggers and `top -H` read it. (Best effort:
            // the name does not always take; `isCurrentThread` is what code may rely on.)
            Thread.current.name = name
            serve()
        }
    }

    /// Whether the caller runs on this executor's thread.
    var isCurrentThread: Bool {
        thread.withLock { $0.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    /// Ends the thread once the jobs enqueued before are run. Nothing may be enqueued after.
    func stop() {
        queue.withLock { $0.append(.stop) }
        wakeUp.signal()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.append(.run(job)) }
        wakeUp.signal()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    private func serve() {
        while true {
            wakeUp.wait()
            switch queue.withLock({ $0.removeFirst() }) {
            case .run(let job): job.runSynchronously(on: asUnownedSerialExecutor())
            case .stop: return
            }
        }
    }
}
