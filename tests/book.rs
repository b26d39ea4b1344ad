//! The book's guards: what `cargo test` checks about `chapters/` beyond running its code.
//!
//! The chapters are an mdBook (`book.toml`, `chapters/SUMMARY.md`). Their Rust blocks run as
//! doctests (see `build.rs`); this file checks everything else that could silently go wrong:
//!
//! - **Includes.** mdBook renders an include of a missing anchor, or of an anchor whose region is
//!   empty, as an empty code block, and one of a missing file as the raw directive text; either way
//!   it exits 0. [`every_include_resolves_to_code`] expands each include directive of each chapter
//!   on its own with mdBook's own link preprocessor (the code `mdbook build` runs, from the
//!   `mdbook-driver` crate) and fails on any that comes out empty or unexpanded.
//! - **The rendered book.** [`the_rendered_book_has_no_raw_directives_or_dead_links`] renders the
//!   whole book with mdBook's HTML renderer and checks every page for a leftover `{{#` directive,
//!   an empty code block, and a link or image that points at nothing (including `#fragments`).
//! - **Portable math.** [`chapter_examples_compute_through_the_portable_math_module`]: clippy's
//!   `disallowed-methods` keeps `f64::exp` and the other platform math functions out of the crate,
//!   its tests and examples, but it does not read the chapters; this applies the same list to them.
//! - **Code fences.** [`rust_blocks_are_included_crate_code_or_tested`]: a Rust block that holds an
//!   include is marked `ignore` (it is crate code, compiled with the crate), and every other Rust
//!   block is not, so it runs as a doctest. Every block names its language, because rustdoc would
//!   run an unlabelled block as Rust.
//! - **The measured speed-up.** [`the_speed_ratio_quoted_is_the_measured_one`]: every "about N times
//!   faster" in the chapters and the README is the ratio in `chapters/measured/bench.json`, rounded.
//! - **Program output.** Output shown in a chapter is never typed by hand. A doctest that prints
//!   something builds its output in a `String` and ends with two hidden lines:
//!
//!   ```text
//!   # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/book/shown.rs"));
//!   # shown("some_name.txt", &out);
//!   ```
//!
//!   `shown` (in `tests/book/shown.rs`) fails unless `out` equals the committed file
//!   `chapters/generated/some_name.txt`, which the chapter includes right below the block. After a
//!   change that alters the output, refresh every such file with
//!
//!   ```text
//!   BOOK_BLESS=1 cargo test --doc
//!   ```
//!
//!   and review the diff. [`every_generated_file_is_produced_and_shown`] checks that every file in
//!   `chapters/generated/` is both produced by an example (or by a `shown("…")` call in a
//!   `tests/book_*.rs` test of the command line) and shown by a chapter, so none can be typed by hand
//!   or left behind.

use mdbook_driver::MDBook;
use mdbook_driver::book::{Book, BookItem, Chapter};
use mdbook_driver::builtin_preprocessors::LinkPreprocessor;
use mdbook_driver::config::Config;
use mdbook_markdown::pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The directory that holds `book.toml`.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The programs the book is built with, and their versions, from `.ci/book-tools`: `(name, version)`.
fn book_tools() -> Vec<(String, String)> {
    let list = fs::read_to_string(root().join(".ci/book-tools")).expect(".ci/book-tools is committed");
    list.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            l.split_once(' ').map(|(tool, version)| (tool.to_string(), version.trim().to_string()))
        })
        .collect()
}

/// The preprocessors of `book.toml` that run a program of `.ci/book-tools` (`katex` runs
/// `mdbook-katex`) which is not installed at its pinned version here, each with the line that
/// installs it.
fn missing_preprocessors(config: &Config) -> Vec<(String, String)> {
    let preprocessors: BTreeMap<String, serde_json::Value> =
        config.preprocessors().expect("book.toml's preprocessor tables");
    let tools = book_tools();
    let mut missing = Vec::new();
    for name in preprocessors.keys() {
        let Some((tool, version)) = tools.iter().find(|(tool, _)| tool == &format!("mdbook-{name}")) else {
            continue;
        };
        let said = Command::new(tool).arg("--version").output().ok().map(|o| o.stdout).unwrap_or_default();
        if String::from_utf8_lossy(&said).trim() != format!("{tool} {version}") {
            missing.push((name.clone(), format!("cargo install --locked {tool}@{version}")));
        }
    }
    missing
}

