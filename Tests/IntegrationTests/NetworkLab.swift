import Foundation

/// A head host and worker hosts as Linux network namespaces, each worker joined to the
/// head by its own veth link, with faults imposed on those links.
///
/// ```
///   root namespace (the test, its StatusMonitor)
///        | cfl<pid>  <->  to-root        B.250.2 <-> B.250.1, never faulted
///   cfl<pid>-head: listens on B.0.1 (on lo)
///        | to-w1 <-> to-head              B.1.1 <-> B.1.2, faulted
///   cfl<pid>-w1                           (likewise cfl<pid>-w2 over B.2.x)
/// ```
///
/// B is 10.(100 + pid % 100), so that a lab's addresses in the root namespace differ from
/// another test process's. Everything is named after the test process's pid: a lab
/// removes, when it starts, what an earlier lab of a process no longer running (or of
/// this one) left behind, and ``tearDown()`` removes its own, processes inside included.
final class NetworkLab {
    struct Worker {
        let namespace: String
        let address: String
        /// The head's end of this worker's link.
        let headLinkAddress: String
        /// The head's interface towards this worker.
        let headInterface: String
    }

    static let prefix = "cfl"
    static let workerInterface = "to-head"

    let environment: LabEnvironment
    let head: String
    let workers: [Worker]
    /// The head's service address: services listen on it; workers reach it through their
    /// links, the root namespace through its own.
    let serviceAddress: String
    private let rootInterface: String
    private let block: String

    private let retransmitTimeoutCap: Duration?

    /// - Parameter retransmitTimeoutCap: the most TCP may wait before retransmitting
    ///   (`net.ipv4.tcp_rto_max_ms`, 120 s by default); nil leaves the default.
    init(workers count: Int = 2, retransmitTimeoutCap: Duration? = nil) throws {
        self.retransmitTimeoutCap = retransmitTimeoutCap
        environment = try LabEnvironment.probed.get()
        let pid = getpid()
        let name = "\(Self.prefix)\(pid)"
        let block = "10.\(100 + pid % 100)"
        self.block = block
        head = "\(name)-head"
        serviceAddress = "\(block).0.1"
        rootInterface = name
        workers = (1...count).map { index in
            Worker(namespace: "\(name)-w\(index)", address: "\(block).\(index).2",
                   headLinkAddress: "\(block).\(index).1", headInterface: "to-w\(index)")
        }
        Self.removeLeftovers()
        do {
            try build()
        } catch {
            tearDown()
            throw error
        }
    }

    private var namespaces: [String] { [head] + workers.map(\.namespace) }

    private func build() throws {
        for namespace in namespaces {
            try ip("netns", "add", namespace)
            try ip("-n", namespace, "link", "set", "lo", "up")
        }
        try ip("-n", head, "addr", "add", "\(serviceAddress)/32", "dev", "lo")
        if let retransmitTimeoutCap { capRetransmitTimeout(at: retransmitTimeoutCap) }
        for worker in workers {
            try ip("link", "add", worker.headInterface, "netns", head, "type", "veth",
                   "peer", "name", Self.workerInterface, "netns", worker.namespace)
            try ip("-n", head, "addr", "add", "\(worker.headLinkAddress)/24", "dev", worker.headInterface)
            try ip("-n", head, "link", "set", worker.headInterface, "up")
            try ip("-n", worker.namespace, "addr", "add", "\(worker.address)/24", "dev", Self.workerInterface)
            try ip("-n", worker.namespace, "link", "set", Self.workerInterface, "up")
            try ip("-n", worker.namespace, "route", "add", "default", "via", worker.headLinkAddress)
        }
        try ip("link", "add", rootInterface, "type", "veth", "peer", "name", "to-root", "netns", head)
        try ip("addr", "add", "\(block).250.2/24", "dev", rootInterface)
        try ip("link", "set", rootInterface, "up")
        try ip("-n", head, "addr", "add", "\(block).250.1/24", "dev", "to-root")
        try ip("-n", head, "link", "set", "to-root", "up")
        try ip("route", "add", "\(serviceAddress)/32", "via", "\(block).250.1", "dev", rootInterface)
        if environment.iptables { try installCounters() }
        print("NetworkLab \(rootInterface): head \(head) serving on \(serviceAddress), workers "
            + workers.map { "\($0.namespace) (\($0.address))" }.joined(separator: ", ")
            + "; faults via \(mechanismName)")
    }

