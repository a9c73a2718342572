import LoRA

// Placeholder tour until chapters exist: report the BLAS in use.
let info = BLASInfo.current
print("BLAS: \(info)")
if let hint = info.hint { print("hint: \(hint)") }
