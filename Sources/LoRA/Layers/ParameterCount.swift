/// Trainable and frozen parameter counts of a layer or a model.
public struct ParameterCount: Equatable, Sendable, CustomStringConvertible {
    /// Parameters the optimizer updates.
    public var trainable: Int
    /// Parameters kept fixed.
    public var frozen: Int

    /// Counts of trainable and frozen parameters.
    public init(trainable: Int = 0, frozen: Int = 0) {
        self.trainable = trainable
        self.frozen = frozen
    }

    /// trainable + frozen.
    public var total: Int { trainable + frozen }
    /// trainable / total (0 for an empty model).
    public var trainableFraction: Double { total == 0 ? 0 : Double(trainable) / Double(total) }

    /// Both counts summed.
    public static func + (l: ParameterCount, r: ParameterCount) -> ParameterCount {
        ParameterCount(trainable: l.trainable + r.trainable, frozen: l.frozen + r.frozen)
    }

    public var description: String {
        "trainable \(trainable) / total \(total) (\(trainableFraction * 100)% trainable)"
    }

    /// Parameters of a rank-r update of a (d, k) weight: r·(d + k).
    public static func loraParameters(rank r: Int, out d: Int, in k: Int) -> Int { r * (d + k) }

    /// The compression ratio r(d + k) / (d·k) of LoRA against the full weight (≈ 2r/d when d = k).
    public static func compressionRatio(rank r: Int, out d: Int, in k: Int) -> Double {
        Double(loraParameters(rank: r, out: d, in: k)) / (Double(d) * Double(k))
    }

    /// The sum over modules (layers or models), each counted by its one parameter traversal.
    public static func total(of modules: [any Module]) -> ParameterCount {
        modules.reduce(ParameterCount()) { $0 + $1.parameterCount }
    }
}
