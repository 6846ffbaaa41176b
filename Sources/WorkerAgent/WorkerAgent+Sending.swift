import CurriculumAuth
import CurriculumWire
import Logging
import NNG

/// Putting what the session decided on the wire.
extension WorkerAgent {
    func send(_ outgoing: [WorkerSession.Outgoing]) {
        for frame in outgoing {
            switch frame {
            case .message(let body): send(frame: WireCodec.encode(body))
            case .reports(let reports): send(frameOf: reports)
            }
        }
    }

    /// Reports, the bulk of what an agent sends, skip SwiftProtobuf: the same bytes, cheaper,
    /// written straight into nng's message unless they are to be signed.
    func send(frameOf reports: ReportFrameBatch) {
        guard signer == nil else { return send(frame: ReportFrameEncoder.encode(reports)) }
        do {
            _ = try publisher.trySend(byteCount: ReportFrameEncoder.frameSize(of: reports)) {
                ReportFrameEncoder.write(reports, into: $0)
            }
        } catch {
            // A publisher only fails once closed; the outbox still holds the report.
            logger.debug("send failed", metadata: ["error": "\(error)"])
        }
    }

    /// Sends on the PUB socket without leaving the actor: a publisher never waits (nng
    /// drops from a full queue instead), so `trySend` always takes the frame. Signs it
    /// first when the configuration has a key, retransmissions too.
    func send(frame unsigned: [UInt8]) {
        let frame = signer?.sign(unsigned) ?? unsigned
        do {
            _ = try publisher.trySend(frame)
        } catch {
            // A publisher only fails once closed; the outbox still holds the report.
            logger.debug("send failed", metadata: ["error": "\(error)"])
        }
    }
}
