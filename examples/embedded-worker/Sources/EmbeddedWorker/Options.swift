/// The command line: `EmbeddedWorker --broadcast URL --requests URL [--id ID] [--steps N] [--batch N]
/// [--categories a,b,c]`.
struct Options {
    var broadcastURL: String
    var requestsURL: String
    var workerID = "embedded-worker"
    var steps = 20
    var batchSize = 16
    var categories = ["embedded/easy", "embedded/hard"]

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    static let usage = """
        usage: EmbeddedWorker --broadcast URL --requests URL [--id ID] [--steps N] [--batch N] [--categories a,b,c]
        """

    init(arguments: [String]) throws(UsageError) {
        var values: [String: String] = [:]
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            guard ["--broadcast", "--requests", "--id", "--steps", "--batch", "--categories"].contains(flag) else {
                throw UsageError(description: "unknown argument \(flag)\n\(Self.usage)")
            }
            guard let value = remaining.popFirst() else {
                throw UsageError(description: "\(flag) needs a value\n\(Self.usage)")
            }
            values[flag] = value
        }
        guard let broadcast = values["--broadcast"], let requests = values["--requests"] else {
            throw UsageError(description: "--broadcast and --requests are required\n\(Self.usage)")
        }
        broadcastURL = broadcast
        requestsURL = requests
        if let id = values["--id"] { workerID = id }
        if let text = values["--steps"] { steps = try Self.positive(text, flag: "--steps") }
        if let text = values["--batch"] { batchSize = try Self.positive(text, flag: "--batch") }
        if let text = values["--categories"] {
            categories = text.split(separator: ",").map(String.init)
            guard !categories.isEmpty else { throw UsageError(description: "--categories names no category") }
        }
    }

    private static func positive(_ text: String, flag: String) throws(UsageError) -> Int {
        guard let value = Int(text), value > 0 else {
            throw UsageError(description: "\(flag) must be a positive whole number, got \(text)")
        }
        return value
    }
}