/// The book as mdBook loads it: `book.toml`, then every chapter that `SUMMARY.md` lists.
///
/// The book's own preprocessors (formulas, quizzes) are programs installed beside mdBook. Where one
/// is missing, a reader's `cargo test` still checks everything else and says what it left out, and
/// its directives are expected to stay in the rendered pages; with `CI=true` (where `.ci/run` has
/// installed them) a missing one is a failure.
fn load() -> (MDBook, Vec<String>) {
    let mut config = Config::from_disk(root().join("book.toml")).expect("book.toml parses");
    let missing = missing_preprocessors(&config);
    if !missing.is_empty() {
        let list: Vec<String> =
            missing.iter().map(|(name, install)| format!("`{name}` ({install})")).collect();
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the book's preprocessors must be installed under CI: {}",
            list.join(", ")
        );
        // Once, and to stderr directly, past the test harness's capture, so the reader sees it.
        static NOTE: std::sync::Once = std::sync::Once::new();
        NOTE.call_once(|| {
            let note = format!(
                "note: tests/book.rs checks the book without its preprocessors {}\n",
                list.join(", ")
            );
            let _ = std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes());
        });
        let mut preprocessors: BTreeMap<String, serde_json::Value> = config.preprocessors().unwrap();
        preprocessors.retain(|name, _| !missing.iter().any(|(m, _)| m == name));
        config.set("preprocessor", preprocessors).expect("a table of preprocessors");
    }
    let book = MDBook::load_with_config(root(), config)
        .unwrap_or_else(|e| panic!("mdBook cannot load the book: {e:#}"));
    (book, missing.into_iter().map(|(name, _)| name).collect())
}

/// The chapters of the book with their paths relative to `chapters/`.
fn chapters(book: &MDBook) -> Vec<(PathBuf, String)> {
    book.book.chapters().filter_map(|ch| Some((ch.path.clone()?, ch.content.clone()))).collect()
}

