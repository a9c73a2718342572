"""Writes the tokenizer fixtures with Hugging Face `tokenizers` (see README.md here).

Trains a small byte-level BPE on corpus.txt in two styles (GPT-2's ByteLevel pre-tokenizer and
Llama 3's Split regex + ByteLevel with a BOS template), writes a third variant of the GPT-2
vocabulary with SmolLM's Digits pre-tokenizer and a prefix space, and records in expected.json
what `tokenizers` itself gives: the pre-tokenizer splits of three regexes, the ids of every test
text, and the decoded strings. It also loads `bytelevel/tokenizer.json` (written by the Swift
package's ByteLevelVocabulary) and records its ids, which proves `tokenizers` reads that file.

Run from the package root:  /work/venv/bin/python Tests/LoRATests/Fixtures/tokenizer/make_fixtures.py
The output is the same bytes on every run with the same `tokenizers` version.
"""
import json
import os
import sys

import tokenizers
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))

GPT2 = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"

TEXTS = [
    "Hello world! It's a test, isn't it? We'll see; they'd say you're right, I'm sure they've",
    "Café, naïve façade, Straße, ÉCOLE, Grüße",
    "Привет, как дела? Москва 2024",
    "日本語のテキスト、中文字符。한국어",
    "Numbers: 1234567890 3.14159 and 007, ١٢٣ ½ Ⅻ 12,345,678",
    "  leading spaces\tand\ttabs\n\nnew  lines   \n  end   ",
    "Emoji: 👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️ 🙂done",
    "<|begin_of_text|>System<|end_of_text|> middle <|end_of_text|>end <|endoftext|>x",
    "CONTRACTIONS: IT'S, WE'LL, THEY'D, YOU'RE 'ſ 'Ll it's",
    "punctuation!!! ... ??? --- (brackets) [x] {y} \"quotes\" 'single' `back` a.b,c;d",
    "\r\nWindows\r\nline\r\n\r\nend\r",
    "mixed1234abc 12345 a1b2c3 x99y",
    "",
    " ",
    "\n",
    "   ",
    "supercalifragilisticexpialidocious trailing space ",
    "e\u0301 combining, a\u00a0b nbsp, ideographic\u3000space, line\u2028sep, nel\u0085x, zw\u200dj",
    "The [NOTE] marker and   <sep>  stripped <sep>",
    "tab\t\tword \t\nend ?!\n\nx",
]


def train(pre_tokenizer, specials, ignore_merges):
    tok = Tokenizer(models.BPE(ignore_merges=ignore_merges))
    tok.pre_tokenizer = pre_tokenizer
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=500, min_frequency=2, special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    with open(os.path.join(HERE, "corpus.txt"), encoding="utf-8") as f:
        corpus = f.read()
    tok.train_from_iterator([corpus], trainer)
    return tok, corpus


def save(tok, name, legacy_merges=False):
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "tokenizer.json")
    data = json.loads(tok.to_str())
    if legacy_merges:  # the older "a b" form of merges, as GPT-2's own file writes them
        data["model"]["merges"] = [" ".join(pair) for pair in data["model"]["merges"]]
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return Tokenizer.from_file(path)  # what is checked is the file as written


def record(tok, texts):
    cases = []
    for index, text in enumerate(texts):
        each_id = index < len(TEXTS)
        ids = tok.encode(text).ids
        case = {
            "ids": ids,
            "ids_without_special": tok.encode(text, add_special_tokens=False).ids,
            "decoded": tok.decode(ids, skip_special_tokens=False),
            "decoded_skipping_special": tok.decode(ids, skip_special_tokens=True),
        }
        if each_id and any(ord(c) > 0x7F for c in text):  # each id alone: partial characters give U+FFFD
            case["each_id_decoded"] = [tok.decode([i], skip_special_tokens=False) for i in ids]
        cases.append(case)
    return cases


def main():
    gpt2, corpus = train(pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True), ["<|endoftext|>"], False)
    gpt2.post_processor = processors.ByteLevel(trim_offsets=False)
    gpt2.add_tokens([AddedToken("[NOTE]", normalized=False), AddedToken("marker", normalized=True)])
    gpt2.add_special_tokens([AddedToken("<sep>", lstrip=True, rstrip=True, special=True, normalized=False)])
    gpt2_file = save(gpt2, "gpt2", legacy_merges=True)
    assert gpt2_file.encode(corpus).ids == gpt2.encode(corpus).ids

    split = pre_tokenizers.Split(Regex(LLAMA3), behavior="isolated", invert=False)
    llama3, _ = train(
        pre_tokenizers.Sequence([split, pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]),
        ["<|begin_of_text|>", "<|end_of_text|>"], True)
    bos = llama3.token_to_id("<|begin_of_text|>")
    llama3.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(
            single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B:1",
            special_tokens=[("<|begin_of_text|>", bos)])])
    llama3_file = save(llama3, "llama3")

    smollm = Tokenizer.from_str(gpt2.to_str())  # the GPT-2 vocabulary, SmolLM's pre-tokenizer
    smollm.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=True)])
    smollm_file = save(smollm, "digits_prefix_space")

    # A hand-made vocabulary that lacks most bytes: unknown bytes become <unk> (one per byte,
    # or one per run with fuse_unk), or are dropped when there is no unk_token.
    small_vocab = {"<unk>": 0, "a": 1, "b": 2, "e": 3, "Ġ": 4, "ab": 5, "Ġab": 6, "Ã": 7, "©": 8, "Ã©": 9}
    small_merges = [("a", "b"), ("Ġ", "ab"), ("Ã", "©")]
    small = {}
    for name, unk, fuse in [("unknown_bytes", "<unk>", False), ("unknown_bytes_fused", "<unk>", True), ("unknown_bytes_dropped", None, False)]:
        tok = Tokenizer(models.BPE(vocab=dict(small_vocab), merges=list(small_merges), unk_token=unk, fuse_unk=fuse))
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        small[name] = save(tok, name)

    texts = TEXTS + [corpus]  # the corpus last: its ids, not each id's decoding
    expected = {
        "versions": {"tokenizers": tokenizers.__version__, "python": sys.version.split()[0]},
        "texts": texts,
        "splits": {
            name: [[piece for piece, _ in pre_tokenizers.Split(Regex(p), behavior="isolated").pre_tokenize_str(t)] for t in texts]
            for name, p in [("gpt2", GPT2), ("llama3", LLAMA3), ("qwen2", QWEN2)]
        },
        "tokenizers": {
            "gpt2": record(gpt2_file, texts),
            "llama3": record(llama3_file, texts),
            "digits_prefix_space": record(smollm_file, texts),
            **{name: record(tok, TEXTS[:12] + ["ab abab éé zab", "zzz ab"]) for name, tok in small.items()},
        },
        "small_texts": TEXTS[:12] + ["ab abab éé zab", "zzz ab"],
    }
    # Files written by the Swift package (ByteLevelVocabulary; BPETrainer + BPETokenizer.write):
    # tokenizers must load them, and its ids are what the Swift tests compare with.
    for name in ["bytelevel", "written_by_us"]:
        path = os.path.join(HERE, name, "tokenizer.json")
        if os.path.exists(path):
            tok = Tokenizer.from_file(path)
            expected["tokenizers"][name] = record(tok, texts)
            expected[name + "_vocab_size"] = tok.get_vocab_size(with_added_tokens=True)
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
