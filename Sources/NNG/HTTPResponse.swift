/// What an HTTP handler answers: a status, headers and a body.
public struct HTTPResponse: Sendable, Hashable {
    public var status: UInt16
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: UInt16 = 200, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain` answer, for health checks and short errors.
    public static func text(_ text: String, status: UInt16 = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// A body of the given media type, e.g. `application/json`.
    public static func body(_ body: [UInt8], contentType: String, status: UInt16 = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: body)
    }
}
