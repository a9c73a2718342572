print("lora-bench")
