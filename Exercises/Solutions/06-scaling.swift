// Solution 06 · chapter 05 (ch05-scaling): the scaling factor s

/// s = α/r (LoRA) or α/√r (rsLoRA).
public func loraScale(alpha: Double, rank: Int, rankStabilized: Bool) -> Double {
    // α/r: the LoRA paper's choice; the paper sets α to the first r it tries and does not
    // retune it. That is only roughly right (chapter 05, erratum 3): under Adam ΔW moves by
    // about s·η, so α/r shrinks the updates of large ranks, and under SGD the change goes like
    // s²·η. α/√r: rsLoRA's argument is that with random-like factors the update grows like √r,
    // not r, so α/r slows large ranks down too much; α/√r keeps their learning stable.
    let r = Double(rank)
    return rankStabilized ? alpha / r.squareRoot() : alpha / r
}
