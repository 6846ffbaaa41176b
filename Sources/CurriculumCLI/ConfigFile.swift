import ArgumentParser
import Foundation

/// `--config FILE`: a JSON object whose keys are a command's long flag names and
/// whose values are their arguments, e.g. `{"policy": "sec", "alpha": 0.4,
/// "categories": "easy,hard", "strict-categories": true}`. The file's flags are
/// placed before the command line's, so a flag given on the command line wins.
enum ConfigFile {
    struct Invalid: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "config file \(path): \(reason)" }
    }

    /// The arguments with every `--config FILE` replaced by the file's flags,
    /// which move to just after the subcommand name.
    static func expand(_ arguments: [String]) throws -> [String] {
        var rest: [String] = []
        var fromFiles: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--config" {
                guard index + 1 < arguments.endIndex else { throw Invalid(path: "", reason: "--config needs a path") }
                fromFiles += try flags(fromFile: arguments[index + 1])
                index += 2
            } else if argument.hasPrefix("--config=") {
                fromFiles += try flags(fromFile: String(argument.dropFirst("--config=".count)))
                index += 1
            } else {
                rest.append(argument)
                index += 1
            }
        }
        guard !fromFiles.isEmpty else { return rest }
        // Subcommand names come first; everything after them is the subcommand's.
        let subcommandCount = rest.prefix { !$0.hasPrefix("-") }.count
        return Array(rest.prefix(subcommandCount)) + fromFiles + rest.dropFirst(subcommandCount)
    }

    static func flags(fromFile path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Invalid(path: path, reason: "cannot be read")
        }
        let object: [String: Value]
        do {
            object = try JSONDecoder().decode([String: Value].self, from: data)
        } catch {
            throw Invalid(path: path, reason: "is not a JSON object of strings, numbers, booleans and arrays")
        }
        return object.keys.sorted().flatMap { key in object[key]!.flags(named: "--\(key)") }
    }

    enum Value: Decodable {
        case flag(Bool)
        case text(String)
        case list([Value])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                self = .flag(flag)
            } else if let integer = try? container.decode(Int.self) {
                self = .text(String(integer))
            } else if let number = try? container.decode(Double.self) {
                self = .text(String(number))
            } else if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .list(try container.decode([Value].self))
            }
        }

        func flags(named flag: String) -> [String] {
            switch self {
            case .flag(let on): on ? [flag] : []
            case .text(let text): [flag, text]
            case .list(let values): values.flatMap { $0.flags(named: flag) }
            }
        }
    }
}
