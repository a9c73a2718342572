/// A `rank_pattern` / `alpha_pattern` key compiled once, matched against module paths by
/// PEFT's rule in time proportional to the path's length times the key's, whatever the key.
///
/// ```
/// PEFT: re.match(rf"(.*\.)?({key})$", path)      ⇔   path ∈ language of  (.*\.)?(key)
/// here: key → syntax tree → Thompson automaton, simulated on the path's Unicode scalars
/// ```
/// A backtracking engine can take exponential time on a key such as `(.*)*y|layers.*`; Foundation's
/// `NSRegularExpression` then gives up after seconds and reports "no match", which silently
/// loads another α. An automaton tracks every alternative at once, so it never gives up and
/// never backtracks. It covers the regular part of Python's `re` syntax: literals and escapes,
/// `.`, classes `[a-z_]` and `\d \w \s` (and negations), groups `(…)`, `(?:…)`, `(?P<name>…)`,
/// alternation, `* + ? {m} {m,} {m,n}` (greedy or lazy, which match the same paths), `^` and `$`.
/// Back-references, look-arounds, inline flags and possessive quantifiers are refused with the
/// reason, so a key is either evaluated exactly or named in an error.
struct ModuleKeyPattern: Sendable {
    /// Why a key cannot be evaluated, in words.
    struct Unsupported: Error {
        var reason: String
    }

    /// The key as written.
    let key: String
    private let program: Program
    /// The key's scalars when it has no metacharacter but `.` (most keys are module paths).
    private let plain: [Unicode.Scalar]?

    /// The most automaton states a key may compile to (counted repetitions multiply them).
    static let maximumStates = 20_000

    /// Compiles `key`.
    /// - Throws: ``Unsupported`` naming the construct that cannot be evaluated, or the syntax error.
    init(_ key: String) throws(Unsupported) {
        self.key = key
        let scalars = Array(key.unicodeScalars)
        plain = scalars.contains(where: { "\\^$|?*+()[]{}".unicodeScalars.contains($0) }) ? nil : scalars
        var parser = Parser(scalars)
        let tree = try parser.parseWhole()
        // (.*\.)?(key), matched against the whole path.
        let prefix = Node.repeating(.concat([.repeating(.test(.any), 0, nil), .test(.scalar("."))]), 0, 1)
        program = try Program(.concat([prefix, tree]))
    }

    /// Whether the module at `path` matches the key by PEFT's rule.
    func matches(_ path: String) -> Bool { matches(scalars: Array(path.unicodeScalars)) }

    /// ``matches(_:)`` for a path already split into Unicode scalars (one split per module, not per key).
    func matches(scalars: [Unicode.Scalar]) -> Bool {
        if let plain, !scalars.contains("\n") {
            // (.*\.)?(k)$ with k of fixed length: the path's last |k| scalars match k (with `.`
            // matching any scalar but a newline) and are the whole path or follow a ".".
            let n = scalars.count, k = plain.count
            guard n >= k, n == k || scalars[n - k - 1] == "." else { return false }
            for i in 0..<k where plain[i] == "." ? scalars[n - k + i] == "\n" : plain[i] != scalars[n - k + i] { return false }
            return true
        }
        return program.matchesWhole(scalars)
    }

    // MARK: Syntax

    /// What one scalar position accepts.
    enum Test: Sendable {
        case any                       // `.`: every scalar but "\n"
        case scalar(Unicode.Scalar)
        case set(items: [SetItem], negated: Bool)

        func accepts(_ c: Unicode.Scalar) -> Bool {
            switch self {
            case .any: return c != "\n"
            case .scalar(let s): return s == c
            case .set(let items, let negated): return items.contains { $0.accepts(c) } != negated
            }
        }
    }

    /// One member of a class: a range of scalars or a class escape.
    enum SetItem: Sendable {
        case range(UInt32, UInt32)
        case digit(Bool), word(Bool), space(Bool)  // true: the negated class (\D \W \S)

        func accepts(_ c: Unicode.Scalar) -> Bool {
            switch self {
            case .range(let lo, let hi): return (lo...hi).contains(c.value)
            case .digit(let negated): return (c.properties.numericType == .decimal) != negated
            case .word(let negated):
                let p = c.properties
                return (c == "_" || p.isAlphabetic || p.numericType != nil) != negated
            case .space(let negated): return c.properties.isWhitespace != negated
            }
        }
    }

    indirect enum Node: Sendable {
        case test(Test)
        case concat([Node])
        case alternation([Node])
        case repeating(Node, Int, Int?)  // node, minimum, maximum (nil: unbounded)
        case start, end                  // ^ and $
    }

    /// Recursive descent over Python's `re` syntax (the regular part of it).
    struct Parser {
        let s: [Unicode.Scalar]
        var i = 0
        init(_ s: [Unicode.Scalar]) { self.s = s }

