"""Tokens per second of greedy generation in transformers on CPU, for the LLaMA shape that
`lora-bench --only llama` measures (vocabulary 8192, d 512, 8 layers, 8 heads over 4 KV heads,
SwiGLU 1376, untied; 31.6 M parameters), 16-token prompt, 48 new tokens, with and without the
key/value cache. For the note beside lora-bench's figures; not run by CI (needs torch).

    python3 Scripts/transformers_generation_speed.py [--threads N]
"""
import argparse
import statistics
import time

import torch
import transformers
from transformers import LlamaConfig, LlamaForCausalLM

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=torch.get_num_threads(), help="torch threads (default: torch's own)")
parser.add_argument("--repetitions", type=int, default=5)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(11)
config = LlamaConfig(vocab_size=8192, hidden_size=512, intermediate_size=1376, num_hidden_layers=8,
                     num_attention_heads=8, num_key_value_heads=4, max_position_embeddings=512,
                     tie_word_embeddings=False, rms_norm_eps=1e-6)
model = LlamaForCausalLM(config).eval()
parameters = sum(p.numel() for p in model.parameters())
prompt = torch.tensor([[(i * 613) % 8192 for i in range(16)]])
new = 48


def run(use_cache):
    with torch.no_grad():
        out = model.generate(prompt, max_new_tokens=new, min_new_tokens=new, do_sample=False, use_cache=use_cache,
                             pad_token_id=0, eos_token_id=None)
    assert out.shape[1] == 16 + new


for use_cache in (True, False):
    run(use_cache)  # warm-up
    times = []
    for _ in range(args.repetitions):
        start = time.perf_counter()
        run(use_cache)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"transformers {transformers.__version__}, torch {torch.__version__}, {args.threads} thread(s), "
          f"{parameters / 1e6:.1f} M parameters, cache {'on' if use_cache else 'off'}: "
          f"{new / median:.1f} tokens/s (median of {args.repetitions}: {median * 1e3:.0f} ms)")
