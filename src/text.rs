//! Text from the other side, made safe to show: control characters and the marks that reorder
//! text escaped, and cut to a bounded length without splitting a character.

use std::fmt;

/// How many bytes of an unreadable response body [`ErrorKind::UnexpectedResponse`](crate::ErrorKind::UnexpectedResponse) keeps.
pub(crate) const BODY_SNIPPET_LIMIT: usize = 512;
/// How many bytes of the decoder's message [`ErrorKind::Decode`](crate::ErrorKind::Decode) keeps.
pub(crate) const DECODE_DETAIL_LIMIT: usize = 160;

/// Writes text with control characters escaped, up to a budget of output bytes, then `…` once
/// and nothing more.
pub(crate) struct Clipped<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    left: usize,
    cut: bool,
}

impl<'a, 'b> Clipped<'a, 'b> {
    pub(crate) fn new(f: &'a mut fmt::Formatter<'b>, budget: usize) -> Self {
        Clipped {
            f,
            left: budget,
            cut: false,
        }
    }

    pub(crate) fn text(&mut self, text: &str) -> fmt::Result {
        use fmt::Write;
        for c in text.chars() {
            if self.cut {
                return Ok(());
            }
            let len = escaped_len(c);
            if len > self.left {
                self.cut = true;
                return self.f.write_char('…');
            }
            self.left -= len;
            write_escaped(self.f, c)?;
        }
        Ok(())
    }
}

/// Characters that must not reach a terminal or log as they are: control characters (CR, LF,
/// ESC, …) and the invisible marks that reorder text (bidirectional overrides and isolates).
pub(crate) fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escaped_len(c: char) -> usize {
    if c.is_control() {
        c.escape_debug().len()
    } else if needs_escape(c) {
        c.escape_unicode().len()
    } else {
        c.len_utf8()
    }
}

/// Writes `c`, escaped as Rust would (`\n`, `\r`, `\u{1b}`) when it [needs it](needs_escape).
pub(crate) fn write_escaped(f: &mut dyn fmt::Write, c: char) -> fmt::Result {
    if c.is_control() {
        write!(f, "{}", c.escape_debug())
    } else if needs_escape(c) {
        write!(f, "{}", c.escape_unicode())
    } else {
        f.write_char(c)
    }
}

/// The first [`BODY_SNIPPET_LIMIT`] bytes of `body`, as text.
pub(crate) fn body_snippet(body: &[u8]) -> String {
    snippet(body, BODY_SNIPPET_LIMIT)
}

/// At most `limit` bytes from the start of `bytes`, as text, never splitting a character,
/// with `…` when something was cut.
pub(crate) fn snippet(bytes: &[u8], limit: usize) -> String {
    let Some(cut) = bytes.get(..limit).filter(|_| bytes.len() > limit) else {
        return String::from_utf8_lossy(bytes).into_owned();
    };
    let cut = &cut[..cut.len() - split_char_len(cut)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    text.push('…');
    text
}

/// How many bytes at the end of `bytes` are the start of a UTF-8 character whose remaining
/// bytes are missing (0 when the last character is complete).
fn split_char_len(bytes: &[u8]) -> usize {
    for (i, &byte) in bytes.iter().rev().take(3).enumerate() {
        if byte & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back for the start
        }
        let needed = match byte {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if needed > i + 1 { i + 1 } else { 0 };
    }
    0
}
