import CNNG

/// The scalability protocol a ``Socket`` speaks; it decides which peers it can talk to.
public enum SocketProtocol: Sendable, Hashable, CaseIterable {
    /// PUB: broadcasts every message to all subscribers; sending never blocks.
    case publisher
    /// SUB: receives the publisher's messages that match one of its subscriptions.
    case subscriber
    /// REQ: sends a request and receives its reply.
    case requester
    /// REP: receives requests and sends one reply to each.
    case replier
    /// SURVEYOR: broadcasts a survey and collects responses until the survey time ends.
    case surveyor
    /// RESPONDENT: receives surveys and answers each one.
    case respondent

    func open(_ socket: inout nng_socket) -> Int32 {
        switch self {
        case .publisher: nng_pub0_open(&socket)
        case .subscriber: nng_sub0_open(&socket)
        case .requester: nng_req0_open(&socket)
        case .replier: nng_rep0_open(&socket)
        case .surveyor: nng_surveyor0_open(&socket)
        case .respondent: nng_respondent0_open(&socket)
        }
    }
}
