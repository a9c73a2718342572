/// The library's preconditions print their message in every build configuration.
///
/// The standard library's `precondition` drops its message under `-O`, and this module is
/// compiled with `-O` even in debug builds (see Package.swift). A shape mismatch must still say
/// which shapes met, so this module-wide function shadows the standard one and stops through
/// `fatalError`, which always prints.
@inline(__always)
func precondition(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(),
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { preconditionFailed(message(), file: file, line: line) }
}

@inline(never)
func preconditionFailed(_ message: String, file: StaticString, line: UInt) -> Never {
    fatalError(message, file: file, line: line)
}
