#!/usr/bin/env python3
r"""Decode a CMU Sphinx trie language model (.lm.bin) into an ARPA file.

    python3 scripts/cmu_lm_decode.py IN.lm.bin OUT.arpa

Reads the "Trie Language Model" binary that pocketsphinx / sphinxbase write
(pocketsphinx_lm_convert, sphinx_lm_convert; src/lm/ngram_model_trie.c,
lm_trie.c, lm_trie_quant.c, bitarr.c) and writes a standard ARPA file:

    \data\
    ngram N=count            (one line per order)
    \N-grams:
    log10prob<TAB>w1 w2 ...<TAB>log10backoff   (no backoff at the top order)
    \end\

N-grams are sorted within each order by their words (byte order of the
space-joined UTF-8 string), so the output is deterministic. Values are
printed with 4 decimals, like pocketsphinx's own ARPA writer. The \data\
counts are the n-grams really present (see below). Counts per order go to
stderr. The output is written to OUT.arpa.tmp and renamed when complete.
Exits 2 if the input is not a well-formed trie LM. Needs numpy.

The format (little-endian throughout, no padding):
  "Trie Language Model" (19 bytes, no NUL), uint8 order, uint32 counts[order]
  if order > 1: int32 (old quantizer type, ignored), then float32 tables of
    2^16 bins each: for every middle order 2..order-1 a prob table then a
    backoff table, then a prob table for the top order
  unigrams: (counts[0] + 1) x {float32 prob, float32 backoff, uint32 next}
    (the last is a sentinel holding only `next`)
  bit-packed n-gram arrays, one per order 2..order (middle orders first);
    each is sized for counts[n-1] + 1 fixed-width entries plus 8 bytes of
    slack, rounded up to bytes. The entries actually used are as many as the
    level above's last `next` pointer says (the header count can be larger:
    pocketsphinx's builder overcounts, by 6 bigrams in en-us.lm.bin; the
    spare slots are zero); after them one more entry carries only the end
    `next` pointer. Fields:
      middle entry : word id (W bits) | backoff bin (16) | prob bin (16)
                     | next (bit width of counts[n], index into order n+1)
      longest entry: word id (W bits) | prob bin (16)
    W = bit width of counts[0]; fields are packed from the low bit up,
    entry i starting at bit i * entry_bits.
  uint32 k, then k bytes of NUL-terminated words (word id order).

The trie is reversed (KenLM style): a unigram's children are the words that
PRECEDE it, so the path u -> m -> l is the trigram "l m u". Children of one
node are sorted by word id (nearly always, see the warning in parse());
node i's children are entries next[i]..next[i+1]-1.
Middle orders may contain "blank" n-grams the builder added to reach
higher-order ones (prob = backed-off value, backoff 0); they are kept, as
pocketsphinx counts and writes them too, and they change no probability
(beyond quantization).

Probabilities and backoffs are stored as logs in the base of the logmath the
converter used. Nothing in the file records it; pocketsphinx_lm_convert's
default, and pocketsphinx's decoding default, is 1.0001 (shift 0), so
log10 = stored * log10(1.0001). Unigram values are exact floats; higher
orders are the 2^16 quantizer bin centres (mean of each bin's values).
"""
import math
import os
import sys

try:
    import numpy as np
except ImportError:  # pragma: no cover
    sys.exit("cmu_lm_decode.py needs numpy (python3 -m pip install numpy)")

MAGIC = b"Trie Language Model"
MAX_ORDER = 5            # NGRAM_MAX_ORDER in pocketsphinx
QUANT_BITS = 16          # prob_bits == bo_bits == 16
LOG10_BASE = math.log10(1.0001)


class FormatError(Exception):
    pass


def required_bits(max_value):
    """bitarr_required_bits: bits to store integers 0..max_value."""
    return int(max_value).bit_length()


def read_fields(mem, bit_offsets, nbits):
    """Read `nbits`-wide unsigned fields (nbits <= 32) at the given bit
    offsets of the little-endian bit array `mem` (uint8, padded)."""
    byte = bit_offsets >> 3
    shift = (bit_offsets & 7).astype(np.uint64)
    nbytes = (7 + nbits + 7) // 8
    val = np.zeros(len(bit_offsets), dtype=np.uint64)
    for k in range(nbytes):
        val |= mem[byte + k].astype(np.uint64) << np.uint64(8 * k)
    return ((val >> shift) & np.uint64((1 << nbits) - 1)).astype(np.int64)


