/// A conservative estimate of how wide a line of text is drawn, without a font engine.
///
/// Figures name the font family `Helvetica, Arial, sans-serif`; on Linux that resolves to
/// DejaVu Sans, which is wider than either. The table holds, for each printable ASCII
/// character, the larger of DejaVu Sans and DejaVu Sans Bold advance widths in em, rounded up
/// to 0.05 em (read from the fonts' `hmtx` tables). Helvetica and Arial are narrower for every
/// entry, so an estimate from this table is an upper bound for the fonts a reader is likely to
/// get. Characters outside the table count 1 em (a few common symbols have their own row).
///
/// ```
/// width("r = 4", size: 11) = (0.5 + 0.35 + 0.85 + 0.35 + 0.7) · 11 = 30.25
/// ```
public enum TextMetrics {
    /// Advance widths in em, grouped by width.
    private static let groups: [(em: Double, characters: String)] = [
        (0.25, "ⁱ"),
        (0.35, " 'ijl"),
        (0.4, ",./:;IJ\\|·"),
        (0.45, "-f¹²³⁰⁴₀₁₂ᵀ"),
        (0.5, "!()[]_`rt‖ₒ–"),
        (0.55, "\"*⁻∂"),
        (0.6, "?cszεζ"),
        (0.65, "Lxλτχ•"),
        (0.7, "$0123456789EFTaekovyαγδθνΣ√"),
        (0.75, "CPSYZbdghnpqu{}βημρ∑"),
        (0.8, "ABKRVXπσφψΔ"),
        (0.85, "#+<=>DGHNU^~×→←↑↓≤≥≈−⊙ℝ"),
        (0.9, "&OQωΦΩ∈"),
        (0.95, "w"),
        (1.0, "@M…—"),
        (1.05, "%m"),
        (1.15, "W"),
    ]

    private static let table: [Character: Double] = {
        var table: [Character: Double] = [:]
        for (em, characters) in groups { for c in characters { table[c] = em } }
        return table
    }()

    /// The width of one character in em (1 for characters outside the table).
    public static func em(_ character: Character) -> Double { table[character] ?? 1 }

    /// The estimated width of `text` drawn at `size` pixels (bold is covered by the table).
    public static func width(_ text: String, size: Double) -> Double {
        text.reduce(0) { $0 + em($1) } * size
    }

    /// Splits `text` at spaces into lines no wider than `maxWidth` (greedy). A single word
    /// wider than `maxWidth` stays whole on its own line: the overflow check reports it.
    public static func wrap(_ text: String, maxWidth: Double, size: Double) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if current.isEmpty || width(candidate, size: size) <= maxWidth {
                current = candidate
            } else {
                lines.append(current)
                current = word
            }
        }
        lines.append(current)
        return lines
    }
}
