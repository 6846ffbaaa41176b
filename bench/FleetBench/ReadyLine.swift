import Foundation

/// The `key=value` fields of the first line a `curriculum` child process writes once it
/// listens (`listening broadcast=URL requests=URL ...`).
enum ReadyLine {
    static func fields(of output: Pipe, name: String, logPath: String) throws -> [String: String] {
        var line = ""
        while !line.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw FleetError.coordinator("\(name) exited before listening; see \(logPath)") }
            line += String(decoding: chunk, as: UTF8.self)
        }
        return Dictionary(
            line.split(whereSeparator: \.isWhitespace).compactMap { field -> (String, String)? in
                let parts = field.split(separator: "=", maxSplits: 1)
                return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
            }, uniquingKeysWith: { first, _ in first })
    }
}
