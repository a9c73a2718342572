import Foundation

/// The number that follows `label` on the first line containing it (e.g. "= 1.08e-07").
func number(after label: String, in text: String) -> Double? {
    guard let range = text.range(of: label) else { return nil }
    let rest = text[range.upperBound...].drop { " =:(".contains($0) }
    let token = rest.prefix { "0123456789.-+e".contains($0) }
    return Double(token)
}

/// Runs `name` with bad arguments and checks the usage message and exit status 2.
func expectUsageError(_ name: String, _ arguments: [String]) throws -> Bool {
    let run = try runProduct(name, arguments)
    return run.status == 2 && run.stderr.contains("usage: \(name)") && run.stdout.isEmpty
}
