//! Chapter 3: the character tokenizer, on small corpora, the eight names and the built-in corpus.

use microgpt::Error;
use microgpt::tokenizer::Tokenizer;

const NAMES: [&str; 8] = ["emma", "olivia", "liam", "noah", "ava", "sophia", "james", "william"];

fn names() -> Tokenizer {
    Tokenizer::from_docs(&NAMES).unwrap()
}

#[test]
fn ids_are_sorted_characters_and_bos_comes_last() {
    let t = Tokenizer::from_docs(&["cab", "bad"]).unwrap();
    assert_eq!(t.chars(), &['a', 'b', 'c', 'd']);
    assert_eq!((t.bos(), t.vocab_size()), (4, 5), "(bos, vocab_size)");
    assert_eq!(t.encode_doc("dab").unwrap(), vec![4, 3, 0, 1, 4], "encode_doc(\"dab\"): [BOS, d, a, b, BOS]");
}

#[test]
fn ascii_and_other_documents_share_one_sorted_vocabulary() {
    // from_docs reads ASCII documents by the byte and the others by the character: one vocabulary.
    let t = Tokenizer::from_docs(&["zoë", "ab", "é"]).unwrap();
    assert_eq!(t.chars(), &['a', 'b', 'o', 'z', 'é', 'ë']);
}

#[test]
fn ids_of_the_eight_names_are_their_13_distinct_characters_in_sorted_order() {
    let chars = ['a', 'e', 'h', 'i', 'j', 'l', 'm', 'n', 'o', 'p', 's', 'v', 'w'];
    assert_eq!(names().chars(), chars);
}

#[test]
fn bos_is_the_number_of_characters_and_the_last_id() {
    assert_eq!((names().bos(), names().vocab_size()), (13, 14), "(bos, vocab_size)");
}

#[test]
fn encode_gives_the_ids_of_the_characters_without_bos() {
    assert_eq!(names().encode("emma").unwrap(), [1, 6, 6, 0], "encode(\"emma\"): e = 1, m = 6, a = 0");
    assert_eq!(names().encode("").unwrap(), Vec::<usize>::new(), "encode(\"\")");
}

#[test]
fn emma_encodes_as_bos_e_m_m_a_bos() {
    assert_eq!(names().encode_doc("emma").unwrap(), [13, 1, 6, 6, 0, 13], "encode_doc(\"emma\"), BOS = 13");
}

#[test]
fn the_vocabulary_does_not_depend_on_document_order() {
    // Training shuffles the documents before building the vocabulary.
    let reversed: Vec<&str> = NAMES.iter().rev().copied().collect();
    assert_eq!(Tokenizer::from_docs(&reversed).unwrap(), names());
}

#[test]
fn decode_inverts_encode_doc_for_every_name() {
    let t = names();
    let round_trips: Vec<String> = NAMES.iter().map(|n| t.decode(&t.encode_doc(n).unwrap())).collect();
    assert_eq!(round_trips, NAMES, "decode(encode_doc(name)) for every name");
}

#[test]
fn decode_inverts_encode_and_skips_bos_beyond_ascii() {
    let t = Tokenizer::from_docs(&["héllo wörld"]).unwrap();
    let ids = t.encode_doc("wörhé").unwrap();
    assert_eq!(
        t.decode(&ids),
        "wörhé",
        "decode(encode_doc(\"wörhé\")): positions count characters, not bytes"
    );
}

#[test]
fn unknown_character_is_an_error_naming_it_and_its_position() {
    let t = Tokenizer::from_docs(&["abc"]).unwrap();
    let err = t.encode("abzc").unwrap_err();
    assert_eq!(
        err,
        Error::UnknownChar { ch: 'z', position: 2 },
        "encode(\"abzc\") with the vocabulary a, b, c"
    );
    assert_eq!(
        err.to_string(),
        "unknown character 'z' (U+007A) at position 2: it is not in the training vocabulary"
    );
}

#[test]
fn positions_of_unknown_characters_count_characters_not_bytes() {
    let t = Tokenizer::from_docs(&["zoe", "emma"]).unwrap();
    assert_eq!(t.encode_doc("zoë"), Err(Error::UnknownChar { ch: 'ë', position: 2 }), "encode_doc(\"zoë\")");
}

#[test]
fn the_names_corpus_has_the_26_lowercase_letters_so_vocab_27() {
    let corpus = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/names.txt"));
    let t = Tokenizer::from_docs(&corpus.lines().collect::<Vec<_>>()).unwrap();
    assert_eq!(
        (t.chars().iter().collect::<String>(), t.vocab_size()),
        ("abcdefghijklmnopqrstuvwxyz".into(), 27)
    );
}
