import Foundation
import Simulation

/// The demo's report: one self-contained HTML file with inline SVG charts, no scripts.
public struct HTMLReport {
    public var summaries: [CurriculumSummary]
    public var student: StudentConfiguration
    /// The run's settings, shown as given.
    public var settings: [(String, String)]

    public init(summaries: [CurriculumSummary], student: StudentConfiguration, settings: [(String, String)]) {
        self.summaries = summaries
        self.student = student
        self.settings = settings
    }

    static let curriculumColors = ["#d62728", "#1f77b4", "#7f7f7f", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]
    /// Easy (cool) to hard (warm).
    static let levelColors = ["#2c7bb6", "#5fb4a8", "#b8b800", "#fdae61", "#d7191c", "#7b3294", "#000000"]

    public func render() -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Self-evolving curriculum: simulated comparison</title>
            <style>
            body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1340px; }
            table { border-collapse: collapse; margin: 12px 0; }
            th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            .grid { display: flex; flex-wrap: wrap; gap: 8px; }
            .note { color: #555; font-size: 13px; max-width: 1000px; }
            </style></head><body>
            <h1>Self-evolving curriculum on a simulated student</h1>
            <p class="note">Every run: a coordinator and worker agents talking over real nng sockets, one shared
            simulated student (\(student.domains.count) domains × \(student.levels) difficulty levels, groups of
            \(student.groupSize) responses, GRPO advantages). Accuracy is the student's expected success rate,
            averaged over domains. Equations: docs/simulation.md.</p>

            """
        html += "<p class=\"note\">" + settings.map { "<b>\(escape($0.0))</b> \(escape($0.1))" }.joined(separator: " · ") + "</p>\n"
        html += "<h2>Comparison over \(summaries.first?.runs.count ?? 0) seeds (mean ± std)</h2>\n" + table()
        html += "<h2>Accuracy during training (mean over seeds)</h2>\n<div class=\"grid\">\n"
        let target = summaries.first?.targetAccuracy
        let colored = summaries.enumerated().map { ($0.element, Self.curriculumColors[$0.offset % Self.curriculumColors.count]) }
        html += SVGChart(
            title: "Hardest level (\(student.levels - 1))", series: colored.map {
                .init(name: $0.0.curriculum, color: $0.1, values: $0.0.meanCurve { $0.accuracyByLevel.last ?? 0 })
            }, yLabel: "accuracy", width: 640, height: 300, rule: target
        ).render()
        html += SVGChart(
            title: "All categories", series: colored.map {
                .init(name: $0.0.curriculum, color: $0.1, values: $0.0.meanCurve(\.meanAccuracy))
            }, yLabel: "accuracy", width: 640, height: 300
        ).render()
        html += "</div>\n<h2>Sampling probability of each category over training (first seed)</h2>\n"
        html += "<p class=\"note\">One row per curriculum, one panel per domain, one line per difficulty level: the picture of the SEC paper. An adaptive curriculum should follow the student's zone of proximal development upward.</p>\n"
        for summary in summaries {
            guard let run = summary.runs.first else { continue }
            html += "<h3>\(escape(summary.curriculum))</h3>\n<div class=\"grid\">\n"
            let highest = run.records.flatMap(\.probabilities).max() ?? 1
            let yMaximum = min(1, max(0.05, (highest * 10).rounded(.up) / 10))
            for (d, domain) in student.domains.enumerated() {
                let series = (0..<student.levels).map { level in
                    SVGChart.Series(
                        name: "level \(level)", color: Self.levelColors[level % Self.levelColors.count],
                        values: run.records.map { $0.probabilities[d * student.levels + level] })
                }
                html += SVGChart(
                    title: domain, series: series, yLabel: "probability", yMaximum: yMaximum, width: 430, height: 220,
                    showLegend: d == student.domains.count - 1
                ).render()
            }
            html += "</div>\n"
        }
        return html + "</body></html>\n"
    }

    private func table() -> String {
        let levels = student.levels
        var rows = "<table><tr><th>curriculum</th>"
        rows += (0..<levels).map { "<th>final acc. level \($0)</th>" }.joined()
        rows += "<th>final acc. all</th><th>steps to \(summaries.first?.targetAccuracy ?? 0) on level \(levels - 1)</th></tr>\n"
        for summary in summaries {
            rows += "<tr><td>\(escape(summary.curriculum))</td>"
            rows += (0..<levels).map { "<td>\(summary.finalAccuracy(level: $0).format())</td>" }.joined()
            rows += "<td>\(summary.finalMean.format())</td><td>\(escape(summary.stepsToTargetText))</td></tr>\n"
        }
        return rows + "</table>\n"
    }
}
