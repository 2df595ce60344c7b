//! A fast 64-bit hash that is the same on every platform and Rust version (unlike the std
//! hasher), for what outlives one run: file versions in the offline worker, and the fingerprints
//! that let a build skip pages whose inputs did not change.
//!
//! Not cryptographic: it detects changes, it does not resist someone forging a collision.

use std::io;

const SEED: u64 = 0x9E37_79B9_7F4A_7C15;
const MULTIPLIER: u64 = 0xBF58_476D_1CE4_E5B9;

/// Gathers writes into 8-byte words, so serde's many small writes cost one multiply per word.
#[derive(Clone)]
pub struct Hasher {
    state: u64,
    length: u64,
    /// The bytes of a word not full yet, little-endian, the rest zero.
    pending: u64,
    filled: usize,
}

impl Default for Hasher {
    fn default() -> Hasher {
        Hasher { state: SEED, length: 0, pending: 0, filled: 0 }
    }
}

impl Hasher {
    pub fn write(&mut self, mut bytes: &[u8]) {
        self.length = self.length.wrapping_add(bytes.len() as u64);
        if self.filled > 0 {
            let take = (8 - self.filled).min(bytes.len());
            self.pending |= load_le(&bytes[..take]) << (8 * self.filled);
            self.filled += take;
            bytes = &bytes[take..];
            if self.filled < 8 {
                return;
            }
            self.mix(self.pending);
            (self.pending, self.filled) = (0, 0);
        }
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.mix(load_le(word));
        }
        let rest = words.remainder();
        (self.pending, self.filled) = (load_le(rest), rest.len());
    }

    /// Hashes a value as a separate field, so `("ab", "c")` and `("a", "bc")` differ.
    pub fn field(&mut self, bytes: &[u8]) {
        self.write(&(bytes.len() as u64).to_le_bytes());
        self.write(bytes);
    }

    fn mix(&mut self, word: u64) {
        self.state = (self.state ^ word).wrapping_mul(MULTIPLIER).rotate_left(31);
    }

    pub fn finish(&self) -> u64 {
        // splitmix64's finaliser spreads the last word and the length over every bit.
        let mut z = (self.state ^ self.pending).wrapping_add(self.length.wrapping_mul(SEED));
        z = (z ^ (z >> 30)).wrapping_mul(MULTIPLIER);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Up to 8 bytes as a little-endian number, by whole loads (two overlapping ones for 4 to 7
/// bytes): copying a few bytes of varying length into a buffer was a call to `memmove` for each
/// of the many short strings a build hashes, a tenth of a build after an edit.
fn load_le(bytes: &[u8]) -> u64 {
    if let Some(word) = bytes.first_chunk::<8>() {
        return u64::from_le_bytes(*word);
    }
    let n = bytes.len();
    match (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        (Some(head), Some(tail)) => {
            u64::from(u32::from_le_bytes(*head)) | u64::from(u32::from_le_bytes(*tail)) << (8 * (n - 4))
        }
        _ if n > 0 => {
            let at = |i: usize| u64::from(bytes[i]) << (8 * i);
            at(0) | at(n / 2) | at(n - 1)
        }
        _ => 0,
    }
}

impl io::Write for Hasher {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        Hasher::write(self, bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A fast hasher for in-memory maps keyed by short words (the std hasher resists attacks we do
/// not face, at several times the cost). Never iterate such a map into output: order is not stable.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut w = [0; 8];
            w.copy_from_slice(word);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(0x517C_C1B7_2722_0A95);
        }
        let mut tail = [0u8; 8];
        let rest = words.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.0 =
            (self.0.rotate_left(5) ^ u64::from_le_bytes(tail) ^ rest.len() as u64).wrapping_mul(0x517C_C1B7_2722_0A95);
    }

    fn write_u8(&mut self, byte: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(0x517C_C1B7_2722_0A95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A fast hash of a short word, for in-memory tables of words looked up millions of times (a
/// build's search index looks up every word of every section): whole 8- or 4-byte loads, the
/// last one overlapping, where [`FastHasher`] copies a word's tail byte by byte. Not stable
/// across versions: never store it, never iterate a table by it into output.
pub fn word_hash(word: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let n = word.len();
    let load8 = |at: usize| word.get(at..at + 8).map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])));
    let load4 =
        |at: usize| word.get(at..at + 4).map_or(0, |b| u64::from(u32::from_le_bytes(b.try_into().unwrap_or([0; 4]))));
    let (head, tail) = if n > 8 {
        let mut h = n as u64;
        let mut at = 0;
        while at + 8 < n {
            h = (h ^ load8(at)).wrapping_mul(K).rotate_left(29);
            at += 8;
        }
        (h, load8(n - 8))
    } else if n >= 4 {
        (load4(0), load4(n - 4))
    } else if n > 0 {
        (u64::from(word[0]) << 16 | u64::from(word[n / 2]) << 8 | u64::from(word[n - 1]), 0)
    } else {
        (0, 0)
    };
    let mixed = u128::from((head ^ (n as u64) << 56).wrapping_mul(K) ^ tail.rotate_left(32)) * u128::from(K ^ tail);
    (mixed as u64) ^ ((mixed >> 64) as u64)
}

pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;
pub type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<FastHasher>>;

/// This program's identity: its version and what it was built from (see `build.rs`), so that a
/// bimtek built from other code never trusts what this one made (it may parse or render
/// differently), while the same binary copied elsewhere, as CI does between jobs, still reads its
/// own caches.
pub fn program() -> u64 {
    static PROGRAM: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *PROGRAM.get_or_init(|| {
        let mut hasher = Hasher::default();
        hasher.field(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.field(env!("BIMTEK_BUILD_ID").as_bytes());
        hasher.finish()
    })
}

pub fn hash(bytes: &[u8]) -> u64 {
    let mut h = Hasher::default();
    h.write(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_writes_hash_like_one_write() {
        let text = b"Pemungutan dan penghitungan suara di TPS";
        let mut split = Hasher::default();
        for piece in text.chunks(3) {
            split.write(piece);
        }
        assert_eq!(split.finish(), hash(text));
    }

    #[test]
    fn every_split_of_every_length_hashes_like_the_bytes_one_by_one() {
        // Against the plainest reading of the hash: each byte put into the word at its place.
        let reference = |bytes: &[u8]| {
            let mut state = SEED;
            let mut word = [0u8; 8];
            for (i, &b) in bytes.iter().enumerate() {
                word[i % 8] = b;
                if i % 8 == 7 {
                    state = (state ^ u64::from_le_bytes(word)).wrapping_mul(MULTIPLIER).rotate_left(31);
                    word = [0; 8];
                }
            }
            let mut z = (state ^ u64::from_le_bytes(word)).wrapping_add((bytes.len() as u64).wrapping_mul(SEED));
            z = (z ^ (z >> 30)).wrapping_mul(MULTIPLIER);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let text: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
        for len in 0..=text.len() {
            let bytes = &text[..len];
            assert_eq!(hash(bytes), reference(bytes), "length {len}");
            for first in 0..=len {
                for second in first..=len {
                    let mut split = Hasher::default();
                    for piece in [&bytes[..first], &bytes[first..second], &bytes[second..]] {
                        split.write(piece);
                    }
                    assert_eq!(split.finish(), reference(bytes), "{len} split at {first}, {second}");
                }
            }
        }
    }

    #[test]
    fn small_changes_change_the_hash() {
        let base = hash(b"kotak suara");
        for other in [&b"kotak suarA"[..], b"kotak suara ", b"kotak suar", b"", b"Kotak suara"] {
            assert_ne!(hash(other), base);
        }
        assert_ne!(hash(&[0; 8]), hash(&[0; 9]));
        let (mut a, mut b) = (Hasher::default(), Hasher::default());
        a.field(b"ab");
        a.field(b"c");
        b.field(b"a");
        b.field(b"bc");
        assert_ne!(a.finish(), b.finish());
    }

    #[test]
    fn the_hash_is_stable_across_versions() {
        // Written into sites and build state: a change here must be deliberate.
        assert_eq!(format!("{:016x}", hash(b"bimtek")), "e8f357617259f0f2");
        assert_eq!(format!("{:016x}", hash(b"")), "e220a8397b1dcdaf");
    }
}
