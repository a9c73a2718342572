#!/usr/bin/env python3
"""Extract the package's real-text corpus from Debian packages into Sources/Corpus/Text.

Run on a Debian machine with the packages installed:
    apt-get install fortunes bible-kjv bible-kjv-text
    python3 Scripts/corpus/extract_corpus.py            # writes Sources/Corpus/Text/*.txt
    python3 Scripts/corpus/extract_corpus.py --check    # verifies the committed files instead

Collections (each a list of documents):
  source    every category of `fortunes` except the held-out voices and the non-prose ones
  startrek  the `startrek` category of `fortunes` (held out of the source)
  proverbs  the Book of Proverbs from the King James Version (`bible-kjv-text`), one verse each

Split rule, per collection, by a document's position i (0-based) in extraction order:
  i % 10 == 8 -> validation,  i % 10 == 9 -> test,  otherwise train.
Documents of `source` whose text also occurs in a target voice are dropped from `source`.

File format: UTF-8; every document is followed by a line holding only `%` (the fortune
convention); trailing spaces of each line and trailing blank lines are removed, tabs kept.
"""
import argparse, hashlib, os, re, subprocess, sys, tempfile

FORTUNES = "/usr/share/games/fortunes"
HELD_OUT = {"startrek"}
NOT_PROSE = {"art", "ascii-art", "translate-me"}  # drawings, and a file of untranslated text


def clean(text):
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


def fortune_documents(category):
    with open(os.path.join(FORTUNES, category), encoding="utf-8") as f:
        text = f.read()
    # A document ends at a line holding only `%`; some files have empty documents (`%` twice).
    docs = [clean(d) for d in re.split(r"^%$", text, flags=re.MULTILINE)]
    return [d for d in docs if d]


def source_categories():
    names = [n for n in os.listdir(FORTUNES) if not n.endswith(".dat") and not n.endswith(".u8")]
    return sorted(n for n in names if n not in HELD_OUT | NOT_PROSE)


def proverbs_documents():
    out = subprocess.run(["bible", "-l0", "Prv1:1-Prv31:31"], capture_output=True, text=True, check=True).stdout
    docs = []
    for line in out.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("Proverbs "):
            continue
        number, _, verse = stripped.partition(" ")
        if not number.isdigit():
            raise SystemExit(f"unexpected line from bible: {line!r}")
        docs.append(clean(verse))
    return docs


def split(docs):
    parts = {"train": [], "validation": [], "test": []}
    for i, d in enumerate(docs):
        parts["validation" if i % 10 == 8 else "test" if i % 10 == 9 else "train"].append(d)
    return parts


def render(docs):
    return "".join(d + "\n%\n" for d in docs)


def collections():
    targets = {"startrek": fortune_documents("startrek"), "proverbs": proverbs_documents()}
    seen = {d for docs in targets.values() for d in docs}
    source = [d for c in source_categories() for d in fortune_documents(c) if d not in seen]
    return {"source": source, **targets}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "../../Sources/Corpus/Text"))
    parser.add_argument("--check", action="store_true", help="compare with the files in --out instead of writing")
    args = parser.parse_args()
    mismatches = 0
    for name, docs in collections().items():
        for part, part_docs in split(docs).items():
            data = render(part_docs).encode("utf-8")
            path = os.path.join(args.out, f"{name}.{part}.txt")
            if args.check:
                with open(path, "rb") as f:
                    same = f.read() == data
                mismatches += not same
                print(("same     " if same else "DIFFERS  ") + path)
                continue
            fd, tmp = tempfile.mkstemp(dir=args.out, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
            print(f"{name}.{part}.txt  {len(part_docs):6d} documents  {len(data):8d} bytes  "
                  f"sha256 {hashlib.sha256(data).hexdigest()}")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