    private func capRetransmitTimeout(at cap: Duration) {
        let milliseconds = cap.components.seconds * 1000 + cap.components.attoseconds / 1_000_000_000_000_000
        do {
            for namespace in namespaces {
                // /proc/sys/net shows the namespace of whoever opens it.
                try run(in: namespace, ["sh", "-c", "echo \(milliseconds) > /proc/sys/net/ipv4/tcp_rto_max_ms"])
            }
            print("NetworkLab: TCP's retransmission timeout capped at \(milliseconds) ms in every namespace "
                + "(net.ipv4.tcp_rto_max_ms)")
        } catch {
            print("NetworkLab: TCP's retransmission timeout left at its default, this kernel cannot cap it "
                + "(net.ipv4.tcp_rto_max_ms needs Linux 6.15): \(error)")
        }
    }

    /// "netem" or "netfilter", for the figures' lines.
    var mechanismTag: String {
        switch environment.mechanism {
        case .netem: "netem"
        case .netfilter: "netfilter"
        }
    }

    var mechanismName: String {
        switch environment.mechanism {
        case .netem: "tc netem"
        case .netfilter: "netfilter (no sch_netem in this kernel: \(environment.netemUnavailable ?? "?"))"
        }
    }

    // MARK: - Processes

    /// Runs `curriculum ARGUMENTS` inside `namespace`. `ip netns exec` execs the command, so
    /// signals sent to the process reach `curriculum` itself.
    func curriculum(in namespace: String, _ arguments: [String], name: String) throws -> CurriculumProcess {
        try CurriculumProcess(
            executable: URL(fileURLWithPath: HostCommand.locate("ip") ?? "/usr/sbin/ip"),
            ["netns", "exec", namespace, CurriculumProcess.executable.path] + arguments, name: name)
    }

    /// Runs a command to completion inside `namespace`.
    @discardableResult
    func run(in namespace: String, _ command: [String]) throws -> String {
        try HostCommand.run(["ip", "netns", "exec", namespace] + command)
    }

    // MARK: - Faults

    /// One end of a head-worker link: the namespace, its interface, the address across.
    private struct End {
        let namespace: String
        let interface: String
        let peer: String
    }

    private var ends: [End] {
        workers.flatMap { worker in
            [End(namespace: head, interface: worker.headInterface, peer: worker.address),
             End(namespace: worker.namespace, interface: Self.workerInterface, peer: worker.headLinkAddress)]
        }
    }

    /// Imposes `fault` on both directions of every head-worker link (never on the root
    /// namespace's link, so the test keeps watching the coordinator).
    func apply(_ fault: NetworkFault) async throws -> AppliedFault {
        let applied = switch environment.mechanism {
        case .netem: try applyNetem(fault)
        case .netfilter: try await applyNetfilter(fault)
        }
        print("fault: \(fault) via \(applied.mechanism)")
        return applied
    }

    private func applyNetem(_ fault: NetworkFault) throws -> AppliedFault {
        var undo: [[String]] = []
        for end in ends {
            try HostCommand.run(["tc", "-n", end.namespace, "qdisc", "add", "dev", end.interface, "root", "netem"]
                + fault.netemArguments)
            undo.append(["tc", "-n", end.namespace, "qdisc", "del", "dev", end.interface, "root"])
        }
        let mechanism = "tc netem \(fault.netemArguments.joined(separator: " ")) on the egress of both ends of "
            + linkNames
        return AppliedFault(fault: fault, mechanism: mechanism, undo: undo, holders: [])
    }

    private var linkNames: String {
        workers.map { "head<->\($0.namespace)" }.joined(separator: ", ")
    }

