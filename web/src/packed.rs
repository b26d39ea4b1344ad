//! The built-in names, packed three letters to two bytes for the module the pages download.
//!
//! The names are most of the module: as text they take 232 KB, a byte per letter. They use 27
//! symbols (`a` to `z` and the line break), so each fits in 5 bits and three fit in a 16-bit word:
//! 155 KB. `web/build.rs` packs `microgpt::data::BUILTIN_NAMES` with [`pack`] when the crate is
//! built, and [`unpack`] gives back the same text, byte for byte, the first time a page needs it.
//! This file is compiled into both: one codec, so the two cannot disagree.

/// The symbols, in the order of their codes.
const SYMBOLS: &[u8; 27] = b"abcdefghijklmnopqrstuvwxyz\n";

/// The code that fills the last word when the text's length is not a multiple of 3.
const PADDING: u16 = 31;

/// `text` as little-endian 16-bit words of three 5-bit codes each, the first in the highest bits.
///
/// Panics on a byte outside `SYMBOLS`: the build then says which one, and this packing needs
/// another alphabet.
pub fn pack(text: &str) -> Vec<u8> {
    let code = |byte: &u8| match SYMBOLS.iter().position(|s| s == byte) {
        Some(code) => code as u16,
        None => panic!(
            "the built-in names hold {:?}, which the packing for the web has no code for",
            *byte as char
        ),
    };
    let codes: Vec<u16> = text.as_bytes().iter().map(code).collect();
    let word = |three: &[u16]| (0..3).fold(0, |word, i| word << 5 | three.get(i).copied().unwrap_or(PADDING));
    codes.chunks(3).flat_map(|three| u16::to_le_bytes(word(three))).collect()
}

/// The text that [`pack`] packed.
pub fn unpack(packed: &[u8]) -> String {
    let mut text = String::with_capacity(packed.len() / 2 * 3);
    for pair in packed.chunks_exact(2) {
        let word = u16::from_le_bytes([pair[0], pair[1]]);
        for shift in [10, 5, 0] {
            if let Some(&symbol) = SYMBOLS.get(usize::from(word >> shift & 31)) {
                text.push(char::from(symbol));
            }
        }
    }
    text
}
