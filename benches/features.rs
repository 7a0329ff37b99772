//! Feature extraction (with and without explanations) and batch scoring, 1 thread vs all cores.
//! Data: the shipped sample article spun with fixed seeds (no corpus text), so runs are comparable.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use unspun::pipeline::{score_batch, Resources};
use unspun::spin::{profile, Profile, Spinner};
use unspun::{embedded, text};

fn documents(n: usize) -> Vec<String> {
    let original = include_str!("../data/samples/original.txt");
    let thesaurus = embedded::thesaurus("mythes").unwrap();
    let spinner = Spinner::new(&thesaurus, Profile { rate: 0.3, ..profile("phrase").unwrap().clone() });
    (0..n).map(|i| if i % 2 == 0 { original.to_string() } else { spinner.spin(original, i as u64).text }).collect()
}

fn bench(c: &mut Criterion) {
    let resources = Resources::embedded().unwrap();
    let fx = resources.extractor();
    let detector = embedded::detector().unwrap();
    let docs = documents(64);
    let bytes: usize = docs.iter().map(String::len).sum();

    let mut g = c.benchmark_group("per_document");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("tokenize", |b| b.iter(|| docs.iter().map(|d| text::tokenize(d).len()).sum::<usize>()));
    g.bench_function("extract", |b| b.iter(|| docs.iter().map(|d| fx.extract(d).features[0]).sum::<f64>()));
    g.bench_function("explain", |b| b.iter(|| docs.iter().map(|d| fx.explain(d).spans.len()).sum::<usize>()));
    g.finish();

    let mut g = c.benchmark_group("score_batch");
    for n in [64usize, 512] {
        let batch = documents(n);
        g.throughput(Throughput::Bytes(batch.iter().map(String::len).sum::<usize>() as u64));
        for threads in [1usize, 0] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let label = if threads == 1 { "1-thread".to_string() } else { format!("{}-threads", pool.current_num_threads()) };
            g.bench_with_input(BenchmarkId::new(label, n), &batch, |b, batch| {
                b.iter(|| pool.install(|| score_batch(&fx, &detector, batch, false).len()))
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
