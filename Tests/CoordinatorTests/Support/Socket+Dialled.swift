import NNG

extension Socket {
    /// A socket dialled to `url`, subscribed to `topic` first when one is given: a test's
    /// stranger on a coordinator's endpoints. Closed again, in the background, when
    /// subscribing or dialling fails; the caller closes it in the background too, since a
    /// synchronous close racing a pending receive can hang in libnng 1.5.2 (nanomsg/nng#1813).
    static func dialled(_ socketProtocol: SocketProtocol, to url: String, subscribingTo topic: [UInt8]? = nil) throws
        -> Socket
    {
        let socket = try Socket(socketProtocol)
        do {
            if let topic { try socket.subscribe(to: topic) }
            try socket.dial(url)
        } catch {
            socket.closeInBackground()
            throw error
        }
        return socket
    }
}
