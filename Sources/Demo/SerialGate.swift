/// Lets one task at a time through: an async mutex.
///
/// The demo drains its worker agents through it because `WorkerAgent.drain()` ends in
/// `nng_close`, which blocks the thread it runs on until nng has finished with the
/// socket. Many agents closing at once can occupy every thread of Swift's cooperative
/// pool (two on a 2-core machine) while nng waits for work that needs one of them: a
/// deadlock seen with 64 agents. One close at a time always leaves a thread free.
actor SerialGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func leave() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
