#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the coordinator's state directory could not be read or written.
public enum StateStoreError: Error, Sendable, CustomStringConvertible {
    /// A system call failed.
    case system(String, path: String, errno: Int32)
    /// A file is not what the coordinator writes, or contradicts the others.
    case corrupt(path: String, reason: String)
    /// A snapshot could not be encoded.
    case encoding(String)

    public var description: String {
        switch self {
        case .system(let call, let path, let code):
            "\(call)(\(path)): \(String(cString: strerror(code))) (errno \(code))"
        case .corrupt(let path, let reason):
            "\(path) is not usable coordinator state: \(reason)"
        case .encoding(let reason):
            "cannot encode the coordinator snapshot: \(reason)"
        }
    }
}
