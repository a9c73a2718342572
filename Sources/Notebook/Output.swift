#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

extension Notebook {
    /// Makes standard output line-buffered, once, before a chapter prints anything.
    ///
    /// C's standard output is fully buffered when it is a pipe or a file: `swift run ch10-training
    /// | tee log` would show nothing until 4 KiB had accumulated (about a minute of training) and
    /// a Ctrl-C would lose the buffer. Line buffering writes every complete line as it is
    /// printed. ``cell(_:line:)`` and ``Options/finish()`` call this; a chapter never needs to.
    public static func prepareOutput() {
        _ = lineBuffered
    }

    private static let lineBuffered: Void = {
        setvbuf(stdout, nil, _IOLBF, 0)
    }()
}
