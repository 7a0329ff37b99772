#!/usr/bin/env python3
"""Builds data/vectors.bin: compact word vectors and each word's nearest distributional neighbours,
from the reference split (70% of documents, by id hash, as `unspun reference build` uses) of English
Wikipedia (CC BY-SA 3.0) and the UN General Debate corpus (CC0).

Method (Levy, Goldberg & Dagan 2015, "Improving distributional similarity with lessons learned from
word embeddings"): co-occurrence counts of the VOCAB most frequent words within +-WINDOW words,
positive PMI with context-distribution smoothing (alpha 0.75), truncated SVD to DIMS dimensions,
eigenvalue weighting p = 0.5, rows normalised to unit length and quantised to int8 (one scale per
row). A small window makes neighbours *substitutes* (words that fill the same slots) rather than
topical associates. Each word's NEIGHBOURS nearest words by cosine are stored too (leaving out its
own inflections, "images" for "image": no spinner swaps those), so the detector can propose them
without a search at run time.

Usage: python3 scripts/build_vectors.py [--shared ../shared/data] [--out data/vectors.bin]
Needs the shared corpora and numpy + scipy (tested with numpy 2.4, scipy 1.17). About 5 minutes and
6 GB of memory on 2 cores. Deterministic: the same corpora give the same bytes.

File format (an `unspun` artifact container, read by `src/artifact.rs`):
  magic "UNSPNART", u32 container version (1), u16 length + format name ("unspun-vectors"),
  u32 format version, u32 section count, then per section u16 name length + name, u64 length,
  bytes; finally the crc32 of everything before it. All integers little-endian.
Sections of "unspun-vectors" v1:
  "words"      the vocabulary, normalised as unspun does, one per line (UTF-8), most frequent first
  "dims"       u32 number of dimensions
  "scales"     f32 per word: the int8 components times the scale give the unit vector
  "vectors"    i8 per word per dimension
  "neighbours" u32 K, then per word K x (u16 word index, u8 cosine x 255, clamped at 0), best first
"""
import argparse, gzip, json, os, re, struct, sys, zlib

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds

VOCAB = 50_000
WINDOW = 2
DIMS = 100
NEIGHBOURS = 16
MIN_COUNT = 20
CDS = 0.75


def hash_word(s: str) -> int:
    """unspun's `reference::hash_word` (FNV-1a + splitmix64 finaliser)."""
    h = 0xCBF29CE484222325
    for b in s.encode():
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return h ^ (h >> 31)


WORD = re.compile(r"[a-z]+(?:'[a-z]+)*|[0-9][0-9.,]*")


def tokens_of(paths):
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                if hash_word(str(doc["id"])) % 100 >= 70:
                    continue  # train/valid/test originals stay out, as in the reference
                text = doc["text"].lower().replace("\u2019", "'").replace("\u2018", "'")
                for w in WORD.findall(text):
                    yield "<num>" if w[0].isdigit() else w


SUFFIXES = ("ing", "ed", "es", "s", "er", "est", "ly", "d")


