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
            "\(call)(\(path)): \(String(cString: strerror(code))) (\(Self.symbol(errno: code).map { "\($0), " } ?? "")errno \(code))"
        case .corrupt(let path, let reason):
            "\(path) is not usable coordinator state: \(reason)"
        case .encoding(let reason):
            "cannot encode the coordinator snapshot: \(reason)"
        }
    }

    /// The names of the errors a write to the state directory meets, so an operator can
    /// search for `ENOSPC` as well as read strerror's sentence.
    static func symbol(errno code: Int32) -> String? {
        switch code {
        case ENOSPC: "ENOSPC"
        case EDQUOT: "EDQUOT"
        case EIO: "EIO"
        case EROFS: "EROFS"
        case EFBIG: "EFBIG"
        case EACCES: "EACCES"
        case EPERM: "EPERM"
        case ENOENT: "ENOENT"
        default: nil
        }
    }
}