    private func applyNetfilter(_ fault: NetworkFault) async throws -> AppliedFault {
        let tag = ["-m", "comment", "--comment", "cfl-fault"]
        var holders: [CurriculumProcess] = []
        let mechanism: String
        // (table, chain, rule) per end. Loss, partition and delay act where a direction's
        // packets arrive, as on a real link: a DROP or QUEUE on the sender's OUTPUT would
        // instead hand the sending TCP an error (EPERM) and a prompt retry.
        let rules: (End) -> (String, String, [String])
        switch fault {
        case .loss(let percent):
            let probability = "\(Double(percent) / 100)"
            mechanism = "iptables -t raw PREROUTING -m statistic --mode random --probability \(probability) -j DROP "
                + "where each direction arrives on \(linkNames)"
            rules = { end in ("raw", "PREROUTING", ["-i", end.interface, "-m", "statistic", "--mode", "random",
                                                    "--probability", probability] + tag + ["-j", "DROP"]) }
        case .partition:
            mechanism = "iptables -t raw PREROUTING -j DROP where each direction arrives on \(linkNames)"
            rules = { end in ("raw", "PREROUTING", ["-i", end.interface] + tag + ["-j", "DROP"]) }
        case .duplication(let percent):
            let probability = "\(Double(percent) / 100)"
            // TEE sends a copy of the packet to the address across the link, on top of the
            // original. Its copies are untracked, which keeps them from being copied again
            // and out of the wire counters' "sent".
            mechanism = "iptables -t mangle POSTROUTING -m statistic --mode random --probability \(probability) "
                + "-j TEE --gateway <peer> where each direction leaves on \(linkNames)"
            rules = { end in ("mangle", "POSTROUTING", ["-o", end.interface, "-m", "conntrack", "!", "--ctstate",
                                                        "UNTRACKED", "-m", "statistic", "--mode", "random",
                                                        "--probability", probability] + tag
                                                        + ["-j", "TEE", "--gateway", end.peer]) }
        case .delay(let milliseconds, let jitter):
            guard let python = environment.python else {
                throw HostCommand.Failed(command: ["python3"], status: -1,
                                         standardError: "python3 is needed for the NFQUEUE delay holder")
            }
            let script = Self.repositoryRoot.appending(path: "scripts/nfqueue-delay.py").path
            // NFQUEUE is per namespace: a holder in each namespace a direction arrives in.
            for (index, namespace) in namespaces.enumerated() {
                let holder = try CurriculumProcess(
                    executable: URL(fileURLWithPath: HostCommand.locate("ip") ?? "/usr/sbin/ip"),
                    ["netns", "exec", namespace, python, script, "--queue", "0", "--delay-ms", "\(milliseconds)",
                     "--jitter-ms", "\(jitter)", "--seed", "\(index + 1)"],
                    name: "nfqueue-delay in \(namespace)")
                holders.append(holder)
                let ready = try await holder.firstLine(timeout: .seconds(10))
                guard ready.hasPrefix("ready") else {
                    throw HostCommand.Failed(command: [script], status: -1, standardError: ready)
                }
            }
            mechanism = "iptables -t mangle PREROUTING -j NFQUEUE --queue-num 0 where each direction arrives on "
                + "\(linkNames), each packet's verdict held \(milliseconds - jitter)..\(milliseconds + jitter) ms "
                + "(uniform) by scripts/nfqueue-delay.py in every namespace"
            rules = { end in ("mangle", "PREROUTING", ["-i", end.interface] + tag
                                                      + ["-j", "NFQUEUE", "--queue-num", "0"]) }
        }
        var undo: [[String]] = []
        for end in ends {
            let (table, chain, rule) = rules(end)
            try run(in: end.namespace, ["iptables", "-t", table, "-A", chain] + rule)
            undo.append(["ip", "netns", "exec", end.namespace, "iptables", "-t", table, "-D", chain] + rule)
        }
        return AppliedFault(fault: fault, mechanism: "netfilter: \(mechanism)", undo: undo, holders: holders)
    }

    /// Takes `applied` away; for a netfilter delay, returns what each holder reports it did,
    /// by the holder's name.
    @discardableResult
    func remove(_ applied: AppliedFault) async throws -> [(holder: String, report: DelayHolderReport)] {
        for command in applied.undo { try HostCommand.run(command) }
        var reports: [(String, DelayHolderReport)] = []
        // The rules are gone, so nothing more is queued; a holder lets go of what it holds when stopped.
        for holder in applied.holders {
            holder.signal(SIGTERM)
            let output = try await holder.outputAfterExit(timeout: .seconds(10))
            let line = output.split(separator: "\n").last.map(String.init) ?? ""
            reports.append((holder.name, try JSONDecoder().decode(DelayHolderReport.self, from: Data(line.utf8))))
        }
        return reports
    }

    /// Round-trip times from `worker` to the head, in milliseconds, or nil without python3:
    /// each a TCP connection attempt to a closed port, timed from SYN to RST.
    func roundTrips(from worker: Worker, count: Int) throws -> [Double]? {
        guard let python = environment.python else { return nil }
        let script = """
            import socket, time
            for _ in range(\(count)):
                s = socket.socket(); s.settimeout(5); t = time.monotonic()
                try: s.connect(("\(serviceAddress)", 9))
                except ConnectionRefusedError: print(round((time.monotonic() - t) * 1000, 1))
                finally: s.close()
            """
        return try run(in: worker.namespace, [python, "-c", script]).split(separator: "\n").compactMap { Double($0) }
    }

