//! The character tokenizer of chapter 3, on the eight names and on the project's corpus.

use microgpt::tokenizer::Tokenizer;

const NAMES: [&str; 8] = ["emma", "olivia", "liam", "noah", "ava", "sophia", "james", "william"];

fn names() -> Tokenizer {
    Tokenizer::from_docs(&NAMES).unwrap()
}

#[test]
fn ids_of_the_eight_names_are_their_13_distinct_characters_in_sorted_order() {
    let chars = ['a', 'e', 'h', 'i', 'j', 'l', 'm', 'n', 'o', 'p', 's', 'v', 'w'];
    assert_eq!(names().chars(), chars);
}

#[test]
fn bos_is_the_number_of_characters_and_the_last_id() {
    assert_eq!((names().bos(), names().vocab_size()), (13, 14));
}

#[test]
fn emma_encodes_as_bos_e_m_m_a_bos() {
    assert_eq!(names().encode_doc("emma").unwrap(), [13, 1, 6, 6, 0, 13]);
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
    assert_eq!(round_trips, NAMES);
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
