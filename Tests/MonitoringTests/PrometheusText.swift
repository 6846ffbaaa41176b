/// The samples of a Prometheus text exposition, keyed by name and label set, for tests
/// that compare a scrape with other numbers.
struct PrometheusText {
    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
    }

    private(set) var values: [Sample: Double] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                values[Sample(name: String(series), labels: [:])] = value
                continue
            }
            var labels: [String: String] = [:]
            // Label values here never contain commas or quotes: categories and reasons.
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
            values[Sample(name: String(series[..<brace]), labels: labels)] = value
        }
    }

    subscript(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        values[Sample(name: name, labels: labels)]
    }

    /// Every sample of `name`, by the value of its one label `label`.
    func byLabel(_ name: String, _ label: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for (sample, value) in values where sample.name == name {
            if let key = sample.labels[label] { result[key] = value }
        }
        return result
    }
}
