//! Seeded synthetic feature rows shared by the model benches; `benches/peers/speed.py` rebuilds the
//! same matrix in NumPy (same SplitMix64 stream) to fit scikit-learn on it.

use unspun::spin::Rng;
use unspun::FEATURES;

/// Seed of the synthetic rows.
pub const SEED: u64 = 42;

/// `n` rows of `FEATURES.len()` values: uniform noise, plus 0.3 on even columns of spun rows
/// (every even row is spun). Values are drawn row by row, column by column.
pub fn rows(n: usize) -> (Vec<Vec<f64>>, Vec<bool>) {
    let mut rng = Rng::new(SEED);
    let d = FEATURES.len();
    let mut xs = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    for i in 0..n {
        let spun = i % 2 == 0;
        xs.push((0..d).map(|j| rng.unit() + if spun && j % 2 == 0 { 0.3 } else { 0.0 }).collect());
        ys.push(spun);
    }
    (xs, ys)
}
