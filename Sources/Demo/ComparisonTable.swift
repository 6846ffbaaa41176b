/// The comparison as text: a plain table for the terminal and a Markdown one for docs.
public enum ComparisonTable {
    public static func text(_ summaries: [CurriculumSummary]) -> String {
        render(summaries, markdown: false)
    }

    public static func markdown(_ summaries: [CurriculumSummary]) -> String {
        render(summaries, markdown: true)
    }

    private static func render(_ summaries: [CurriculumSummary], markdown: Bool) -> String {
        guard let first = summaries.first else { return "" }
        let levels = first.levels
        let header =
            ["curriculum"] + (0..<levels).map { "L\($0)" } + ["all", "steps to \(first.targetAccuracy) on L\(levels - 1)"]
        let rows = summaries.map { summary in
            [summary.curriculum] + (0..<levels).map { summary.finalAccuracy(level: $0).format() }
                + [summary.finalMean.format(), summary.stepsToTargetText]
        }
        return grid(header: header, rows: rows, markdown: markdown)
    }

    /// Columns padded to their widest cell, or a Markdown table.
    public static func grid(header: [String], rows: [[String]], markdown: Bool) -> String {
        if markdown {
            var text = "| " + header.joined(separator: " | ") + " |\n"
            text += "|" + header.map { _ in "---|" }.joined() + "\n"
            for row in rows { text += "| " + row.joined(separator: " | ") + " |\n" }
            return text
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line))
            .joined(separator: "\n") + "\n"
    }
}