def parse(data):
    """Return (header counts, real counts, words, unigram (prob, bo)
    arrays, per-order n-gram arrays). Each higher order gives (ids, prob, bo): ids[:, 0] is the
    n-gram's first word, ids[:, -1] its last; values are in the file's
    log units."""
    if len(data) < len(MAGIC) + 1 or data[:len(MAGIC)] != MAGIC:
        raise FormatError("not a CMU Sphinx trie LM (header %r, expected %r)"
                          % (bytes(data[:len(MAGIC)]), MAGIC))
    pos = len(MAGIC)
    order = data[pos]
    pos += 1
    if not 1 <= order <= MAX_ORDER:
        raise FormatError("n-gram order %d out of range 1..%d" % (order, MAX_ORDER))

    def take(nbytes, what):
        nonlocal pos
        if pos + nbytes > len(data):
            raise FormatError("file truncated while reading %s" % what)
        chunk = data[pos:pos + nbytes]
        pos += nbytes
        return chunk

    counts = [int(c) for c in np.frombuffer(take(4 * order, "counts"), "<u4")]
    vocab = counts[0]
    if vocab == 0:
        raise FormatError("no unigrams")

    tables = []  # per order 2..order: (prob table, backoff table or None)
    if order > 1:
        take(4, "quantizer type")
        nbins = 1 << QUANT_BITS
        nvalues = (order - 2) * 2 * nbins + nbins
        values = np.frombuffer(take(4 * nvalues, "quantizer"), "<f4").astype(np.float64)
        for i in range(order - 2):
            tables.append((values[2 * i * nbins:(2 * i + 1) * nbins],
                           values[(2 * i + 1) * nbins:(2 * i + 2) * nbins]))
        tables.append((values[(order - 2) * 2 * nbins:], None))

    ug_dtype = np.dtype([("prob", "<f4"), ("bo", "<f4"), ("next", "<u4")])
    ug = np.frombuffer(take(ug_dtype.itemsize * (vocab + 1), "unigrams"), ug_dtype)
    uni_prob = ug["prob"][:vocab].astype(np.float64)
    uni_bo = ug["bo"][:vocab].astype(np.float64)

    word_bits = required_bits(vocab)
    levels = []
    actual = [vocab]
    parent_next = ug["next"].astype(np.int64)   # children ranges of the level above
    parent_ids = np.arange(vocab, dtype=np.int64)[:, None]
    for n in range(2, order + 1):
        entries = counts[n - 1]
        longest = n == order
        next_bits = 0 if longest else required_bits(counts[n])
        quant_bits = QUANT_BITS if longest else 2 * QUANT_BITS
        total_bits = word_bits + quant_bits + next_bits
        size = ((1 + entries) * total_bits + 7) // 8 + 8
        mem = np.frombuffer(take(size, "%d-gram array" % n), np.uint8)
        mem = np.concatenate([mem, np.zeros(8, np.uint8)])

        # The array is sized from the header count, but the builder's count
        # can exceed the entries it actually inserted (lm_trie_fix_counts
        # overcounts); the real number is the parent level's end pointer.
        used = int(parent_next[-1])
        if (parent_next[0] != 0 or used > entries
                or np.any(np.diff(parent_next) < 0)):
            raise FormatError("inconsistent child pointers into the %d-grams" % n)
        actual.append(used)
        parent = np.repeat(np.arange(len(parent_ids), dtype=np.int64),
                           np.diff(parent_next))
        start = np.arange(used + 1, dtype=np.int64) * total_bits
        word = read_fields(mem, start[:-1], word_bits)
        if used and word.max() >= vocab:
            raise FormatError("word id out of range in the %d-grams" % n)
        # Children of one node should be sorted by word id (pocketsphinx finds
        # them by interpolation search). A duplicate means a misparse; a few
        # out-of-order siblings do occur in real files (2 of en-us.lm.bin's
        # trigrams), so those are only reported.
        same = parent[1:] == parent[:-1]
        step = word[1:][same] - word[:-1][same]
        if np.any(step == 0):
            raise FormatError("duplicate %d-grams (misparsed file?)" % n)
        if np.any(step < 0):
            print("warning: %d %d-gram(s) out of word order in their node "
                  "(kept; pocketsphinx may fail to look them up)"
                  % (int((step < 0).sum()), n), file=sys.stderr)
        ptab, btab = tables[n - 2]
        if longest:
            prob = ptab[read_fields(mem, start[:-1] + word_bits, QUANT_BITS)]
            bo = None
        else:
            bo = btab[read_fields(mem, start[:-1] + word_bits, QUANT_BITS)]
            prob = ptab[read_fields(mem, start[:-1] + word_bits + QUANT_BITS, QUANT_BITS)]
            parent_next = read_fields(mem, start + word_bits + quant_bits, next_bits)
        ids = np.concatenate([word[:, None], parent_ids[parent]], axis=1)
        levels.append((ids, prob, bo))
        parent_ids = ids

    nchars = int(np.frombuffer(take(4, "vocabulary size"), "<u4")[0])
    blob = bytes(take(nchars, "vocabulary"))
    if pos != len(data):
        raise FormatError("%d unexpected trailing bytes" % (len(data) - pos))
    if not blob.endswith(b"\0"):
        raise FormatError("vocabulary not NUL-terminated")
    words = blob[:-1].split(b"\0")
    if len(words) != vocab:
        raise FormatError("vocabulary has %d words, header says %d" % (len(words), vocab))
    return counts, actual, words, (uni_prob, uni_bo), levels


