// Exercise 06 · chapter 05 (ch05-scaling): the scaling factor s
//
// The update is applied as s·B·A. The LoRA paper uses s = α/r and sets α once, without retuning
// it when r changes. That holds only roughly (chapter 05, erratum 3): under Adam ΔW moves by
// about s·η per step, so α/r makes larger ranks learn more slowly, and under plain SGD the
// change even grows like s²·η. rsLoRA (Kalajdzievski 2023) uses s = α/√r, which keeps the
// update's size stable as r grows.
//
// What to do: return α/r, or α/√r when `rankStabilized` is true.
// Check: swift run exercises 6          Stuck? swift run exercises 6 --hint

/// s = α/r (LoRA) or α/√r (rsLoRA).
public func loraScale(alpha: Double, rank: Int, rankStabilized: Bool) -> Double {
    // TODO: compute the scaling for both conventions.
    return 1
}
