import CNNG
import Foundation

extension Socket {
    /// Forwards every message `source` receives to `destination`, byte for byte, with nng's own
    /// device (`nng_device`), until either socket is closed; then returns.
    ///
    /// Both sockets must be raw (``init(_:raw:)``) and speak peer protocols, e.g. a raw
    /// subscriber forwarding to a raw publisher: that is a pub/sub hop that neither filters nor
    /// re-frames, so a signed frame arrives with the same bytes it was signed over. Anything
    /// else throws ``NNGError/Code/invalidArgument``.
    ///
    /// `nng_device` blocks its thread for as long as it forwards (libnng 1.5.2 has no
    /// asynchronous variant), so it runs on a thread of its own, not on one of the cooperative
    /// pool's few threads. Cancelling the calling task closes both sockets in the background
    /// (``closeInBackground()``, for the nanomsg/nng#1813 close race), the only way to stop
    /// the device. Close the source to end it: with libnng 1.5.2, closing only the destination
    /// left the device (and that close) blocked for as long as a test waited, 60 s, even with
    /// messages arriving at the source.
    public static func forward(from source: Socket, to destination: Socket) async throws {
        try await withTaskCancellationHandler {
            let result: Int32 = await withCheckedContinuation { continuation in
                // The closure keeps both Socket objects alive, so neither is deinitialised
                // (and its handle closed and reused) while nng_device still uses it.
                Thread.detachNewThread {
                    continuation.resume(returning: nng_device(source.handle, destination.handle))
                }
            }
            if result == 0 || result == Int32(NNG_ECLOSED.rawValue) { return }
            // A socket closed while nng_device was starting can also surface as "not found".
            if result == Int32(NNG_ENOENT.rawValue), source.isClosed || destination.isClosed { return }
            throw NNGError(code: result, operation: "nng_device")
        } onCancel: {
            source.closeInBackground()
            destination.closeInBackground()
        }
    }
}
