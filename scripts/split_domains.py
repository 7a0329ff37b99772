#!/usr/bin/env python3
"""Splits the Wikipedia corpus into two domains for training and evaluation: `enwiki2015-science`
(articles on the natural sciences, medicine, mathematics and computing) and `enwiki2015` (the rest, its `corpus` field unchanged), so
that `unspun corpus` tags each original and spun item with its domain and the document model's
threshold must keep its precision on scientific prose too (DESIGN.md, "Domains").

An article is scientific when at least 2% of its words are in a fixed list of scientific words
(SCIENCE_WORDS below: about 15% of the articles, from "Protein" and "Activation energy" down to
"General surgery" and "Convection"). The split is by content, not by id, so it does not disturb the
reference/train/valid/test split of `unspun corpus` (by document id). The records are copied
unchanged except for their `corpus` field.

Usage: python3 scripts/split_domains.py ENWIKI.jsonl.gz OUT_DIR
Writes OUT_DIR/enwiki2015-science.jsonl.gz and OUT_DIR/enwiki2015.jsonl.gz and prints the counts.
"""
import gzip, json, os, re, sys

SCIENCE_WORDS = frozenset("""
cell cells protein proteins species gene genes dna molecule molecules atom atoms atomic electron
electrons energy physics chemical chemistry acid acids temperature disease diseases patients patient
symptoms treatment clinical bacteria virus infection enzyme enzymes tissue organism organisms theorem
equation equations mathematics mathematical algorithm algorithms function functions variable
variables quantum particle particles mass velocity frequency wavelength radiation magnetic orbit
orbital planet planets solar galaxy stars star compound compounds reaction reactions hydrogen oxygen
carbon nitrogen metal metals ions ion blood brain neurons receptor receptors drug drugs dose therapy
cancer tumor tumour genetic evolution evolutionary fossil fossils mineral minerals rock rocks
geological soil climate data computer software hardware network networks signal signals voltage
circuit experiment experiments hypothesis theory theories measurement measured laboratory research
researchers study studies statistical probability
""".split())
MIN_SHARE = 0.02
WORD = re.compile(r"[a-z]+")


def science_share(text):
    words = WORD.findall(text.lower())
    return sum(w in SCIENCE_WORDS for w in words) / len(words) if words else 0.0


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().split("\n\n")[-2])
    src, out = sys.argv[1], sys.argv[2]
    if not os.path.exists(src):
        sys.exit(f"error: {src} not found: this script needs the shared corpora (../shared/data)")
    os.makedirs(out, exist_ok=True)
    paths = {d: os.path.join(out, f"{d}.jsonl.gz") for d in ("enwiki2015-science", "enwiki2015")}
    files = {d: gzip.open(p + ".tmp", "wt", encoding="utf-8") for d, p in paths.items()}
    counts = dict.fromkeys(paths, 0)
    with gzip.open(src, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                text = r["text"]
            except (ValueError, KeyError) as e:
                sys.exit(f"error: {src}:{n}: not a document with a text ({e})")
            d = "enwiki2015-science" if science_share(text) >= MIN_SHARE else "enwiki2015"
            r["corpus"] = d
            files[d].write(json.dumps(r, ensure_ascii=False) + "\n")
            counts[d] += 1
    for d, f in files.items():
        f.close()
        os.replace(paths[d] + ".tmp", paths[d])
        print(f"{counts[d]:6d} documents -> {paths[d]}")


if __name__ == "__main__":
    main()
