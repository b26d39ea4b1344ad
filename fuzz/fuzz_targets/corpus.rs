//! The corpus reader and the tokenizer, on any bytes: `parse_docs` either refuses them with an
//! error or returns documents that the vocabulary built from them encodes and decodes unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use microgpt::data::parse_docs;
use microgpt::tokenizer::Tokenizer;

fuzz_target!(|bytes: &[u8]| {
    let Ok(docs) = parse_docs(bytes, "fuzz") else {
        return;
    };
    let tokenizer = Tokenizer::from_docs(&docs).expect("parse_docs returns documents with characters");
    assert_eq!(Tokenizer::from_chars(tokenizer.chars().to_vec()).as_ref(), Ok(&tokenizer));
    for doc in &docs {
        assert!(!doc.is_empty() && doc.trim() == *doc, "{doc:?} was not trimmed");
        let ids = tokenizer.encode_doc(doc).expect("every character of the corpus is in its vocabulary");
        assert!(ids.len() >= 3 && ids.iter().all(|&id| id < tokenizer.vocab_size()));
        assert_eq!(tokenizer.decode(&ids), *doc);
    }
});