/// `text` with every run of white space as one space: prose is wrapped anywhere, so a phrase the
/// guards look for may be split across lines.
fn unwrapped(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `{{#…}}` directive in `text` that mdBook would expand (an escaped `\{{#` is text).
fn directives(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(start) = text[rest..].find("{{#").map(|i| i + rest) {
        let end = text[start..].find("}}").map_or(text.len(), |i| start + i + 2);
        if !text[..start].ends_with('\\') {
            found.push(&text[start..end]);
        }
        rest = end;
    }
    found
}

/// The file an include directive names, relative to its chapter, and its anchor if it has one.
fn include_target(directive: &str) -> Option<(&str, Option<&str>)> {
    let body = directive.trim_start_matches("{{#").trim_end_matches("}}").trim();
    let (kind, arg) = body.split_once(char::is_whitespace)?;
    if kind != "include" && kind != "rustdoc_include" {
        return None;
    }
    let mut parts = arg.trim().splitn(2, ':');
    let file = parts.next()?;
    let anchor = parts.next().filter(|a| !a.is_empty() && !a.starts_with(|c: char| c.is_ascii_digit()));
    Some((file, anchor))
}

/// What mdBook's link preprocessor makes of `directive` alone, as if it were the whole of
/// `chapter`: relative paths resolve exactly as they do in the real chapter.
fn expand_alone(book: &MDBook, chapter: &Path, directive: &str) -> String {
    let mut probe = Book::new();
    probe.push_item(BookItem::Chapter(Chapter::new("probe", directive.to_string(), chapter, vec![])));
    let ctx = PreprocessorContext::new(book.root.clone(), book.config.clone(), "html".into());
    let expanded = LinkPreprocessor::new().run(&ctx, probe).expect("the link preprocessor does not fail");
    expanded.chapters().map(|ch| ch.content.clone()).collect()
}

#[test]
fn every_include_resolves_to_code() {
    let (book, _) = load();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (chapter, content) in chapters(&book) {
        for directive in directives(&content) {
            let Some((file, anchor)) = include_target(directive) else { continue };
            checked += 1;
            let expanded = expand_alone(&book, &chapter, directive);
            let file_path = book.source_dir().join(chapter.parent().unwrap_or(Path::new(""))).join(file);
            let problem = if expanded.contains("{{#") {
                Some(format!("cannot read {}", file_path.display()))
            } else if expanded.trim().is_empty() {
                let source = fs::read_to_string(&file_path).unwrap_or_default();
                Some(match anchor {
                    Some(a) if !source.contains(&format!("ANCHOR: {a}")) => {
                        format!("{file} has no `// ANCHOR: {a}`")
                    }
                    Some(a) => format!("the region `{a}` of {file} is empty"),
                    None => format!("{file} is empty"),
                })
            } else {
                None
            };
            if let Some(p) = problem {
                problems.push(format!("chapters/{}: {directive}: {p}", chapter.display()));
            }
        }
    }
    assert!(problems.is_empty(), "includes that would render as nothing:\n{}", problems.join("\n"));
    assert!(checked > 0, "no include directive found: is chapters/SUMMARY.md empty?");
    println!("{checked} includes checked");
}

/// The fenced and indented code blocks of a chapter: (info string, text), in order.
fn code_blocks(content: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut block: Option<(String, String)> = None;
    for event in Parser::new(content) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => "(indented)".to_string(),
                };
                block = Some((info, String::new()));
            }
            Event::Text(text) => {
                if let Some((_, body)) = &mut block {
                    body.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(block.take()),
            _ => {}
        }
    }
    blocks
}

