//! A small binary encoding for the build caches: unsigned LEB128 varints and length-prefixed
//! strings. Reading never panics: anything cut short or malformed reads as `None`, and a cache
//! that cannot be read is only a slower build.

pub fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

pub fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend(s.as_bytes());
}

pub fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

pub fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend(n.to_le_bytes());
}

/// Reads what the `put_` functions wrote, front to back.
pub struct Reader<'a> {
    pub bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    pub fn varint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.bytes.split_first()?;
            self.bytes = rest;
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(n);
            }
        }
        None
    }

    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (taken, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(taken)
    }

    /// How many bytes are left to read.
    pub fn left(&self) -> usize {
        self.bytes.len()
    }

    pub fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub fn str(&mut self) -> Option<&'a str> {
        let n = self.varint()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }

    pub fn opt_str(&mut self) -> Option<Option<&'a str>> {
        match self.byte()? {
            0 => Some(None),
            1 => Some(Some(self.str()?)),
            _ => None,
        }
    }

    /// `n` items read by `item`; `None` if any is.
    pub fn many<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = self.varint()? as usize;
        // A corrupt count must not reserve gigabytes: each item takes at least a byte.
        let mut items = Vec::with_capacity(n.min(self.bytes.len()));
        for _ in 0..n {
            items.push(item(self)?);
        }
        Some(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_put_reads_back_and_anything_cut_short_reads_as_none() {
        let mut out = Vec::new();
        put_varint(&mut out, 300);
        put_str(&mut out, "kotak suara");
        put_opt_str(&mut out, None);
        put_opt_str(&mut out, Some("TPS"));
        put_u64(&mut out, u64::MAX);
        put_varint(&mut out, 2);
        put_str(&mut out, "a");
        put_str(&mut out, "b");
        let mut r = Reader::new(&out);
        assert_eq!(r.varint(), Some(300));
        assert_eq!(r.str(), Some("kotak suara"));
        assert_eq!(r.opt_str(), Some(None));
        assert_eq!(r.opt_str(), Some(Some("TPS")));
        assert_eq!(r.u64(), Some(u64::MAX));
        assert_eq!(r.many(|r| r.str().map(str::to_owned)), Some(vec!["a".to_owned(), "b".to_owned()]));
        assert!(r.bytes.is_empty());
        for cut in 0..out.len() {
            let mut r = Reader::new(&out[..cut]);
            let all = (|| {
                r.varint()?;
                r.str()?;
                r.opt_str()?;
                r.opt_str()?;
                r.u64()?;
                r.many(|r| r.str().map(str::to_owned))
            })();
            assert_eq!(all, None, "cut at {cut}");
        }
    }
}