    // MARK: - Packet counts

    private func installCounters() throws {
        for end in ends {
            // "Sent" is counted before any fault acts, and leaves out TEE's copies (untracked).
            try run(in: end.namespace, ["iptables", "-t", "mangle", "-A", "OUTPUT", "-o", end.interface,
                                        "-m", "conntrack", "!", "--ctstate", "UNTRACKED",
                                        "-m", "comment", "--comment", "cfl-sent-\(end.interface)"])
            // "Delivered" is counted after every fault, on the way to the local socket.
            try run(in: end.namespace, ["iptables", "-A", "INPUT", "-i", end.interface,
                                        "-m", "comment", "--comment", "cfl-delivered-\(end.interface)"])
        }
    }

    /// The packet counts now, or nil without iptables.
    func wireCounters() throws -> WireCounters? {
        guard environment.iptables else { return nil }
        var counters = WireCounters()
        for worker in workers {
            let headSent = try count(in: head, table: "mangle", chain: "OUTPUT", "cfl-sent-\(worker.headInterface)")
            let headDelivered = try count(in: head, table: "filter", chain: "INPUT",
                                          "cfl-delivered-\(worker.headInterface)")
            let workerSent = try count(in: worker.namespace, table: "mangle", chain: "OUTPUT",
                                       "cfl-sent-\(Self.workerInterface)")
            let workerDelivered = try count(in: worker.namespace, table: "filter", chain: "INPUT",
                                            "cfl-delivered-\(Self.workerInterface)")
            counters.headToWorker.sent += headSent
            counters.headToWorker.delivered += workerDelivered
            counters.workerToHead.sent += workerSent
            counters.workerToHead.delivered += headDelivered
        }
        return counters
    }

    private func count(in namespace: String, table: String, chain: String, _ comment: String) throws -> Int {
        let listing = try run(in: namespace, ["iptables", "-t", table, "-L", chain, "-v", "-x", "-n"])
        guard let line = listing.split(separator: "\n").first(where: { $0.contains("/* \(comment) */") }),
              let packets = line.split(separator: " ").first.flatMap({ Int($0) })
        else {
            throw HostCommand.Failed(command: ["iptables", "-L", chain], status: 0,
                                     standardError: "no counter \(comment) in:\n\(listing)")
        }
        return packets
    }

    // MARK: - Teardown

    /// Removes the namespaces (killing what still runs in them) and the root namespace's
    /// link. Safe to call more than once.
    func tearDown() {
        for namespace in namespaces { Self.removeNamespace(namespace) }
        _ = try? HostCommand.run(["ip", "link", "del", rootInterface])
    }

    private static func removeNamespace(_ namespace: String) {
        let pids = (try? HostCommand.run(["ip", "netns", "pids", namespace])) ?? ""
        for pid in pids.split(separator: "\n").compactMap({ pid_t($0.trimmingCharacters(in: .whitespaces)) }) {
            kill(pid, SIGKILL)
        }
        _ = try? HostCommand.run(["ip", "netns", "del", namespace])
    }

    /// Removes namespaces and root links named after a test process that no longer runs,
    /// or after this one (left by a lab that could not finish its teardown).
    private static func removeLeftovers() {
        func abandoned(_ name: Substring) -> Bool {
            let digits = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard name.hasPrefix(prefix), let pid = pid_t(digits) else { return false }
            return pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH)
        }
        let namespaces = (try? HostCommand.run(["ip", "netns", "list"])) ?? ""
        for line in namespaces.split(separator: "\n") {
            guard let name = line.split(separator: " ").first, abandoned(name), name.contains("-") else { continue }
            removeNamespace(String(name))
        }
        let links = (try? HostCommand.run(["ip", "-o", "link", "show"])) ?? ""
        for line in links.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count > 1 else { continue }
            let name = fields[1].trimmingCharacters(in: .whitespaces).split(separator: "@").first ?? ""
            if abandoned(name), name.dropFirst(prefix.count).allSatisfy(\.isNumber) {
                _ = try? HostCommand.run(["ip", "link", "del", String(name)])
            }
        }
    }

    static let repositoryRoot = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private func ip(_ arguments: String...) throws {
        try HostCommand.run(["ip"] + arguments)
    }
}
