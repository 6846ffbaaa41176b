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

    /// Opens a socket of this protocol. A raw socket (`raw: true`) keeps no protocol state:
    /// a raw SUB delivers every message without filtering, a raw PUB sends what it is given,
    /// and messages keep their protocol headers, which is what ``forward(from:to:)`` needs.
    func open(_ socket: inout nng_socket, raw: Bool) -> Int32 {
        switch (self, raw) {
        case (.publisher, false): nng_pub0_open(&socket)
        case (.publisher, true): nng_pub0_open_raw(&socket)
        case (.subscriber, false): nng_sub0_open(&socket)
        case (.subscriber, true): nng_sub0_open_raw(&socket)
        case (.requester, false): nng_req0_open(&socket)
        case (.requester, true): nng_req0_open_raw(&socket)
        case (.replier, false): nng_rep0_open(&socket)
        case (.replier, true): nng_rep0_open_raw(&socket)
        case (.surveyor, false): nng_surveyor0_open(&socket)
        case (.surveyor, true): nng_surveyor0_open_raw(&socket)
        case (.respondent, false): nng_respondent0_open(&socket)
        case (.respondent, true): nng_respondent0_open_raw(&socket)
        }
    }
}
