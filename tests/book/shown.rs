// Included by the chapters' doctests in a hidden line, `# include!(…/tests/book/shown.rs)(name, &out);`
// (see "Program output" in tests/book.rs). It is an expression, a closure, because `include!` in a
// doctest's body stands where an expression goes.
//
// It fails unless `out` is exactly the committed `chapters/generated/{name}`, the output the chapter
// shows below the block that printed it. With `BOOK_BLESS=1` in the environment it writes the file
// instead.
|name: &str, out: &str| {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("chapters/generated").join(name);
    if std::env::var_os("BOOK_BLESS").is_some() {
        std::fs::write(&path, out).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == out,
        "chapters/generated/{name} is not what this code prints.\n--- it prints:\n{out}--- the \
         book shows:\n{committed}---\nIf the new output is right, refresh it with \
         `BOOK_BLESS=1 cargo test --doc` and review the diff."
    );
}
