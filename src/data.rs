//! # Data: documents, one per line
//!
//! A corpus is a text file with one document per line; for microgpt a document is a name. Reading it
//! follows microgpt.py's `[l.strip() for l in open(path).read().strip().split('\n') if l.strip()]`:
//! split into lines, trim the whitespace around each, and skip the lines that are left empty. Python's
//! text mode also turns a lone `\r` into a line break, so this reader splits on `\r` as well: a file
//! saved with Windows or old Mac line endings gives the same documents as one saved on Linux.
//!
//! The crate ships its own corpus, [`BUILTIN_NAMES`]: 32,000 given names from the US Social Security
//! Administration's public-domain counts (see `data/README.md`), so `cargo run` needs no download.

use crate::error::{Error, Result};
use crate::files;
use crate::tokenizer::Tokenizer;
use std::path::Path;

// `BUILTIN_LENGTHS` and `BUILTIN_CHARS`: the built-in corpus split and its vocabulary, found by
// build.rs when the crate was compiled.
include!(concat!(env!("OUT_DIR"), "/builtin_corpus.rs"));

// ANCHOR: BUILTIN_NAMES
/// The built-in corpus: 32,000 lowercase names, most frequent first, one per line.
pub const BUILTIN_NAMES: &str = include_str!("../data/names.txt");

/// How the built-in corpus is named where a file's path would be: in messages and checkpoints.
pub const BUILTIN_SOURCE: &str = "built-in names";
// ANCHOR_END: BUILTIN_NAMES

// ANCHOR: parse_docs
/// The documents of a corpus file's bytes: its lines, trimmed, without the empty ones.
///
/// `source` names the file in errors. Fails with [`Error::NotUtf8`] at the byte offset of the first
/// byte that is not UTF-8, and with [`Error::EmptyCorpus`] if no line has any text.
pub fn parse_docs<'a>(bytes: &'a [u8], source: &str) -> Result<Vec<&'a str>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::NotUtf8 { path: source.to_string(), offset: e.valid_up_to() })?;
    // `text.split(['\n', '\r'])`, searching bytes rather than decoding characters (both are ASCII).
    let mut docs = Vec::new();
    let mut rest = text;
    loop {
        let end = rest.bytes().position(|b| b == b'\n' || b == b'\r');
        let doc = python_strip(&rest[..end.unwrap_or(rest.len())]);
        if !doc.is_empty() {
            docs.push(doc);
        }
        match end {
            Some(end) => rest = &rest[end + 1..],
            None => break,
        }
    }
    if docs.is_empty() {
        return Err(Error::EmptyCorpus);
    }
    Ok(docs)
}
// ANCHOR_END: parse_docs

/// Python's `str.strip()`: Rust's `trim` plus the four ASCII separators U+001C to U+001F, which
/// Python counts as whitespace and Unicode does not.
fn python_strip(line: &str) -> &str {
    // Most lines start and end with a visible ASCII character, which no whitespace is: nothing to do.
    let visible = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
    if visible(line.as_bytes().first()) && visible(line.as_bytes().last()) {
        return line;
    }
    line.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// The largest corpus file: 16 MiB, 68 times the built-in corpus. Training holds every document
/// as a vector of token ids, which for a file of one-letter names takes about 40 times its size.
pub const MAX_CORPUS_BYTES: u64 = 1 << 24;

/// The bytes of the corpus file at `path`, to split with [`parse_docs`].
///
/// A file that cannot be read, is not a regular file, or is larger than [`MAX_CORPUS_BYTES`] is an
/// [`Error::Io`] naming the path and the reason.
pub fn read_corpus(path: &Path) -> Result<Vec<u8>> {
    files::read(path, MAX_CORPUS_BYTES, "a corpus")
}

/// One document of the built-in corpus: where it starts in [`BUILTIN_NAMES`] and its length, in four
/// bytes where a `&str` takes sixteen, so that the 32,000 of them shuffle in 128 KB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinDoc(u32);

impl BuiltinDoc {
    /// The document's text.
    pub fn as_str(self) -> &'static str {
        let start = (self.0 >> 8) as usize;
        &BUILTIN_NAMES[start..start + (self.0 & 0xff) as usize]
    }
}

