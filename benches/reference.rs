//! Reference look-ups (hit and miss, one at a time and batched) and loading the embedded reference, model and thesaurus.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use unspun::reference::hash_word;
use unspun::spin::Rng;
use unspun::{embedded, Reference};

fn bench(c: &mut Criterion) {
    let reference = embedded::reference().unwrap();
    let words: Vec<u64> = include_str!("../data/samples/original.txt").split_whitespace().map(|w| hash_word(&w.to_lowercase())).collect();
    let mut rng = Rng::new(7);
    let random: Vec<u64> = (0..words.len()).map(|_| rng.next_u64()).collect();

    let mut g = c.benchmark_group("lookup");
    g.throughput(Throughput::Elements(words.len() as u64 - 1));
    g.bench_function("bigram_text", |b| b.iter(|| words.windows(2).map(|p| reference.count(p)).sum::<f64>()));
    g.bench_function("bigram_random_miss", |b| b.iter(|| random.windows(2).map(|p| reference.count(p)).sum::<f64>()));
    g.bench_function("unigram_text", |b| b.iter(|| words.iter().map(|w| reference.count(&[*w])).sum::<f64>()));
    g.finish();

    // Every ordered pair of the sample's distinct words: spread over the whole bigram table like a
    // synonym search's look-ups (mostly misses), one at a time and in one batch.
    let mut distinct = words.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let pairs: Vec<[u64; 2]> = distinct.iter().flat_map(|&a| distinct.iter().map(move |&b| [a, b])).collect();
    let keys: Vec<u64> = pairs.iter().map(|p| unspun::reference::key(p)).collect();
    let mut g = c.benchmark_group("lookup_many");
    g.throughput(Throughput::Elements(pairs.len() as u64));
    g.bench_with_input(BenchmarkId::new("bigram_single", pairs.len()), &pairs, |b, pairs| {
        b.iter(|| pairs.iter().map(|p| reference.count(p)).sum::<f64>())
    });
    let mut out = Vec::new();
    g.bench_with_input(BenchmarkId::new("bigram_batched", keys.len()), &keys, |b, keys| {
        b.iter(|| {
            reference.counts_of_keys(2, keys, &mut out);
            out.iter().sum::<f64>()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("load");
    g.bench_function(BenchmarkId::new("reference", embedded::REFERENCE.len()), |b| {
        b.iter(|| Reference::from_bytes(embedded::REFERENCE, std::path::Path::new("r")).unwrap().entries(2))
    });
    // The compiled form the binary loads, and merging the three files it was compiled from.
    g.bench_function("detector_thesaurus", |b| b.iter(|| embedded::detector_thesaurus().unwrap().len()));
    g.bench_function("merged_detector_thesaurus", |b| b.iter(|| embedded::merged_detector_thesaurus().unwrap().len()));
    g.bench_function("model", |b| b.iter(|| embedded::detector().unwrap().threshold()));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