#[test]
fn rust_blocks_are_included_crate_code_or_tested() {
    let (book, _) = load();
    let mut problems = Vec::new();
    for (chapter, content) in chapters(&book) {
        for (info, body) in code_blocks(&content) {
            let attrs: Vec<&str> = info.split([',', ' ']).filter(|a| !a.is_empty()).collect();
            let is_rust = attrs.first() == Some(&"rust");
            let includes = directives(&body).iter().any(|d| include_target(d).is_some());
            let ignored = attrs.contains(&"ignore") || attrs.contains(&"no_run");
            let first_line = body.lines().next().unwrap_or("");
            let problem = if attrs.is_empty() || info == "(indented)" {
                Some("has no language: rustdoc would run it as Rust; fence it as ```text or ```rust")
            } else if is_rust && includes && !attrs.contains(&"ignore") {
                Some("includes crate code: fence it as ```rust,ignore (the crate compiles it)")
            } else if is_rust && !includes && ignored {
                Some("is not tested: a Rust block that is not crate code must run as a doctest")
            } else {
                None
            };
            if let Some(p) = problem {
                problems.push(format!(
                    "chapters/{}: block `{info}` starting `{first_line}` {p}",
                    chapter.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The methods `clippy.toml` disallows, as `f64::exp`: clippy does not read the chapters' examples,
/// so the book guard applies the same list to them.
fn disallowed_methods() -> Vec<String> {
    let config = fs::read_to_string(root().join("clippy.toml")).expect("clippy.toml is committed");
    let mut methods = Vec::new();
    for line in config.lines() {
        let Some((_, rest)) = line.split_once("path = \"") else { continue };
        methods.extend(rest.split_once('"').map(|(path, _)| path.to_string()));
    }
    methods
}

#[test]
fn chapter_examples_compute_through_the_portable_math_module() {
    let methods = disallowed_methods();
    assert!(methods.contains(&"f64::exp".to_string()), "clippy.toml lists no transcendental methods");
    // A method of one number takes no argument, `x.exp()`, and `tape.exp(x)`, the autograd operation,
    // is not one; the methods of two numbers have names no tape operation has.
    let binary = ["powf", "powi", "mul_add", "hypot", "atan2"];
    let calls: BTreeSet<String> = methods
        .iter()
        .filter_map(|path| path.split_once("::").map(|(_, name)| name))
        .map(|name| if binary.contains(&name) { format!(".{name}(") } else { format!(".{name}()") })
        .collect();
    let (book, _) = load();
    let mut problems = Vec::new();
    for (chapter, content) in chapters(&book) {
        for (info, body) in code_blocks(&content) {
            if !info.starts_with("rust") || directives(&body).iter().any(|d| include_target(d).is_some()) {
                continue;
            }
            for (n, line) in body.lines().enumerate() {
                if let Some(call) = calls.iter().find(|c| line.contains(c.as_str())) {
                    problems.push(format!(
                        "chapters/{}: `{}` (line {} of a block) calls `{call}`: the platform's math \
                         library differs in the last bits; use microgpt::math",
                        chapter.display(),
                        line.trim(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Generated files that a test of the command-line program writes rather than a chapter's example:
/// the names passed to `shown("…")` in the `tests/book_*.rs` files.
fn produced_by_book_tests() -> Vec<String> {
    let call = "shown(\"";
    let mut names = Vec::new();
    for entry in fs::read_dir(root().join("tests")).expect("the tests directory") {
        let path = entry.expect("a directory entry").path();
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or_default();
        if !(file.starts_with("book_") && file.ends_with(".rs")) {
            continue;
        }
        let text = fs::read_to_string(&path).expect("a test file is UTF-8");
        for (i, _) in text.match_indices(call) {
            let start = i + call.len();
            if let Some(len) = text[start..].find('"') {
                names.push(text[start..start + len].to_string());
            }
        }
    }
    names
}

/// The names that the chapters' examples pass to `shown`: `…/shown.rs"))("name.txt", &out)`.
fn shown_names(text: &str) -> Vec<&str> {
    let call = "shown.rs\"))(\"";
    text.match_indices(call)
        .filter_map(|(i, _)| {
            let start = i + call.len();
            text[start..].find('"').map(|len| &text[start..start + len])
        })
        .collect()
}

#[test]
fn every_generated_file_is_produced_and_shown() {
    let (book, _) = load();
    let chapters = chapters(&book);
    let included: BTreeSet<String> = chapters
        .iter()
        .flat_map(|(chapter, content)| {
            let dir = chapter.parent().unwrap_or(Path::new("")).to_path_buf();
            directives(content)
                .into_iter()
                .filter_map(|d| include_target(d).map(|(file, _)| dir.join(file)))
                .filter_map(|path| Some(path.strip_prefix("generated").ok()?.display().to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    let produced: BTreeSet<String> = chapters
        .iter()
        .flat_map(|(_, content)| shown_names(content))
        .map(str::to_string)
        .chain(produced_by_book_tests())
        .collect();
    let on_disk: BTreeSet<String> = fs::read_dir(book.source_dir().join("generated"))
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.file_name().to_str()?.to_string())).collect())
        .unwrap_or_default();

    let mut problems = Vec::new();
    for name in on_disk.difference(&included) {
        problems.push(format!("chapters/generated/{name} is not included by any chapter: delete it"));
    }
    for name in included.difference(&produced) {
        problems.push(format!(
            "chapters/generated/{name} is shown in the book but no example produces it: output must \
             come from running code (see the top of tests/book.rs)"
        ));
    }
    for name in produced.difference(&included) {
        problems.push(format!("chapters/generated/{name} is produced but no chapter shows it"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every value of the attribute `attr` (`href`, `src`, `id`) in an HTML page.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let start = i + needle.len();
            html[start..].find('"').map(|len| &html[start..start + len])
        })
        .collect()
}

/// Whether a code block in `html` is empty: `<pre><code …></code></pre>` with only whitespace.
fn has_empty_code_block(html: &str) -> bool {
    html.match_indices("<pre><code").any(|(i, tag)| {
        let after = &html[i + tag.len()..];
        let Some(open_end) = after.find('>') else { return false };
        let Some(close) = after.find("</code>") else { return false };
        after[open_end + 1..close].trim().is_empty()
    })
}

#[test]
fn the_rendered_book_has_no_raw_directives_or_dead_links() {
    let (mut book, unrendered) = load();
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("book");
    // A fresh directory each run, so a page left over from an earlier build cannot satisfy a link.
    let _ = fs::remove_dir_all(&out);
    book.config.build.build_dir = out.clone();
    book.build().unwrap_or_else(|e| panic!("mdBook cannot build the book: {e:#}"));

    let mut pages: Vec<PathBuf> =
        chapters(&book).into_iter().map(|(path, _)| path.with_extension("html")).collect();
    pages.push("print.html".into());
    let mut ids: HashMap<PathBuf, BTreeSet<String>> = HashMap::new();
    let mut ids_of = |page: &Path| -> BTreeSet<String> {
        ids.entry(page.to_path_buf())
            .or_insert_with(|| {
                let html = fs::read_to_string(page).unwrap_or_default();
                attribute_values(&html, "id").into_iter().map(str::to_string).collect()
            })
            .clone()
    };

    let mut problems = Vec::new();
    for page in &pages {
        let path = out.join(page);
        let html = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // A directive of a preprocessor that is not installed here stays in the page, as expected.
        let left_alone =
            |i: usize| unrendered.iter().any(|name| html[i..].starts_with(&format!("{{{{#{name} ")));
        if let Some(i) = html.match_indices("{{#").map(|(i, _)| i).find(|&i| !left_alone(i)) {
            let context: String = html[i..].chars().take(80).collect();
            problems.push(format!("{}: raw directive `{context}`", page.display()));
        }
        if has_empty_code_block(&html) {
            problems.push(format!("{}: an empty code block", page.display()));
        }
        let links = attribute_values(&html, "href").into_iter().chain(attribute_values(&html, "src"));
        for link in links {
            if link.is_empty() {
                problems.push(format!("{}: an empty link", page.display()));
                continue;
            }
            if link.contains("://") || link.starts_with("mailto:") || link.starts_with("javascript:") {
                continue; // not part of the book; the book must read offline without them anyway
            }
            let (file, fragment) = link.split_once('#').unwrap_or((link, ""));
            let target = if file.is_empty() { path.clone() } else { path.parent().unwrap().join(file) };
            if !target.exists() {
                problems.push(format!("{}: `{link}` points at nothing", page.display()));
            } else if !fragment.is_empty()
                && target.extension().is_some_and(|e| e == "html")
                && !ids_of(&target).contains(fragment)
            {
                problems.push(format!("{}: `{link}`: no element has id `{fragment}`", page.display()));
            }
        }
    }
    // Every exercise is findable in its page: mdbook-quiz turns `{{#quiz FILE}}` into an element of
    // class `quiz-placeholder` that holds the quiz's questions, each with its id.
    if !unrendered.iter().any(|name| name == "quiz") {
        for (chapter, content) in chapters(&book) {
            let page = chapter.with_extension("html");
            let html = fs::read_to_string(out.join(&page)).unwrap_or_default();
            for directive in directives(&content).into_iter().filter(|d| d.starts_with("{{#quiz ")) {
                let file = directive.trim_start_matches("{{#quiz").trim_end_matches("}}").trim();
                let dir = book.source_dir().join(chapter.parent().unwrap_or(Path::new("")));
                let quiz = fs::read_to_string(dir.join(file)).unwrap_or_default();
                let ids: Vec<&str> =
                    quiz.lines().filter_map(|l| l.strip_prefix("id = \"")?.strip_suffix('"')).collect();
                if !html.contains("class=\"quiz-placeholder\"") || ids.is_empty() {
                    problems.push(format!("{}: `{directive}` did not become a quiz", page.display()));
                }
                for id in ids.iter().filter(|id| !html.contains(*id)) {
                    problems.push(format!("{}: question {id} of {file} is not in the page", page.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "the rendered book has problems:\n{}", problems.join("\n"));
}

#[test]
fn the_readme_installs_the_book_tools_at_their_pinned_versions() {
    let readme = fs::read_to_string(root().join("README.md")).expect("README.md");
    let line = readme.lines().find(|l| l.starts_with("cargo install --locked mdbook@"));
    let line = line.expect("README.md has a `cargo install --locked mdbook@…` line");
    let named: BTreeSet<&str> = line.split_whitespace().skip(3).collect();
    let pinned: Vec<String> =
        book_tools().iter().map(|(tool, version)| format!("{tool}@{version}")).collect();
    let pinned: BTreeSet<&str> = pinned.iter().map(String::as_str).collect();
    assert_eq!(named, pinned, "README.md's install line and .ci/book-tools disagree");
}

/// `n` in words, for the small ratios the prose quotes.
fn in_words(n: u64) -> String {
    const WORDS: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    WORDS.get(n as usize).map_or_else(|| n.to_string(), |w| (*w).to_string())
}

/// The book and the README say how much faster the fused engine trains than the scalar tape as
/// "about N times faster", in many places: each N must be the ratio measured in
/// `chapters/measured/bench.json` (scalar µs per step over fused µs per step), rounded.
#[test]
fn the_speed_ratio_quoted_is_the_measured_one() {
    let measured = microgpt_figures::measured();
    let ratio = measured.scalar.us_per_step / measured.fused.us_per_step;
    let expected = in_words(ratio.round() as u64);
    let mut files: Vec<PathBuf> = vec![root().join("README.md")];
    let mut chapters: Vec<PathBuf> = fs::read_dir(root().join("chapters"))
        .expect("chapters/")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    chapters.sort();
    files.extend(chapters);
    let mut quoted = 0;
    for path in files {
        let text = fs::read_to_string(&path).expect("a readable file");
        let text = unwrapped(&text);
        for (at, _) in text.match_indices(" times faster") {
            let before: Vec<&str> = text[..at].rsplitn(3, ' ').collect();
            if let [number, "about", ..] = before.as_slice() {
                quoted += 1;
                assert_eq!(
                    *number,
                    expected,
                    "{} says \"about {number} times faster\", but chapters/measured/bench.json measured \
                     {ratio:.2}× ({} µs against {} µs a step): say \"about {expected} times faster\"",
                    path.display(),
                    measured.scalar.us_per_step,
                    measured.fused.us_per_step
                );
            }
        }
    }
    assert!(quoted >= 5, "the speed ratio is quoted {quoted} times; this guard expects it in several places");
}

/// The number in the row of `table` (a markdown table of chapters/measured/) whose first cell starts
/// with `measure`, in `column` (1 for the baseline, 2 for the build measured against it), to one
/// decimal, as the appendix's prose quotes it (the tables' numbers are positive).
fn cell(table: &str, measure: &str, column: usize) -> String {
    let row = table.lines().find(|line| line.starts_with(&format!("| {measure}")));
    let row = row.unwrap_or_else(|| panic!("no row \"{measure}\" in the table"));
    let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
    let value: f64 =
        cells[column].split(' ').next().and_then(|n| n.parse().ok()).expect("a number in the cell");
    // Rounded as a reader rounds the decimal the table shows: 32.05 to 32.1 (as a binary fraction it
    // is a little less, which `{:.1}` would round to 32.0).
    let tenths = ((value * 100.0).round() as i64 + 5) / 10;
    format!("{}.{}", tenths / 10, tenths % 10)
}

#[test]
fn the_appendix_quotes_the_measurements_of_rounds_three_and_four() {
    let measured = |file: &str| fs::read_to_string(root().join("chapters/measured").join(file)).expect(file);
    let (three, four) = (measured("compare.md"), measured("round-four.md"));
    let chapter = unwrapped(
        &fs::read_to_string(root().join("chapters/appendix-same-bits-faster.md")).expect("the appendix"),
    );
    let from_to = |table: &str, measure: &str| {
        format!("from {} to {}", cell(table, measure, 1), cell(table, measure, 2))
    };
    let quoted = [
        // Round three, measured against bb4207d (compare.md).
        format!("the same baseline takes {} µs a step here", cell(&three, "fused step", 1)),
        format!("the round took a fused step {} µs", from_to(&three, "fused step")),
        format!("backward {} µs", from_to(&three, "backward, per step")),
        format!("forward {} µs", from_to(&three, "forward, per step")),
        format!("went {} ms of processor time", from_to(&three, "whole process, processor time")),
        format!("stays at {} ms", cell(&three, "start-up, processor time", 2)),
        format!("**Adam**, {} µs here", cell(&three, "Adam, per step", 2)),
        format!("**Forward**, {} µs", cell(&three, "forward, per step", 2)),
        format!("**Backward**, {} µs", cell(&three, "backward, per step", 2)),
        format!("**`begin`**, {} µs", cell(&three, "begin, per step", 2)),
        // Round four, measured against 6e0e23e (round-four.md).
        format!("baseline's fused step took {} µs here", cell(&four, "fused step", 1)),
        format!("start-up went {} ms of processor time", from_to(&four, "start-up, processor time")),
        format!("`begin` {} µs a step", from_to(&four, "begin, per step")),
        format!("held at {} µs", cell(&four, "forward, per step", 2)),
        format!("held at {} µs", cell(&four, "forward, per step", 1)),
        format!("the whole process {} ms of processor time", from_to(&four, "whole process, processor time")),
        format!(
            "which took {} and {} µs here",
            cell(&four, "backward, per step", 1),
            cell(&four, "backward, per step", 2)
        ),
        format!("Adam alone takes {} µs here", cell(&four, "Adam, per step", 2)),
        format!("not in the run above ({} ms)", cell(&four, "start-up, processor time", 2)),
    ];
    for phrase in quoted {
        assert!(
            chapter.contains(&phrase),
            "the appendix should say \"{phrase}\", as chapters/measured/ has it"
        );
    }
}

/// The numbers of `text` written with a decimal point or a thousands separator (`3.3592`, `4,192`):
/// the ones a reader copies from a figure and that go stale when it is redrawn.
fn precise_numbers(text: &str) -> Vec<String> {
    let mut numbers = Vec::new();
    let mut token = String::new();
    for c in text.chars().chain([' ']) {
        let continues = c.is_ascii_digit() || (!token.is_empty() && (c == '.' || c == ','));
        if continues {
            token.push(c);
            continue;
        }
        let number = token.trim_end_matches(['.', ',']);
        if number.contains(['.', ',']) {
            numbers.push(number.to_string());
        }
        token.clear();
    }
    numbers
}

#[test]
fn every_precise_number_in_a_figure_caption_is_in_the_figure() {
    let mut checked = 0;
    for (path, text) in chapters(&load().0) {
        // A figure, a blank line, and its caption: one paragraph in italics.
        for (at, _) in text.match_indices("](figures/") {
            let rest = &text[at + 2..];
            let Some(end) = rest.find(".svg)\n\n*") else { continue };
            let svg_path = &rest[..end + 4];
            let caption = &rest[end + 7..];
            let caption = &caption[..caption.find("*\n").expect("a caption ends with *")];
            let svg = fs::read_to_string(root().join("chapters").join(svg_path)).expect("the figure");
            for number in precise_numbers(caption) {
                assert!(
                    svg.contains(&number),
                    "{}: the caption of {svg_path} says {number}, which the figure does not show",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} numbers checked: are the captions still found?");
}
