// Exercise 02 · chapter 02 (ch02-forward-and-scaling): the scaling factor s
//
// The update is applied as s·B·A. With s = α/r (the LoRA paper), changing r does not change how
// hard the update pushes at the start, so α can stay fixed while you try ranks. rsLoRA
// (Kalajdzievski 2023) uses s = α/√r, which keeps the update's scale stable as r grows.
//
// What to do: return α/r, or α/√r when `rankStabilized` is true.
// Check: swift run exercises 2          Stuck? swift run exercises 2 --hint

/// s = α/r (LoRA) or α/√r (rsLoRA).
public func loraScale(alpha: Double, rank: Int, rankStabilized: Bool) -> Double {
    // TODO: compute the scaling for both conventions.
    return 1
}
