//! JSON text written by hand (the exports, the history's records): string
//! literals escaped as RFC 8259 §7 says. Hand-written rather than serde's
//! `Serialize`, which costs the wasm bundle more than the formats do.

use std::fmt::Write as _;

/// A JSON string literal: quotes, backslashes and control characters
/// escaped, everything else as UTF-8.
pub fn string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