        mutating func parseWhole() throws(Unsupported) -> Node {
            let node = try alternation()
            if i < s.count { throw Unsupported(reason: "unbalanced parenthesis at position \(i)") }
            return node
        }

        private var atEnd: Bool { i >= s.count }
        private func peek(_ offset: Int = 0) -> Unicode.Scalar? { i + offset < s.count ? s[i + offset] : nil }

        private mutating func alternation() throws(Unsupported) -> Node {
            var branches = [try sequence()]
            while peek() == "|" {
                i += 1
                branches.append(try sequence())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        private mutating func sequence() throws(Unsupported) -> Node {
            var items: [Node] = []
            while let c = peek(), c != "|", c != ")" {
                var atom = try self.atom()
                while let (lo, hi) = try quantifier() {
                    if case .start = atom { throw Unsupported(reason: "a quantifier after ^ at position \(i)") }
                    if case .end = atom { throw Unsupported(reason: "a quantifier after $ at position \(i)") }
                    atom = .repeating(atom, lo, hi)
                }
                items.append(atom)
            }
            return .concat(items)
        }

        /// `* + ? {m} {m,} {,n} {m,n}`, each optionally lazy (`?`); nil when none follows.
        private mutating func quantifier() throws(Unsupported) -> (Int, Int?)? {
            guard let c = peek() else { return nil }
            var bounds: (Int, Int?)
            switch c {
            case "*": bounds = (0, nil); i += 1
            case "+": bounds = (1, nil); i += 1
            case "?": bounds = (0, 1); i += 1
            case "{":
                guard let parsed = braces() else { return nil }  // not a repetition: a literal "{"
                bounds = parsed
            default: return nil
            }
            if peek() == "?" { i += 1 } else if peek() == "+" {
                throw Unsupported(reason: "a possessive quantifier at position \(i)")
            }
            if let hi = bounds.1, hi < bounds.0 { throw Unsupported(reason: "a repetition {\(bounds.0),\(hi)} with min > max") }
            return bounds
        }

        /// `{m}`, `{m,}`, `{,n}`, `{m,n}` at `i`, consumed; nil (nothing consumed) otherwise.
        private mutating func braces() -> (Int, Int?)? {
            var j = i + 1
            func number() -> Int? {
                var digits = ""
                while j < s.count, ("0"..."9").contains(s[j]) { digits.unicodeScalars.append(s[j]); j += 1 }
                return digits.isEmpty ? nil : Int(digits.prefix(6))
            }
            let lo = number()
            var hi = lo
            if j < s.count, s[j] == "," {
                j += 1
                hi = number()
            } else if lo == nil { return nil }
            guard j < s.count, s[j] == "}" else { return nil }
            i = j + 1
            return (lo ?? 0, hi)
        }

        private mutating func atom() throws(Unsupported) -> Node {
            let c = s[i]
            i += 1
            switch c {
            case ".": return .test(.any)
            case "^": return .start
            case "$": return .end
            case "*", "+", "?": throw Unsupported(reason: "nothing to repeat at position \(i - 1)")
            case "[": return .test(try characterClass())
            case "\\": return try escape(inClass: false).node
            case "(":
                if peek() == "?" {
                    if peek(1) == ":" {
                        i += 2
                    } else if peek(1) == "P", peek(2) == "<" {
                        guard let close = s[(i + 3)...].firstIndex(of: ">") else { throw Unsupported(reason: "an unterminated group name") }
                        i = close + 1
                    } else {
                        let what = peek(1) == "=" || peek(1) == "!" ? "a look-ahead" : peek(1) == "<" ? "a look-behind"
                            : peek(1) == "P" ? "a named back-reference" : "an inline flag or extension (?\(peek(1).map(String.init) ?? "")"
                        throw Unsupported(reason: "\(what) at position \(i - 1)")
                    }
                }
                let inner = try alternation()
                guard peek() == ")" else { throw Unsupported(reason: "missing ) for the group opened before position \(i)") }
                i += 1
                return inner
            default: return .test(.scalar(c))
            }
        }

        /// After a backslash: a class escape, a control escape or an escaped literal.
        private mutating func escape(inClass: Bool) throws(Unsupported) -> (node: Node, item: SetItem?) {
            guard let c = peek() else { throw Unsupported(reason: "a trailing backslash") }
            i += 1
            func literal(_ scalar: Unicode.Scalar) -> (Node, SetItem?) { (.test(.scalar(scalar)), .range(scalar.value, scalar.value)) }
            func item(_ item: SetItem) -> (Node, SetItem?) { (.test(.set(items: [item], negated: false)), item) }
            switch c {
            case "d": return item(.digit(false))
            case "D": return item(.digit(true))
            case "w": return item(.word(false))
            case "W": return item(.word(true))
            case "s": return item(.space(false))
            case "S": return item(.space(true))
            case "n": return literal("\n")
            case "t": return literal("\t")
            case "r": return literal("\r")
            case "f": return literal("\u{0C}")
            case "v": return literal("\u{0B}")
            case "a": return literal("\u{07}")
            case "A" where !inClass: return (.start, nil)
            case "Z" where !inClass: return (.end, nil)
            case "b" where inClass: return literal("\u{08}")
            case "0": return literal("\0")
            default:
                if c.properties.isAlphabetic || ("1"..."9").contains(c) {
                    throw Unsupported(reason: ("1"..."9").contains(c) ? "a back-reference \\\(c)" : "the escape \\\(c)")
                }
                return literal(c)
            }
        }

        /// `[...]` after the `[`: items, ranges, negation.
        private mutating func characterClass() throws(Unsupported) -> Test {
            var negated = false
            if peek() == "^" { negated = true; i += 1 }
            var items: [SetItem] = []
            var first = true
            while true {
                guard let c = peek() else { throw Unsupported(reason: "an unterminated character class") }
                if c == "]", !first { i += 1; break }
                first = false
                var low: UInt32
                if c == "\\" {
                    i += 1
                    let (_, item) = try escape(inClass: true)
                    guard case .range(let lo, _)? = item else {
                        items.append(item!)
                        continue
                    }
                    low = lo
                } else {
                    i += 1
                    low = c.value
                }
                if peek() == "-", let next = peek(1), next != "]" {
                    i += 1
                    var high: UInt32
                    if next == "\\" {
                        i += 1
                        guard case .range(let h, _)? = try escape(inClass: true).item else { throw Unsupported(reason: "a bad range in a class") }
                        high = h
                    } else {
                        i += 1
                        high = next.value
                    }
                    guard low <= high else { throw Unsupported(reason: "a reversed range in a class") }
                    items.append(.range(low, high))
                } else {
                    items.append(.range(low, low))
                }
            }
            return .set(items: items, negated: negated)
        }
    }

    // MARK: Automaton

    /// A Thompson automaton: states with scalar tests and ε-moves, simulated breadth-first.
    struct Program: Sendable {
        enum State: Sendable {
            case test(Test, Int)
            case split(Int, Int)
            case start(Int), end(Int)
            case accept
        }
        private(set) var states: [State] = [.accept]
        private var entry = 0

        init(_ node: Node) throws(Unsupported) {
            entry = try compile(node, next: 0)
        }

        /// Appends the states that match `node` and then continue at `next`; returns the entry.
        private mutating func compile(_ node: Node, next: Int) throws(Unsupported) -> Int {
            guard states.count < ModuleKeyPattern.maximumStates else {
                throw Unsupported(reason: "it compiles to more than \(ModuleKeyPattern.maximumStates) automaton states (a repetition count too large)")
            }
            switch node {
            case .test(let t):
                states.append(.test(t, next))
                return states.count - 1
            case .start:
                states.append(.start(next))
                return states.count - 1
            case .end:
                states.append(.end(next))
                return states.count - 1
            case .concat(let items):
                var cur = next
                for item in items.reversed() { cur = try compile(item, next: cur) }
                return cur
            case .alternation(let branches):
                var entries: [Int] = []
                for b in branches { entries.append(try compile(b, next: next)) }
                var cur = entries.last!
                for e in entries.dropLast().reversed() {
                    states.append(.split(e, cur))
                    cur = states.count - 1
                }
                return cur
            case .repeating(let body, let lo, let hi):
                var cur = next
                if let hi {
                    for _ in 0..<(hi - lo) {
                        let b = try compile(body, next: cur)
                        states.append(.split(b, next))
                        cur = states.count - 1
                    }
                } else {
                    states.append(.split(0, 0))  // patched: loop back into the body, or leave
                    let loop = states.count - 1
                    let b = try compile(body, next: loop)
                    states[loop] = .split(b, next)
                    cur = loop
                }
                for _ in 0..<lo { cur = try compile(body, next: cur) }
                return cur
            }
        }

        /// Whether the automaton accepts all of `input`.
        func matchesWhole(_ input: [Unicode.Scalar]) -> Bool {
            var seen = [Int](repeating: -1, count: states.count)
            var current: [Int] = []
            func add(_ s: Int, at position: Int, to list: inout [Int]) {
                var stack = [s]
                while let top = stack.popLast() {
                    guard seen[top] != position else { continue }
                    seen[top] = position
                    switch states[top] {
                    case .split(let a, let b): stack.append(b); stack.append(a)
                    case .start(let n): if position == 0 { stack.append(n) }
                    case .end(let n):
                        if position == input.count || (position == input.count - 1 && input[position] == "\n") { stack.append(n) }
                    case .test, .accept: list.append(top)
                    }
                }
            }
            add(entry, at: 0, to: &current)
            for (index, c) in input.enumerated() {
                var next: [Int] = []
                for s in current {
                    if case .test(let t, let n) = states[s], t.accepts(c) { add(n, at: index + 1, to: &next) }
                }
                if next.isEmpty { return false }
                current = next
            }
            return current.contains { if case .accept = states[$0] { true } else { false } }
        }
    }
}
