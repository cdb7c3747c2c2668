//! A small deterministic generator (xorshift), so that a generated-input failure can be
//! replayed from its seed.

/// Xorshift64: the state must not be zero (a zero state stays zero).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`; `n` must not be zero.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.below(max + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }

    /// Text mixing ASCII, reserved URL characters, controls and multi-byte characters.
    pub fn text(&mut self, max: usize) -> String {
        const PIECES: &[&str] = &[
            "a", "Z", "0", "_", "-", ".", "..", "/", "?", "#", "%", "%2F", "+", "&", "=", " ",
            "\t", "\n", "\0", "é", "日本", "🦀", "\u{202e}", "org_", "user_", ";", "\"", "\\",
        ];
        let len = self.below(max + 1);
        (0..len).map(|_| *self.pick(PIECES)).collect()
    }
}
