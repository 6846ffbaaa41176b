import Foundation

/// The lines of a file, or of standard input when the path is absent or "-".
struct InputLines: Sequence, IteratorProtocol {
    struct Unreadable: Error, CustomStringConvertible {
        var path: String
        var description: String { "cannot read \(path)" }
    }

    private var fileLines: IndexingIterator<[Substring]>?

    init(path: String?) throws {
        guard let path, path != "-" else { return }
        guard let data = FileManager.default.contents(atPath: path) else { throw Unreadable(path: path) }
        var lines = String(decoding: data, as: UTF8.self)
            .split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        // A final newline ends the last line; it does not start an empty one.
        if lines.last?.isEmpty == true { lines.removeLast() }
        fileLines = lines.makeIterator()
    }

    mutating func next() -> String? {
        if fileLines != nil { return fileLines?.next().map(String.init) }
        return readLine(strippingNewline: true)
    }
}