def stem(w: str) -> str:
    for suf in SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: -len(suf)]
            break
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.environ.get("SHARED_DATA", "../shared/data"))
    ap.add_argument("--out", default="data/vectors.bin")
    a = ap.parse_args()
    paths = [os.path.join(a.shared, f) for f in ("enwiki2015-half.jsonl.gz", "ungdc-1990on.jsonl.gz")]
    for p in paths:
        if not os.path.exists(p):
            sys.exit(f"error: {p} not found: this script needs the shared corpora (--shared or SHARED_DATA)")

    print("reading the corpora ...", file=sys.stderr)
    counts, seq = {}, []
    for w in tokens_of(paths):
        i = counts.get(w)
        if i is None:
            i = counts[w] = len(counts)
        seq.append(i)
    words_all = list(counts)
    freq = np.bincount(np.asarray(seq, dtype=np.int64), minlength=len(words_all))
    # Most frequent first, ties by word (deterministic); numbers are not words.
    order = sorted((i for i in range(len(words_all)) if freq[i] >= MIN_COUNT and words_all[i] != "<num>"),
                   key=lambda i: (-freq[i], words_all[i]))[:VOCAB]
    remap = np.full(len(words_all), -1, dtype=np.int64)
    remap[order] = np.arange(len(order))
    ids = remap[np.asarray(seq, dtype=np.int64)]
    del seq
    words = [words_all[i] for i in order]
    v = len(words)
    print(f"{len(ids):,} tokens, vocabulary {v:,}", file=sys.stderr)

    print("counting co-occurrences ...", file=sys.stderr)
    cooc = sparse.csr_matrix((v, v), dtype=np.float64)
    for d in range(1, WINDOW + 1):
        x, y = ids[:-d], ids[d:]
        keep = (x >= 0) & (y >= 0)
        m = sparse.coo_matrix((np.ones(keep.sum()), (x[keep], y[keep])), shape=(v, v)).tocsr()
        cooc = cooc + m + m.T
    cooc.sum_duplicates()

    print("PPMI + SVD ...", file=sys.stderr)
    total = cooc.sum()
    row = np.asarray(cooc.sum(axis=1)).ravel()
    col = np.asarray(cooc.sum(axis=0)).ravel() ** CDS
    col /= col.sum()
    coo = cooc.tocoo()
    pmi = np.log(coo.data / total) - np.log(row[coo.row] / total) - np.log(col[coo.col])
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=(v, v))
    u, s, _ = svds(ppmi, k=DIMS, v0=np.ones(v) / np.sqrt(v))
    order_s = np.argsort(-s)
    u, s = u[:, order_s], s[order_s]
    # The sign of each singular vector is arbitrary: fix it so the output is deterministic.
    u *= np.sign(u[np.abs(u).argmax(axis=0), np.arange(DIMS)])
    emb = u * np.sqrt(s)
    emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)

    scales = (np.abs(emb).max(axis=1) / 127.0).astype(np.float32)
    scales[scales == 0] = 1.0
    q = np.clip(np.rint(emb / scales[:, None]), -127, 127).astype(np.int8)

    print("nearest neighbours ...", file=sys.stderr)
    stems = [stem(w) for w in words]
    deq = q.astype(np.float32) * scales[:, None]
    deq /= np.maximum(np.linalg.norm(deq, axis=1, keepdims=True), 1e-12)
    assert v <= 65535, "neighbour indices are u16"
    nb_idx = np.zeros((v, NEIGHBOURS), dtype=np.uint16)
    nb_cos = np.zeros((v, NEIGHBOURS), dtype=np.uint8)
    for start in range(0, v, 2048):
        sims = deq[start:start + 2048] @ deq.T
        for r in range(sims.shape[0]):
            sims[r, start + r] = -2.0
        top = np.argpartition(-sims, 2 * NEIGHBOURS, axis=1)[:, :2 * NEIGHBOURS]
        tv = np.take_along_axis(sims, top, axis=1)
        # Best first; ties by index.
        o = np.lexsort((top, -tv), axis=1)
        top, tv = np.take_along_axis(top, o, axis=1), np.take_along_axis(tv, o, axis=1)
        for r in range(len(top)):
            own = stems[start + r]
            kept = [(j, c) for j, c in zip(top[r], tv[r]) if stems[j] != own][:NEIGHBOURS]
            kept += [(0, 0.0)] * (NEIGHBOURS - len(kept))  # cosine 0: never proposed
            nb_idx[start + r] = [j for j, _ in kept]
            nb_cos[start + r] = np.clip(np.rint(np.array([c for _, c in kept]) * 255), 0, 255)

    nb = bytearray(struct.pack("<I", NEIGHBOURS))
    nb += np.rec.fromarrays([nb_idx.ravel(), nb_cos.ravel()], formats="<u2,u1").tobytes()
    sections = [
        ("words", "\n".join(words).encode()),
        ("dims", struct.pack("<I", DIMS)),
        ("scales", scales.astype("<f4").tobytes()),
        ("vectors", q.tobytes()),
        ("neighbours", bytes(nb)),
    ]
    write_container(a.out, "unspun-vectors", 1, sections)
    print(f"wrote {a.out} ({os.path.getsize(a.out):,} bytes)", file=sys.stderr)
    for w in ("end", "person", "department", "use", "professional", "gold", "sport", "keywords", "image"):
        if w in words:
            i = words.index(w)
            print(w, "->", ", ".join(f"{words[j]} {c / 255:.2f}" for j, c in zip(nb_idx[i][:8], nb_cos[i][:8])), file=sys.stderr)


def write_container(path, name, version, sections):
    out = bytearray(b"UNSPNART")
    out += struct.pack("<I", 1)
    out += struct.pack("<H", len(name)) + name.encode()
    out += struct.pack("<II", version, len(sections))
    for sname, data in sections:
        out += struct.pack("<H", len(sname)) + sname.encode() + struct.pack("<Q", len(data)) + data
    out += struct.pack("<I", zlib.crc32(out))
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
