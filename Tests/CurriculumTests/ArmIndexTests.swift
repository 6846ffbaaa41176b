import Foundation
import Testing

@testable import Curriculum

/// The arm index finds names as a `[String: Int]` would, through its ASCII table or not.
@Suite struct ArmIndexTests {
    @Test func findsEveryNameAtItsPositionAsADictionaryWould() {
        var index = ArmIndex()
        var reference: [String: Int] = [:]
        var random = SplitMix64(seed: 0xA4D1)
        // ASCII names of every length around the 8-byte chunks, and non-ASCII ones, many
        // times over the table's first size.
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-_é")
        for _ in 0..<3_000 {
            let length = Int(random.next() % 20)
            let name = String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            let expected = reference[name].map { ($0, false) } ?? (reference.count, true)
            reference[name] = reference[name] ?? reference.count
            let got = index.insert(name)
            #expect(got.position == expected.0 && got.inserted == expected.1, "\(name)")
        }
        for (name, position) in reference { #expect(index.position(of: name) == position, "\(name)") }
        #expect(index.position(of: "never-registered") == nil)
        #expect(index.count == reference.count)
    }

    @Test func canonicallyEquivalentNamesAreOneArmAsForStrings() {
        var index = ArmIndex()
        // KELVIN SIGN is canonically equivalent to the ASCII "K"; é composed and decomposed.
        #expect(index.insert("\u{212A}") == (0, true))
        #expect(index.insert("K") == (0, false))
        #expect(index.position(of: "K") == 0)
        #expect(index.insert("e\u{301}") == (1, true))
        #expect(index.insert("\u{E9}") == (1, false))
        #expect(index.insert("L") == (2, true))
        #expect(index.position(of: "L") == 2)
    }

    @Test func decodesToTheSameLookups() throws {
        var index = ArmIndex()
        for name in ["b", "a", "a-very-long-category-name", "ü"] { _ = index.insert(name) }
        let decoded = try JSONDecoder().decode(ArmIndex.self, from: JSONEncoder().encode(index))
        #expect(decoded.names == index.names)
        for name in index.names { #expect(decoded.position(of: name) == index.position(of: name)) }
    }
}
