import CNNG

/// One request nng handed to a Swift handler, and the `nng_aio` its answer completes.
///
/// nng calls `callback` on one of its threads with an aio whose inputs are the request
/// (0) and the handler (1). The callback must not block, so it starts a task that runs the
/// Swift handler and then sets the response as the aio's output and finishes the aio,
/// exactly once. Until then nng keeps the request, the connection and the aio alive.
///
/// The `@unchecked Sendable` is sound because the aio pointer is only read, and only by
/// the one task that finishes it; `nng_aio_set_output` and `nng_aio_finish` may be called
/// from any thread.
struct HTTPExchange: @unchecked Sendable {
    /// The Swift side of a handler, kept alive by the handler's data pointer.
    final class Route: Sendable {
        let handle: HTTPServer.Handler
        init(_ handle: @escaping HTTPServer.Handler) { self.handle = handle }
    }

    private let aio: OpaquePointer

    static let callback: @convention(c) (OpaquePointer?) -> Void = { aio in
        guard let aio else { return }
        let request = OpaquePointer(nng_aio_get_input(aio, 0))
        let handler = OpaquePointer(nng_aio_get_input(aio, 1))
        let route = Unmanaged<Route>.fromOpaque(nng_http_handler_get_data(handler)!).takeUnretainedValue()
        let parsed = HTTPRequest(
            method: String(cString: nng_http_req_get_method(request)),
            uri: String(cString: nng_http_req_get_uri(request)))
        let exchange = HTTPExchange(aio: aio)
        Task {
            exchange.finish(with: await route.handle(parsed))
        }
    }

    /// Hands `response` to nng, which writes it and owns it from then on.
    private func finish(with response: HTTPResponse) {
        var allocated: OpaquePointer?
        guard nng_http_res_alloc(&allocated) == 0, let reply = allocated else {
            return nng_aio_finish(aio, Int32(NNG_ENOMEM.rawValue))
        }
        var result = nng_http_res_set_status(reply, response.status)
        for (name, value) in response.headers where result == 0 {
            result = nng_http_res_set_header(reply, name, value)
        }
        if result == 0, !response.body.isEmpty {
            result = response.body.withUnsafeBytes { nng_http_res_copy_data(reply, $0.baseAddress, $0.count) }
        }
        guard result == 0 else {
            nng_http_res_free(reply)
            return nng_aio_finish(aio, result)
        }
        nng_aio_set_output(aio, 0, UnsafeMutableRawPointer(reply))
        nng_aio_finish(aio, 0)
    }
}
