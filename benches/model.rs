//! The logistic fit on seeded synthetic feature rows, by size (column-major matrix, tolerance
//! scaled to the rows), and scoring a batch of feature vectors.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use unspun::TrainParams;

mod common;
use common::rows;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("fit");
    g.sample_size(10);
    for n in [2_000usize, 20_000, 200_000] {
        let (x, y) = rows(n);
        let params = TrainParams::new().check().unwrap();
        g.bench_with_input(BenchmarkId::from_parameter(n), &(x, y), |b, (x, y)| b.iter(|| params.fit(x, y).unwrap().threshold()));
    }
    g.finish();

    let (x, y) = rows(10_000);
    let detector = TrainParams::new().check().unwrap().fit(&x, &y).unwrap();
    c.bench_function("probability/10000", |b| b.iter(|| x.iter().map(|r| detector.probability(r)).sum::<f64>()));
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
