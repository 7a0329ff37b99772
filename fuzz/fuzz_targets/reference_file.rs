//! Any bytes as a reference file: loading never panics, and a reference that loads answers
//! look-ups and saves to bytes that load again. Each input is also tried with a correct CRC-32
//! appended, so that mutations reach the table parsing behind the checksum.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use unspun::reference::{hash_word, Reference};

fn check(bytes: &[u8]) {
    let Ok(reference) = Reference::from_bytes(bytes, Path::new("fuzz.bin")) else { return };
    let words: Vec<u64> = ["the", "foreign", "minister", "zzzz"].iter().map(|w| hash_word(w)).collect();
    for n in 1..=3 {
        for start in 0..=words.len() - n {
            assert!(reference.count(&words[start..start + n]).is_finite());
        }
        let _ = (reference.total(n), reference.entries(n));
    }
    let _ = (reference.followers(words[0]), reference.frame(words[0], words[2]), reference.word_count("the"), reference.entries(4));
    Reference::from_bytes(&reference.to_bytes(), Path::new("again.bin")).expect("a loaded reference saves and reloads");
}

fuzz_target!(|data: &[u8]| {
    check(data);
    let mut sealed = data.to_vec();
    sealed.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    check(&sealed);
});
