import Foundation

/// A line chart as inline SVG: no scripts, no external styles, so the report is one file.
struct SVGChart {
    struct Series {
        var name: String
        var color: String
        var dash: String?
        var values: [Double]
    }

    var title: String
    var series: [Series]
    var yLabel: String
    var xLabel = "training step"
    var yMaximum = 1.0
    var width = 420.0
    var height = 240.0
    /// A dashed horizontal rule, e.g. the target accuracy.
    var rule: Double?
    var showLegend = true

    func render() -> String {
        let left = 44.0, right = showLegend ? 118.0 : 12.0, top = 26.0, bottom = 36.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let count = series.map(\.values.count).max() ?? 0
        func x(_ i: Int) -> Double { left + plotWidth * Double(i) / Double(max(1, count - 1)) }
        func y(_ v: Double) -> Double { top + plotHeight * (1 - min(max(v / yMaximum, 0), 1)) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
            <text x="\(left)" y="16" font-size="13" font-weight="bold">\(escape(title))</text>
            <rect x="\(left)" y="\(top)" width="\(plotWidth)" height="\(plotHeight)" fill="#fafafa" stroke="#ccc"/>

            """
        for tick in 0...4 {
            let value = yMaximum * Double(tick) / 4
            let ty = y(value)
            svg += "<line x1=\"\(left)\" y1=\(q(ty)) x2=\"\(left + plotWidth)\" y2=\(q(ty)) stroke=\"#e4e4e4\"/>"
            svg += "<text x=\"\(left - 4)\" y=\(q(ty + 4)) text-anchor=\"end\">\(String(format: "%.2g", value))</text>\n"
        }
        if count > 1 {
            for tick in 0...4 {
                let i = (count - 1) * tick / 4
                svg += "<text x=\(q(x(i))) y=\(q(top + plotHeight + 14)) text-anchor=\"middle\">\(i + 1)</text>"
            }
        }
        svg += "<text x=\(q(left + plotWidth / 2)) y=\(q(height - 4)) text-anchor=\"middle\">\(escape(xLabel))</text>"
        svg += "<text transform=\"translate(11,\(top + plotHeight / 2)) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        if let rule {
            svg += "<line x1=\"\(left)\" y1=\(q(y(rule))) x2=\"\(left + plotWidth)\" y2=\(q(y(rule))) stroke=\"#888\" stroke-dasharray=\"6 3\"/>\n"
        }
        for line in series where !line.values.isEmpty {
            let points = line.values.enumerated().map { String(format: "%.1f,%.1f", x($0.offset), y($0.element)) }
            let dash = line.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.6\"\(dash) points=\"\(points.joined(separator: " "))\"/>\n"
        }
        if showLegend {
            for (k, line) in series.enumerated() {
                let ly = top + 8 + Double(k) * 15
                let lx = left + plotWidth + 10
                let dash = line.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
                svg += "<line x1=\(q(lx)) y1=\(q(ly)) x2=\(q(lx + 18)) y2=\(q(ly)) stroke=\"\(line.color)\" stroke-width=\"2\"\(dash)/>"
                svg += "<text x=\(q(lx + 22)) y=\(q(ly + 4))>\(escape(line.name))</text>\n"
            }
        }
        return svg + "</svg>"
    }

    private func q(_ value: Double) -> String { String(format: "\"%.1f\"", value) }
}

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
