import LoRA
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The package's exp, log, tanh (and Double's sin, cos, erfc) against the C library, in ulps.
///
/// Oracle: the system's functions one precision up — `Double` for the `Float` versions (glibc and
/// Apple's libm are within 1 `Double` ulp, i.e. 2⁻²⁹ `Float` ulp), and on x86-64 Linux `Float80`
/// for the `Double` versions. Elsewhere the `Double` versions are compared with the system's
/// `Double` functions, so the bound there includes the system's own error.
@Suite struct ElementaryFunctionTests {
    /// |approximation − reference| in units of the `Float` ulp at the reference.
    static func floatULPs(_ value: Float, _ reference: Double) -> Double {
        if value.isNaN || reference.isNaN { return value.isNaN && reference.isNaN ? 0 : .infinity }
        if reference.isInfinite || Double(value).isInfinite { return Double(value) == reference ? 0 : .infinity }
        let r = reference.magnitude
        // ulp of the Float binade holding |reference| (normal: 2^(e − 23), subnormal: 2⁻¹⁴⁹).
        let ulp = r < Double(Float.leastNormalMagnitude) ? 0x1p-149 : Double(sign: .plus, exponent: r.exponent - 23, significand: 1)
        return (Double(value) - reference).magnitude / ulp
    }

    /// Inputs: `count` evenly spaced points on [low, high] plus as many from a seeded generator.
    static func samples(_ low: Double, _ high: Double, count: Int, seed: UInt64) -> [Double] {
        var g = SeededGenerator(seed: seed)
        let even = (0..<count).map { low + (high - low) * Double($0) / Double(count - 1) }
        return even + (0..<count).map { _ in g.nextUniform(low, high) }
    }

    @Test func floatExpIsWithinOneULP() {
        var worst = 0.0
        for x in Self.samples(-103.9, 88.72, count: 100_000, seed: 1).map(Float.init) {
            worst = max(worst, Self.floatULPs(Float.exp(x), Glibc_exp(Double(x))))
        }
        #expect(worst <= 1, "Float.exp: worst error \(worst) ulp")
        #expect(worst < 0.52)  // rounded from a Double result accurate to 2⁻⁴⁰: at most just over ½ ulp
    }

    @Test func floatLogIsWithinOneULP() {
        var worst = 0.0
        var g = SeededGenerator(seed: 2)
        // Every binade, from subnormals to the largest Float: random bit patterns of positive Floats.
        let patterns = (0..<200_000).map { _ in UInt32(truncatingIfNeeded: g.next()) & 0x7F7F_FFFF }
        for x in patterns.map(Float.init(bitPattern:)) where x > 0 {
            worst = max(worst, Self.floatULPs(Float.log(x), Glibc_log(Double(x))))
        }
        for x in Self.samples(0.5, 2, count: 50_000, seed: 3).map(Float.init) {  // around log x = 0
            worst = max(worst, Self.floatULPs(Float.log(x), Glibc_log(Double(x))))
        }
        #expect(worst < 0.52, "Float.log: worst error \(worst) ulp")
    }

    @Test func floatTanhIsWithinOneULP() {
        var worst = 0.0
        var inputs = Self.samples(-10, 10, count: 100_000, seed: 4)
        var g = SeededGenerator(seed: 5)
        inputs += (0..<100_000).map { _ in (g.nextBool(probability: 0.5) ? -1 : 1) * Double.exp(g.nextUniform(-30, 3)) }
        for x in inputs.map(Float.init) {
            worst = max(worst, Self.floatULPs(Float.tanh(x), Glibc_tanh(Double(x))))
        }
        #expect(worst < 0.52, "Float.tanh: worst error \(worst) ulp")
    }

    @Test func specialValues() {
        #expect(Float.exp(100) == .infinity && Float.exp(-200) == 0 && Float.exp(.nan).isNaN && Float.exp(0) == 1)
        #expect(Double.exp(710) == .infinity && Double.exp(-746) == 0 && Double.exp(-.infinity) == 0 && Double.exp(0) == 1)
        #expect(Double.log(0) == -.infinity && Double.log(-1).isNaN && Double.log(.infinity) == .infinity && Double.log(1) == 0)
        #expect(Float.log(0) == -.infinity && Float.log(-1).isNaN && Float.log(1) == 0)
        #expect(Float.tanh(-0.0).sign == .minus && Float.tanh(.infinity) == 1 && Float.tanh(-.infinity) == -1 && Float.tanh(.nan).isNaN)
        #expect(Double.tanh(-0.0).sign == .minus && Double.tanh(40) == 1 && Double.tanh(.nan).isNaN)
        #expect(Double.sin(0) == 0 && Double.cos(0) == 1 && Double.sin(.infinity).isNaN)
        #expect(Double.erfc(0) == 1 && Double.erfc(30) == 0 && Double.erfc(-30) == 2)
        // Subnormal results and arguments.
        #expect(Double.exp(-740) > 0 && Double.exp(-740) < Double.leastNormalMagnitude)
        #expect(abs(Double.log(Double.leastNonzeroMagnitude) - (-1074 * 0.6931471805599453)) < 1e-12)
    }