def fmt(values):
    """log-base-1.0001 values -> list of b'%.4f' log10 strings."""
    return [b"%.4f" % v for v in (np.asarray(values, np.float64) * LOG10_BASE).tolist()]


def write_arpa(path, counts, words, unigrams, levels):
    """Write the ARPA file to path + ".tmp", then rename it to path."""
    tmp = path + ".tmp"
    try:
        _write_arpa(tmp, counts, words, unigrams, levels)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    os.replace(tmp, path)


def _write_arpa(tmp, counts, words, unigrams, levels):
    order = len(counts)
    with open(tmp, "wb") as f:
        f.write(b"\\data\\\n")
        for n, c in enumerate(counts, 1):
            f.write(b"ngram %d=%d\n" % (n, c))

        uprob, ubo = fmt(unigrams[0]), fmt(unigrams[1])
        f.write(b"\n\\1-grams:\n")
        for i in sorted(range(len(words)), key=words.__getitem__):
            if order > 1:
                f.write(b"%s\t%s\t%s\n" % (uprob[i], words[i], ubo[i]))
            else:
                f.write(b"%s\t%s\n" % (uprob[i], words[i]))

        for n, (ids, prob, bo) in enumerate(levels, 2):
            cols = [ids[:, k].tolist() for k in range(n)]
            keys = [b" ".join([words[w] for w in t]) for t in zip(*cols)]
            del cols
            perm = sorted(range(len(keys)), key=keys.__getitem__)
            ps = fmt(prob)
            bs = fmt(bo) if bo is not None else None
            f.write(b"\n\\%d-grams:\n" % n)
            chunk = 1 << 16
            for s in range(0, len(perm), chunk):
                part = perm[s:s + chunk]
                if bs is None:
                    f.write(b"".join([b"%s\t%s\n" % (ps[i], keys[i]) for i in part]))
                else:
                    f.write(b"".join([b"%s\t%s\t%s\n" % (ps[i], keys[i], bs[i]) for i in part]))
            del keys, perm
        f.write(b"\n\\end\\\n")


def main(argv):
    if len(argv) != 3:
        print("usage: %s IN.lm.bin OUT.arpa" % argv[0], file=sys.stderr)
        return 2
    src, dst = argv[1], argv[2]
    with open(src, "rb") as f:
        data = memoryview(f.read())
    try:
        header_counts, counts, words, unigrams, levels = parse(data)
    except FormatError as e:
        print("%s: %s" % (src, e), file=sys.stderr)
        return 2
    write_arpa(dst, counts, words, unigrams, levels)
    for n, (c, h) in enumerate(zip(counts, header_counts), 1):
        note = "" if c == h else " (header says %d; %d unused slots)" % (h, h - c)
        print("%d-grams: %d%s" % (n, c, note), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
