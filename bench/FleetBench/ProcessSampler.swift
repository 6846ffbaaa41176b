import Foundation

/// Reads a process's CPU time and peak resident set from /proc (Linux).
struct ProcessSampler {
    let pid: Int32

    /// User plus system time in seconds: fields 14 and 15 of /proc/PID/stat, in clock ticks.
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.lastIndex(of: ")")
        else { return .nan }
        // Fields after the command name, which may hold spaces: the 3rd field is at index 0.
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The peak resident set (`VmHWM`) in MiB.
    func peakResidentMiB() -> Double { statusField("VmHWM:") / 1024 }

    private func statusField(_ name: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
            let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        else { return .nan }
        return kilobytes
    }

    /// The 1, 5 and 15 minute load averages of the machine, as `uptime` prints them.
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