    /// The Taylor coefficients of tanh in the table follow from tanh′ = 1 − tanh²:
    /// (2j + 1)·tⱼ = −Σ_{i<j} tᵢ·t_{j−1−i}. Recomputed here in Double (so within a few ulps).
    @Test func tanhSeriesFollowsItsRecurrence() {
        var t: [Double] = [1]
        for j in 1..<20 {
            let s = (0..<j).reduce(0.0) { $0 + t[$1] * t[j - 1 - $1] }
            t.append(-s / Double(2 * j + 1))
        }
        // tanh x − x for small x is −x³/3 + 2x⁵/15 − …; the library's Double.tanh at x = 0.5 is the sum.
        let x = 0.5
        let series = (0..<20).reduce(0.0) { $0 + t[$1] * pow(x, Double(2 * $1 + 1)) }
        #expect(abs(series - Double.tanh(x)) <= 2 * x.ulp)
        #expect(abs(t[3] - (-17.0 / 315)) < 1e-17 && abs(t[4] - 62.0 / 2835) < 1e-17)
    }

    @Test func erfcMatchesTheCLibrary() {
        var worst = 0.0
        for x in Self.samples(-6, 27, count: 20_000, seed: 6) {
            let reference = Glibc_erfc(x)
            guard reference > 1e-300 else { continue }
            worst = max(worst, abs(Double.erfc(x) - reference) / reference)
        }
        #expect(worst < 1e-14, "Double.erfc: worst relative error \(worst)")
    }

    /// `Double` versions: ulps against a reference one precision up where the platform has one.
    @Test func doubleFunctionsAreWithinAboutOneULP() {
        func ulps(_ value: Double, _ reference: Reference) -> Double {
            let r = reference.magnitude
            guard r > 0, r.isFinite else { return Double(value) == Double(reference) ? 0 : .infinity }
            let ulp = r < Reference(Double.leastNormalMagnitude) ? Reference(Double.leastNonzeroMagnitude) : Reference(sign: .plus, exponent: r.exponent - 52, significand: 1)
            return Double((Reference(value) - reference).magnitude / ulp)
        }
        var worst: [String: Double] = [:]
        for x in Self.samples(-740, 709, count: 50_000, seed: 7) { worst["exp", default: 0] = max(worst["exp", default: 0], ulps(Double.exp(x), referenceExp(x))) }
        for x in Self.samples(-3, 3, count: 50_000, seed: 8) { worst["exp", default: 0] = max(worst["exp", default: 0], ulps(Double.exp(x), referenceExp(x))) }
        var g = SeededGenerator(seed: 9)
        for _ in 0..<100_000 {
            let x = Double(bitPattern: g.next() & 0x7FEF_FFFF_FFFF_FFFF)
            guard x > 0 else { continue }
            worst["log", default: 0] = max(worst["log", default: 0], ulps(Double.log(x), referenceLog(x)))
        }
        for x in Self.samples(0.5, 2, count: 50_000, seed: 10) { worst["log", default: 0] = max(worst["log", default: 0], ulps(Double.log(x), referenceLog(x))) }
        for x in Self.samples(-8, 8, count: 100_000, seed: 11) { worst["tanh", default: 0] = max(worst["tanh", default: 0], ulps(Double.tanh(x), referenceTanh(x))) }
        for x in Self.samples(0, 2 * Double.pi, count: 100_000, seed: 12) {
            worst["sin", default: 0] = max(worst["sin", default: 0], ulps(Double.sin(x), referenceSin(x)))
            worst["cos", default: 0] = max(worst["cos", default: 0], ulps(Double.cos(x), referenceCos(x)))
        }
        for (name, error) in worst.sorted(by: { $0.key < $1.key }) {
            // tanh's exp branch, 1 − 2/(e^{2x} + 1), rounds three times near x = 0.55.
            let bound = Self.doubleBound + (name == "tanh" ? 0.5 : 0)
            #expect(error <= bound, "Double.\(name): worst error \(error) ulp")
        }
    }

    #if arch(x86_64) && os(Linux)
    typealias Reference = Float80
    static let doubleBound = 1.0
    func referenceExp(_ x: Double) -> Float80 { expl(Float80(x)) }
    func referenceLog(_ x: Double) -> Float80 { logl(Float80(x)) }
    func referenceTanh(_ x: Double) -> Float80 { tanhl(Float80(x)) }
    func referenceSin(_ x: Double) -> Float80 { sinl(Float80(x)) }
    func referenceCos(_ x: Double) -> Float80 { cosl(Float80(x)) }
    #else
    typealias Reference = Double
    static let doubleBound = 2.0  // our error plus the system's
    func referenceExp(_ x: Double) -> Double { Glibc_exp(x) }
    func referenceLog(_ x: Double) -> Double { Glibc_log(x) }
    func referenceTanh(_ x: Double) -> Double { Glibc_tanh(x) }
    func referenceSin(_ x: Double) -> Double { Glibc_sin(x) }
    func referenceCos(_ x: Double) -> Double { Glibc_cos(x) }
    #endif
}

// The C library's functions under names that cannot be confused with the package's.
func Glibc_exp(_ x: Double) -> Double { exp(x) }
func Glibc_log(_ x: Double) -> Double { log(x) }
func Glibc_tanh(_ x: Double) -> Double { tanh(x) }
func Glibc_sin(_ x: Double) -> Double { sin(x) }
func Glibc_cos(_ x: Double) -> Double { cos(x) }
func Glibc_erfc(_ x: Double) -> Double { erfc(x) }
