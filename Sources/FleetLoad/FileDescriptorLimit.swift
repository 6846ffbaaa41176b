#if canImport(Glibc)
import Glibc

private let openFiles = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
#elseif canImport(Darwin)
import Darwin

private let openFiles = RLIMIT_NOFILE
#endif

/// The process's open-file limit.
public enum FileDescriptorLimit {
    /// Raises the soft limit on open files to at least `wanted` (capped by the hard limit);
    /// returns the soft limit in force afterwards. Each identity holds two sockets, each a tcp
    /// or ipc connection, and nng adds a few descriptors of its own: 1,000 identities need
    /// about 2,000 descriptors here and as many in a coordinator started afterwards (a child
    /// inherits the limit), more than the common default soft limit of 1,024.
    @discardableResult
    public static func raise(toAtLeast wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(openFiles, &limit) == 0 else { return 0 }
        if limit.rlim_cur < rlim_t(wanted) {
            var raised = limit
            raised.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
            if setrlimit(openFiles, &raised) == 0 { limit = raised }
        }
        return Int(limit.rlim_cur)
    }
}
