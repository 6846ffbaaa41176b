import Foundation

/// What this machine offers ``NetworkLab``, probed once: whether it can run at all (root,
/// `ip netns`, veth pairs) and how it imposes faults.
struct LabEnvironment: Sendable {
    enum Mechanism: Sendable, Equatable {
        /// `tc qdisc ... netem` on the egress of both ends of each link.
        case netem
        /// iptables rules (statistic, TEE, NFQUEUE) for kernels built without sch_netem.
        case netfilter
    }

    struct Unavailable: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    let mechanism: Mechanism
    /// Why netem is not used, when it is not; the tests log it beside every fault.
    let netemUnavailable: String?
    /// Whether iptables works in a namespace: it counts packets on the wire, so the tests
    /// can check a fault really acted. With netem and no iptables they run without the counts.
    let iptables: Bool
    /// The interpreter of `scripts/nfqueue-delay.py`, which netfilter needs for delays.
    let python: String?

    /// Probed on first use; when the lab cannot run, says why once, for the skipped tests.
    static let probed: Result<LabEnvironment, Unavailable> = {
        let result = Result { try probe() }.mapError { $0 as? Unavailable ?? Unavailable(reason: "\($0)") }
        if case .failure(let unavailable) = result {
            print("network fault tests skipped: \(unavailable.reason)")
        }
        return result
    }()

    /// For `.enabled(if:)`: whether network fault tests can run here.
    static var isAvailable: Bool {
        (try? probed.get()) != nil
    }

    /// For the delay test: netem delays by itself; netfilter needs the NFQUEUE holder's python3.
    static func canDelay(for test: String) -> Bool {
        guard case .success(let environment) = probed else { return false }
        if environment.mechanism == .netfilter, environment.python == nil {
            print("\(test) skipped: this kernel has no sch_netem (\(environment.netemUnavailable ?? "")), and the "
                + "NFQUEUE delay that replaces it needs python3 for scripts/nfqueue-delay.py, which is not installed")
            return false
        }
        return true
    }

    private static func probe() throws -> LabEnvironment {
        guard geteuid() == 0 else {
            throw Unavailable(reason: "not running as root (euid \(geteuid())); network namespaces, veth links and "
                + "traffic control need it (CI runs as root)")
        }
        guard HostCommand.locate("ip") != nil else {
            throw Unavailable(reason: "iproute2's `ip` is not installed (apt-get install iproute2)")
        }
        let namespace = "cflprobe\(getpid())"
        do {
            try HostCommand.run(["ip", "netns", "add", namespace])
        } catch {
            throw Unavailable(reason: "cannot create a network namespace: \(error)")
        }
        defer { _ = try? HostCommand.run(["ip", "netns", "del", namespace]) }
        do {
            try HostCommand.run(["ip", "-n", namespace, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1"])
            try HostCommand.run(["ip", "-n", namespace, "link", "set", "probe0", "up"])
        } catch {
            throw Unavailable(reason: "cannot create a veth pair in a network namespace: \(error)")
        }

        var netemUnavailable: String?
        do {
            try HostCommand.run(["tc", "-n", namespace, "qdisc", "add", "dev", "probe0", "root", "netem", "delay", "1ms"])
        } catch let failed as HostCommand.Failed {
            netemUnavailable = "`tc qdisc add ... netem` said: \(failed.standardError.trimmingCharacters(in: .whitespacesAndNewlines))"
        }

        // Every match and target the netfilter mechanism and the packet counts use.
        let iptablesProbes: [[String]] = [
            ["-t", "raw", "-A", "PREROUTING", "-i", "probe0", "-m", "statistic", "--mode", "random",
             "--probability", "0.5", "-j", "DROP"],
            ["-t", "mangle", "-A", "POSTROUTING", "-o", "probe0", "-m", "conntrack", "!", "--ctstate", "UNTRACKED",
             "-j", "TEE", "--gateway", "192.0.2.1"],
            ["-t", "mangle", "-A", "PREROUTING", "-i", "probe0", "-j", "NFQUEUE", "--queue-num", "0"],
            ["-A", "INPUT", "-i", "probe0", "-m", "comment", "--comment", "probe"],
        ]
        var iptablesUnavailable: String?
        if HostCommand.locate("iptables") == nil {
            iptablesUnavailable = "iptables is not installed"
        } else {
            for rule in iptablesProbes where iptablesUnavailable == nil {
                do {
                    try HostCommand.run(["ip", "netns", "exec", namespace, "iptables"] + rule)
                } catch {
                    iptablesUnavailable = "\(error)"
                }
            }
        }
        if netemUnavailable != nil, let iptablesUnavailable {
            throw Unavailable(reason: "no way to impose faults: sch_netem is missing (\(netemUnavailable!)) and the "
                + "netfilter fallback is too (\(iptablesUnavailable))")
        }
        return LabEnvironment(
            mechanism: netemUnavailable == nil ? .netem : .netfilter, netemUnavailable: netemUnavailable,
            iptables: iptablesUnavailable == nil, python: HostCommand.locate("python3"))
    }
}