impl AsRef<str> for BuiltinDoc {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// The documents of the built-in corpus, as [`BuiltinDoc`]s: what [`parse_docs`] reads from
/// [`BUILTIN_NAMES`], cut at the lengths build.rs measured when the crate was compiled, so that
/// nothing is searched at run time.
pub fn builtin_corpus() -> Vec<BuiltinDoc> {
    // build.rs checked that every start fits in 24 bits and every length in 8.
    let mut start = 0u32;
    let cut = |&len: &u8| {
        let doc = BuiltinDoc(start << 8 | u32::from(len));
        start += u32::from(len) + 1;
        doc
    };
    BUILTIN_LENGTHS.iter().map(cut).collect()
}

/// The documents of the built-in corpus, as [`parse_docs`] reads them from [`BUILTIN_NAMES`].
pub fn builtin_docs() -> Vec<&'static str> {
    builtin_corpus().into_iter().map(BuiltinDoc::as_str).collect()
}

/// The vocabulary of the built-in corpus, `Tokenizer::from_docs(&builtin_docs())`, found by build.rs
/// when the crate was compiled.
pub fn builtin_tokenizer() -> Tokenizer {
    Tokenizer::from_chars(BUILTIN_CHARS.chars().collect()).expect("build.rs found sorted characters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_and_blank_lines_skipped() {
        let docs = parse_docs(b"  emma \n\n\t\nolivia\r\nava\rmia\n", "t").unwrap();
        assert_eq!(docs, ["emma", "olivia", "ava", "mia"]);
    }

    #[test]
    fn spaces_inside_a_line_stay_and_a_last_line_without_newline_counts() {
        let docs = parse_docs("ann lee\n\u{a0}bo\nmia".as_bytes(), "t").unwrap();
        assert_eq!(docs, ["ann lee", "bo", "mia"]);
    }

    #[test]
    fn python_strip_also_removes_the_ascii_separators() {
        assert_eq!(python_strip("\u{1c}\u{1f} ann\u{a0}\u{1d}"), "ann");
    }

    #[test]
    fn not_utf8_names_the_offset_of_the_first_bad_byte() {
        let err = parse_docs(b"ann\nb\xffob\n", "names.txt").unwrap_err();
        assert_eq!(err, Error::NotUtf8 { path: "names.txt".into(), offset: 5 });
        assert_eq!(err.to_string(), "names.txt: not valid UTF-8 (first bad byte at offset 5)");
    }

    #[test]
    fn a_blank_only_corpus_is_empty() {
        assert_eq!(parse_docs(b" \n\n\t\r\n", "t"), Err(Error::EmptyCorpus));
        assert_eq!(parse_docs(b"", "t"), Err(Error::EmptyCorpus));
    }

    #[test]
    fn the_builtin_corpus_split_at_compile_time_is_the_one_parse_docs_reads() {
        let parsed = parse_docs(BUILTIN_NAMES.as_bytes(), BUILTIN_SOURCE).unwrap();
        assert_eq!(builtin_docs(), parsed);
        assert_eq!(builtin_tokenizer(), Tokenizer::from_docs(&parsed).unwrap());
        assert_eq!(builtin_tokenizer().chars().len(), 26);
    }

    #[test]
    fn the_builtin_corpus_has_32000_names_starting_with_james() {
        let docs = builtin_docs();
        assert_eq!(docs.len(), 32_000);
        assert_eq!(docs[..3], ["james", "john", "robert"]);
    }

    #[test]
    fn a_missing_file_is_an_io_error_naming_it() {
        let err = read_corpus(Path::new("no/such/names.txt")).unwrap_err();
        assert!(
            matches!(&err, Error::Io { path, .. } if path == "no/such/names.txt"),
            "unexpected error: {err}"
        );
    }
}
