import CurriculumTestSupport
import NNG
import Testing

@Suite("Request/reply and survey")
struct ReqRepTests {
    @Test("a requester gets one reply per request", arguments: Transport.allCases)
    func requestReply(transport: Transport) async throws {
        let (replier, requester) = try requestReplyPair()
        defer { replier.close(); requester.close() }
        let url = try transport.listen(replier)
        // Sent before the connection completes: the request waits for a peer.
        try requester.dial(url)

        try await withTimeout {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for _ in 0..<3 {
                        let request = try await replier.receive()
                        try await replier.send("echo:" + request.string)
                    }
                }
                for index in 0..<3 {
                    try await requester.send("ping \(index)")
                    #expect(try await requester.receive().string == "echo:ping \(index)")
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("a replier cannot reply before it has a request")
    func replyWithoutRequest() async throws {
        let replier = try Socket(.replier)
        defer { replier.close() }
        let error = await #expect(throws: NNGError.self) { try await replier.send("unasked") }
        #expect(error?.code == .badState)
    }

    // Two surveys, so that no outcome depends on how fast a loaded machine runs: the first has a
    // window far longer than any answer takes (a 500 ms window expired under the full suite on
    // 2 cores, and the late answers then failed with "Incorrect state"); the second gets no
    // answers at all, so its short window can only end in a timeout.
    @Test("a surveyor collects every respondent's answer; an unanswered survey times out", arguments: Transport.allCases)
    func survey(transport: Transport) async throws {
        let surveyor = try Socket(.surveyor)
        let respondents = try [Socket(.respondent), Socket(.respondent)]
        defer {
            surveyor.close()
            for respondent in respondents { respondent.close() }
        }
        try surveyor.setOption("surveyor:survey-time", to: .duration(.seconds(60)))
        let events = surveyor.pipeEvents()
        let url = try transport.listen(surveyor)
        for respondent in respondents {
            try respondent.setReceiveTimeout(.seconds(10))
            try respondent.dial(url)
        }
        try await withTimeout {
            var added = 0
            for await event in events where event.kind == .added {
                added += 1
                if added == respondents.count { break }
            }
        }

        try await withTimeout {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, respondent) in respondents.enumerated() {
                    group.addTask {
                        let question = try await respondent.receive()
                        try await respondent.send(question.string + " -> \(index)")
                    }
                }
                try await surveyor.send("status?")
                var answers: Set<String> = []
                for _ in respondents { answers.insert(try await surveyor.receive().string) }
                #expect(answers == ["status? -> 0", "status? -> 1"])
                try await group.waitForAll()
            }

            try surveyor.setOption("surveyor:survey-time", to: .duration(.milliseconds(50)))
            try await surveyor.send("anyone?")
            let error = await #expect(throws: NNGError.self) { try await surveyor.receive() }
            #expect(error?.code == .timedOut)
        }
    }
}
