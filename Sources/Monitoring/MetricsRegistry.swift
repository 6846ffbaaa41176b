import CoreMetrics
import Foundation
import CurriculumMetrics
import Prometheus

/// A Prometheus registry for one process's curriculum metrics, and its text exposition.
///
/// Metrics are recorded through swift-metrics (`factory`), which swift-prometheus turns
/// into series without help text; `exposition()` adds each family's `# HELP` line from
/// `MetricCatalog`, so the output passes `promtool check metrics`. (Registering a family
/// with help text directly on the registry and again through the factory, which passes
/// none, is a fatal mismatch in swift-prometheus 2.)
public struct MetricsRegistry: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Give this to `Coordinator(metricsFactory:)` and `WorkerAgent(metricsFactory:)`.
    public let factory: any MetricsFactory

    /// A factory that records nothing, for a coordinator without a monitoring port.
    public static let disabled: any MetricsFactory = NOOPMetricsHandler.instance

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        for metric in MetricCatalog.all where metric.kind == .histogram {
            factory.valueHistogramBuckets[metric.name] = metric.buckets
            factory.durationHistogramBuckets[metric.name] = metric.buckets.map { .nanoseconds(Int64($0 * 1e9)) }
        }
        self.factory = factory
    }

    /// The Prometheus text format (0.0.4) of every metric, with help text.
    public func exposition() -> String {
        Self.addingHelp(to: registry.emitToString())
    }

    /// Inserts `# HELP` before each `# TYPE` line of a catalogued metric that has none.
    static func addingHelp(to text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + 4096)
        var previous: Substring = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), !previous.hasPrefix("# HELP ") {
                let name = line.dropFirst(7).prefix { $0 != " " }
                if let help = helpByName[String(name)] {
                    output += "# HELP \(name) \(help)\n"
                }
            }
            output += line
            output += "\n"
            previous = line
        }
        // split keeps the piece after the final newline; it adds one newline too many.
        if output.hasSuffix("\n\n") { output.removeLast() }
        return output
    }

    private static let helpByName = Dictionary(
        uniqueKeysWithValues: MetricCatalog.all.map { ($0.name, Self.escapedHelp($0.help)) })

    /// Help text escapes backslashes and newlines (text format 0.0.4).
    private static func escapedHelp(_ help: String) -> String {
        help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
