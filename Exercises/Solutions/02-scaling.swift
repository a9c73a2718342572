// Solution 02 · chapter 02 (ch02-forward-and-scaling): the scaling factor s

/// s = α/r (LoRA) or α/√r (rsLoRA).
public func loraScale(alpha: Double, rank: Int, rankStabilized: Bool) -> Double {
    // α/r: the LoRA paper's choice. Doubling r doubles the number of terms in B·A's entries,
    // and halving s compensates, so "we simply set α to the first r we try and do not tune it".
    // α/√r: rsLoRA's argument is that with random-like factors the update grows like √r, not r,
    // so α/r shrinks large-rank updates too much and they learn slowly; α/√r keeps them stable.
    let r = Double(rank)
    return rankStabilized ? alpha / r.squareRoot() : alpha / r
}
