//! The container of shipped binary artifacts other than the reference (the word vectors and the
//! compiled thesaurus): a format name and version, named sections of bytes, and a CRC-32 of the
//! whole, so that every such artifact is checked the same way by one loader. Written by the rebuild
//! scripts (see `scripts/build_vectors.py` for the byte layout).

use std::path::Path;

use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"UNSPNART";
/// Version of the container layout itself (each format inside has its own version).
pub const CONTAINER_VERSION: u32 = 1;

/// A read artifact: its format, version and sections, borrowing the bytes it was read from.
#[derive(Debug)]
pub struct Artifact<'a> {
    pub format: &'a str,
    pub version: u32,
    sections: Vec<(&'a str, &'a [u8])>,
    origin: &'a Path,
}

/// Reads little-endian fields off a byte slice, failing with the artifact's name.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    origin: &'a Path,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| truncated(self.origin))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")))
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn name(&mut self) -> Result<&'a str> {
        let n = self.u16()? as usize;
        std::str::from_utf8(self.take(n)?).map_err(|_| Error::artifact(self.origin, "a section name is not UTF-8"))
    }
}

fn truncated(origin: &Path) -> Error {
    Error::artifact(origin, "truncated artifact: rebuild it with its script (see data/README.md)")
}

impl<'a> Artifact<'a> {
    /// Parses and checks an artifact of the given format, reading format versions up to `version`.
    pub fn parse(bytes: &'a [u8], origin: &'a Path, format: &str, version: u32) -> Result<Artifact<'a>> {
        let bad = |m: String| Error::artifact(origin, m);
        if bytes.len() < 16 || &bytes[..8] != MAGIC {
            return Err(bad(format!("not an unspun artifact (expected a {format:?} file)")));
        }
        let (body, crc) = bytes.split_at(bytes.len() - 4);
        if crc32fast::hash(body) != u32::from_le_bytes(crc.try_into().expect("4 bytes")) {
            return Err(bad("checksum mismatch: the file is damaged; rebuild it with its script (see data/README.md)".into()));
        }
        let mut c = Cursor { bytes: body, at: 8, origin };
        let container = c.u32()?;
        if container != CONTAINER_VERSION {
            return Err(bad(format!("artifact container version {container} is not the one this build reads ({CONTAINER_VERSION})")));
        }
        let found = c.name()?;
        if found != format {
            return Err(bad(format!("artifact holds {found:?}, expected {format:?}")));
        }
        let found_version = c.u32()?;
        if found_version != version {
            let which = if found_version > version { "newer" } else { "older" };
            return Err(bad(format!(
                "{format} format {found_version} is {which} than this build reads ({version}): rebuild it or upgrade unspun"
            )));
        }
        let count = c.u32()?;
        let mut sections = Vec::new();
        for _ in 0..count {
            let name = c.name()?;
            let len = usize::try_from(c.u64()?).map_err(|_| truncated(origin))?;
            sections.push((name, c.take(len)?));
        }
        if c.at != body.len() {
            return Err(bad("trailing bytes after the last section".into()));
        }
        Ok(Artifact { format: found, version: found_version, sections, origin })
    }

    /// The bytes of a section, or an error naming it.
    pub fn section(&self, name: &str) -> Result<&'a [u8]> {
        self.sections
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| *b)
            .ok_or_else(|| Error::artifact(self.origin, format!("{} artifact has no {name:?} section", self.format)))
    }
}

/// Writes an artifact container (the layout [`Artifact::parse`] reads).
pub fn to_bytes(format: &str, version: u32, sections: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&CONTAINER_VERSION.to_le_bytes());
    let name = |out: &mut Vec<u8>, s: &str| {
        out.extend_from_slice(&(s.len() as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    };
    name(&mut out, format);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    for (n, b) in sections {
        name(&mut out, n);
        out.extend_from_slice(&(b.len() as u64).to_le_bytes());
        out.extend_from_slice(b);
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_round_trip_and_damage_is_refused() {
        let bytes = to_bytes("unspun-test", 2, &[("a", b"xyz"), ("b", b"")]);
        let origin = Path::new("t.bin");
        let a = Artifact::parse(&bytes, origin, "unspun-test", 2).unwrap();
        assert_eq!((a.format, a.version), ("unspun-test", 2));
        assert_eq!(a.section("a").unwrap(), b"xyz");
        assert_eq!(a.section("b").unwrap(), b"");
        assert!(a.section("c").unwrap_err().to_string().contains("no \"c\" section"));
        let mut damaged = bytes.clone();
        damaged[20] ^= 1;
        assert!(Artifact::parse(&damaged, origin, "unspun-test", 2).unwrap_err().to_string().contains("checksum"));
        assert!(Artifact::parse(&bytes, origin, "unspun-other", 2).unwrap_err().to_string().contains("expected \"unspun-other\""));
        assert!(Artifact::parse(&bytes, origin, "unspun-test", 1).unwrap_err().to_string().contains("newer"));
        assert!(Artifact::parse(&bytes[..10], origin, "unspun-test", 2).unwrap_err().to_string().starts_with("t.bin:"));
    }
}
