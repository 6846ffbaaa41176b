import Foundation

/// FleetBench's command line: `--workers N --join-rate R --report-interval 2s --categories 16
/// --per-report 4 --duration 60s --relays N --coordinator-bin PATH --coordinator-arg ARG --json`.
struct FleetOptions {
    var workers = 100
    /// Node relays between the identities and the coordinator; 0 attaches them directly.
    var relays = 0
    var joinRate = 20.0
    var reportInterval = Duration.seconds(2)
    var categories = 16
    var perReport = 4
    /// The measured window, after the last identity has joined.
    var duration = Duration.seconds(60)
    var coordinatorBinary = ".build/release/curriculum"
    /// Extra `curriculum coordinator` arguments, one per `--coordinator-arg` (to find out
    /// what a setting such as `--publish-every` costs; the tables use the defaults).
    var coordinatorArguments: [String] = []
    var json = false

    /// Parses `arguments` (without the program name); a flag it does not know, or a value it
    /// cannot read, is an error naming it.
    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            if flag == "--json" {
                json = true
                continue
            }
            guard let value = rest.popFirst() else { throw FleetError.usage("\(flag) needs a value") }
            switch flag {
            case "--workers": workers = try Self.positiveInt(value, flag)
            case "--relays": relays = try Self.positiveInt(value, flag)
            case "--join-rate": joinRate = try Self.rate(value, flag)
            case "--report-interval": reportInterval = try Self.duration(value, flag)
            case "--categories": categories = try Self.positiveInt(value, flag)
            case "--per-report": perReport = try Self.positiveInt(value, flag)
            case "--duration": duration = try Self.duration(value, flag)
            case "--coordinator-bin": coordinatorBinary = value
            case "--coordinator-arg": coordinatorArguments.append(value)
            default: throw FleetError.usage("unknown flag \(flag)")
            }
        }
        guard perReport <= categories else { throw FleetError.usage("--per-report exceeds --categories") }
    }

    private static func positiveInt(_ text: String, _ flag: String) throws -> Int {
        guard let value = Int(text), value > 0 else { throw FleetError.usage("\(flag) wants a positive integer, got \(text)") }
        return value
    }

    /// `20`, `20/s`.
    private static func rate(_ text: String, _ flag: String) throws -> Double {
        let number = text.hasSuffix("/s") ? String(text.dropLast(2)) : text
        guard let value = Double(number), value > 0 else { throw FleetError.usage("\(flag) wants a rate like 20/s, got \(text)") }
        return value
    }

    /// `2s`, `500ms`, `1m`, or plain seconds.
    private static func duration(_ text: String, _ flag: String) throws -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        let (number, scale) = units.first { text.hasSuffix($0.0) }.map { (String(text.dropLast($0.0.count)), $0.1) }
            ?? (text, 1)
        guard let value = Double(number), value > 0 else { throw FleetError.usage("\(flag) wants a duration like 2s, got \(text)") }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }
}

enum FleetError: Error, CustomStringConvertible {
    case usage(String)
    case coordinator(String)

    var description: String {
        switch self {
        case .usage(let message): "usage: \(message)"
        case .coordinator(let message): "coordinator: \(message)"
        }
    }
}
