/// A fresh inproc:// address prefix per test, so parallel tests never share endpoints.
func uniqueEndpointPrefix(_ name: String = #function) -> String {
    "inproc://\(name.prefix(while: { $0 != "(" }))-\(UInt64.random(in: 0...UInt64.max))"
}
