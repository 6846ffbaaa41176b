#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The C library's elementary functions, gathered here so that the rest of the module
/// needs neither Foundation nor a per-file platform import.
enum Math {
    @inline(__always) static func exp(_ x: Double) -> Double {
        #if canImport(Darwin)
        Darwin.exp(x)
        #elseif canImport(Glibc)
        Glibc.exp(x)
        #else
        Musl.exp(x)
        #endif
    }

    @inline(__always) static func log(_ x: Double) -> Double {
        #if canImport(Darwin)
        Darwin.log(x)
        #elseif canImport(Glibc)
        Glibc.log(x)
        #else
        Musl.log(x)
        #endif
    }

    @inline(__always) static func expm1(_ x: Double) -> Double {
        #if canImport(Darwin)
        Darwin.expm1(x)
        #elseif canImport(Glibc)
        Glibc.expm1(x)
        #else
        Musl.expm1(x)
        #endif
    }

    @inline(__always) static func log1p(_ x: Double) -> Double {
        #if canImport(Darwin)
        Darwin.log1p(x)
        #elseif canImport(Glibc)
        Glibc.log1p(x)
        #else
        Musl.log1p(x)
        #endif
    }

    @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double {
        #if canImport(Darwin)
        Darwin.pow(x, y)
        #elseif canImport(Glibc)
        Glibc.pow(x, y)
        #else
        Musl.pow(x, y)
        #endif
    }

    @inline(__always) static func cos(_ x: Double) -> Double {
        #if canImport(Darwin)
        Darwin.cos(x)
        #elseif canImport(Glibc)
        Glibc.cos(x)
        #else
        Musl.cos(x)
        #endif
    }

    /// Keeps a running value inside the finite range: a convex combination of two values
    /// near `greatestFiniteMagnitude` can round up to infinity, and one infinity would
    /// poison every later softmax with NaN.
    @inline(__always) static func clampFinite(_ x: Double) -> Double {
        min(max(x, -Double.greatestFiniteMagnitude), Double.greatestFiniteMagnitude)
    }
}
