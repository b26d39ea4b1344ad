//! # The reader's workbook, cut out of the book's own crate
//!
//! `cargo run -p microgpt-workbook -- new DIR` writes a standalone crate into `DIR`: the `microgpt`
//! library and command line, with the body of every function the reader is to write replaced by
//! `todo!("chapter N, …")`, and the tests of the chapters that build the GPT (`tests/chapters/`), so that `cargo test ch04` in `DIR` runs chapter 4's tests against the
//! reader's code. `-- new --solved DIR` writes the same crate with the bodies in place.
//!
//! The functions to write are marked in the library's source, not listed here: every function
//! between the comments `// ANCHOR: workbook_chNN` and `// ANCHOR_END: workbook_chNN` of a file in
//! `src/` is one of chapter NN's (mdBook's listings hide both lines). Its `todo!()` message is
//! `chapter N, Type::name: ` and the first paragraph of its doc comment, which stays above it as the
//! reader's specification. So the workbook cannot drift from the book: it is the book's code, cut
//! at the moment it is written.
//!
//! Everything else comes along as it is, with three changes: the other `// ANCHOR` lines go (they
//! only serve the book), the library's own unit tests go (the workbook's tests are the chapters'),
//! and the item that makes the book's chapters doctests goes (the workbook has no chapters). The
//! workspace's `Cargo.lock` is copied, so the workbook builds with the versions the book was
//! tested with, and its `Cargo.toml` takes every dependency from the workspace's.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// What the cut functions' bodies become.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `todo!("chapter N, …")`: the reader's workbook.
    Fresh,
    /// The bodies as the book has them: the workbook with every exercise solved.
    Solved,
    /// The bodies as the book has them, behind `todo!()` for the chapters after the one named by
    /// the environment variable [`SOLVED_THROUGH`] when the tests run: one build that CI runs as if
    /// the reader had finished chapter 2, then 3, and so on, to check that each chapter's tests
    /// need only that chapter and the ones before it.
    Staged,
}

/// The environment variable a [`Mode::Staged`] workbook reads: the last chapter whose bodies it
/// runs (unset: all of them).
pub const SOLVED_THROUGH: &str = "MICROGPT_WORKBOOK_SOLVED_THROUGH";

/// One function the reader writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cut {
    /// The chapter that teaches it.
    pub chapter: u32,
    /// Its file, relative to the crate: `src/value.rs`.
    pub file: String,
    /// Its name as a reader finds it: `Tape::add`, `softmax`.
    pub function: String,
    /// The message of its `todo!()`.
    pub message: String,
}

/// The marker that opens chapter NN's part of a file.
const START: &str = "// ANCHOR: workbook_ch";
/// The marker that closes it.
const END: &str = "// ANCHOR_END: workbook_ch";

/// A source file of the library as the workbook has it, and the functions cut from it.
///
/// `file` names the file in errors and in the returned [`Cut`]s. Fails on a marker without its
/// pair, on a function in a marked region without a doc comment (it is the reader's specification),
/// and on a function whose body is not laid out as rustfmt lays it out.
pub fn cut_source(file: &str, source: &str, mode: Mode) -> Result<(String, Vec<Cut>), String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut cuts = Vec::new();
    let mut chapter: Option<u32> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let at = |what: &str| format!("{file}:{}: {what}", i + 1);
        if let Some(n) = trimmed.strip_prefix(START) {
            if let Some(open) = chapter {
                return Err(at(&format!("a workbook marker inside chapter {open}'s")));
            }
            let n: u32 = n.trim().parse().map_err(|_| at("a workbook marker without a chapter number"))?;
            chapter = Some(n);
            if mode == Mode::Fresh {
                out.push(format!(
                    "{indent}// Chapter {n} of the workbook: the bodies below are yours to write \
                     (`cargo test ch{n:02}`)."
                ));
            }
        } else if let Some(n) = trimmed.strip_prefix(END) {
            let n: u32 = n.trim().parse().map_err(|_| at("a workbook marker without a chapter number"))?;
            if chapter != Some(n) {
                return Err(at(&format!("the end of chapter {n}'s workbook part, which was not opened")));
            }
            chapter = None;
        } else if is_anchor(line) {
            // The book's own anchors: nothing the workbook's reader needs.
        } else if let (Some(n), true) = (chapter, is_fn(trimmed)) {
            let (cut, end) = cut_function(file, &lines, i, n)?;
            let open = lines[i..=end].iter().position(|l| l.trim_end().ends_with('{')).map(|k| i + k);
            let open = open.expect("cut_function found the opening brace");
            out.extend(lines[i..=open].iter().map(|l| l.to_string()));
            let body_indent = format!("{indent}    ");
            let todo = format!("{body_indent}todo!(\"{}\")", escape(&cut.message));
            let body = lines[open + 1..end].iter().filter(|l| !is_anchor(l)).map(|l| l.to_string());
            match mode {
                Mode::Fresh => out.push(todo),
                Mode::Solved => out.extend(body),
                Mode::Staged => {
                    out.push(format!("{body_indent}if crate::workbook_solved_through() < {n} {{"));
                    out.push(format!("    {todo};"));
                    out.push(format!("{body_indent}}}"));
                    out.extend(body);
                }
            }
            out.push(lines[end].to_string());
            cuts.push(cut);
            i = end;
        } else if line == "#[cfg(test)]" && lines.get(i + 1) == Some(&"mod tests {") {
            // The library's unit tests, always last in a file: the workbook's tests are the chapters'.
            while out.last().is_some_and(|l| l.trim().is_empty()) {
                out.pop();
            }
            break;
        } else {
            out.push(line.to_string());
        }
        i += 1;
    }
    if let Some(n) = chapter {
        return Err(format!("{file}: chapter {n}'s workbook part is not closed ({END}{n:02})"));
    }
    let mut text = out.join("\n");
    text.push('\n');
    Ok((text, cuts))
}

/// Whether a line is an mdBook anchor, `// ANCHOR: name` or `// ANCHOR_END: name`.
fn is_anchor(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed.starts_with("// ANCHOR:") || trimmed.starts_with("// ANCHOR_END:")
}

/// Whether a trimmed line starts a function definition.
fn is_fn(trimmed: &str) -> bool {
    let rest =
        trimmed.strip_prefix("pub ").or_else(|| trimmed.strip_prefix("pub(crate) ")).unwrap_or(trimmed);
    rest.starts_with("fn ")
}

/// The function whose signature starts at line `at`, and the line of its closing brace: rustfmt
/// closes a body with a `}` alone at the indentation of the `fn`.
fn cut_function(file: &str, lines: &[&str], at: usize, chapter: u32) -> Result<(Cut, usize), String> {
    let line = lines[at];
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    let name_start = trimmed.find("fn ").expect("is_fn") + 3;
    let name: String =
        trimmed[name_start..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    let open = (at..lines.len())
        .find(|&k| lines[k].trim_end().ends_with('{'))
        .ok_or_else(|| format!("{file}:{}: `fn {name}` has no body", at + 1))?;
    let close = format!("{indent}}}");
    let end = (open + 1..lines.len())
        .find(|&k| lines[k] == close)
        .ok_or_else(|| format!("{file}:{}: the body of `fn {name}` does not end with `{close}`", at + 1))?;
    if let Some(k) =
        (open + 1..end).find(|&k| !lines[k].is_empty() && !lines[k].starts_with(&format!("{indent} ")))
    {
        return Err(format!("{file}:{}: a line of `fn {name}`'s body is not indented under it", k + 1));
    }
    let function = match owner(lines, at, indent.len()) {
        Some(owner) => format!("{owner}::{name}"),
        None => name.clone(),
    };
    let doc = doc_summary(lines, at).ok_or_else(|| {
        format!("{file}:{}: `fn {name}` has no doc comment to tell the reader what to write", at + 1)
    })?;
    let message = format!("chapter {chapter}, {function}: {doc}");
    Ok((Cut { chapter, file: file.to_string(), function, message }, end))
}

/// The type of the `impl` block that holds a function indented by `indent`, if any.
fn owner(lines: &[&str], at: usize, indent: usize) -> Option<String> {
    if indent == 0 {
        return None;
    }
    let header = lines[..at].iter().rev().find(|l| {
        let t = l.trim_start();
        l.len() - t.len() < indent && !t.is_empty() && !t.starts_with("//")
    })?;
    let rest = header.trim_start().strip_prefix("impl")?;
    // Skip the impl's own generic parameters, `impl<V> …`.
    let rest = match rest.strip_prefix('<') {
        Some(generics) => &generics[generics.find('>')? + 1..],
        None => rest,
    };
    let ty = rest.rsplit(" for ").next()?.trim_start();
    Some(ty.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect())
}

/// The first paragraph of the doc comment above line `at`, on one line.
fn doc_summary(lines: &[&str], at: usize) -> Option<String> {
    let mut k = at;
    // Attributes and markers between the doc comment and the `fn`.
    while k > 0
        && (lines[k - 1].trim_start().starts_with("#[") || lines[k - 1].trim_start().starts_with("// "))
    {
        k -= 1;
    }
    let mut doc = Vec::new();
    while k > 0 && lines[k - 1].trim_start().starts_with("///") {
        k -= 1;
        doc.push(lines[k].trim_start().trim_start_matches("///").trim());
    }
    doc.reverse();
    let first: Vec<&str> = doc.into_iter().take_while(|l| !l.is_empty()).collect();
    (!first.is_empty()).then(|| first.join(" "))
}

/// `s` as the contents of a Rust string literal that is a format string.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('{', "{{").replace('}', "}}")
}

/// `src/lib.rs` as the workbook has it: without the item that makes the book's chapters doctests,
/// and, in [`Mode::Staged`], with the function the staged bodies ask.
fn adapt_lib_rs(source: &str, mode: Mode) -> Result<String, String> {
    let doctests = "#[cfg(doctest)]\npub mod chapters {";
    let mut text = match source.find(doctests) {
        Some(start) => {
            // With the doc comment just above it.
            let mut cut = start;
            while let Some(prev) = source[..cut].trim_end_matches('\n').rfind('\n') {
                if !source[prev + 1..cut].starts_with("///") {
                    break;
                }
                cut = prev + 1;
            }
            let end = source[start..]
                .find("\n}\n")
                .map(|e| start + e + 3)
                .ok_or("src/lib.rs: `pub mod chapters` is not closed")?;
            format!("{}{}", source[..cut].trim_end_matches('\n'), &source[end..])
        }
        None => source.to_string(),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match mode {
        Mode::Fresh => {
            // An inner attribute, so after the crate's doc comment and before its first item.
            let docs: usize = text.lines().take_while(|l| l.starts_with("//!")).map(|l| l.len() + 1).sum();
            text.insert_str(
                docs,
                "\n// Until every `todo!()` is written, some parameters, imports and helpers are unused.\n\
                 #![allow(unused_variables, unused_imports, dead_code)]\n",
            );
        }
        Mode::Solved => {}
        Mode::Staged => {
            write!(
                text,
                "\n/// The last chapter whose bodies run, from `{SOLVED_THROUGH}` (all of them when it is unset);\n\
                 /// the others are `todo!()`. Only CI's staged workbook has this.\n\
                 #[doc(hidden)]\n\
                 pub fn workbook_solved_through() -> u32 {{\n    \
                 std::env::var(\"{SOLVED_THROUGH}\").ok().and_then(|n| n.parse().ok()).unwrap_or(u32::MAX)\n\
                 }}\n"
            )
            .expect("writing to a String cannot fail");
        }
    }
    Ok(text)
}

/// The workbook's `Cargo.toml`, from the workspace's: its package, features, binaries and
/// dependencies, the dev-dependencies that the chapters' tests use, and the profiles.
fn manifest(workspace_manifest: &str, tests: &str) -> Result<String, String> {
    let root: toml::Table = workspace_manifest.parse().map_err(|e| format!("Cargo.toml: {e}"))?;
    let table =
        |value: Option<&toml::Value>| value.and_then(toml::Value::as_table).cloned().unwrap_or_default();
    let package = table(root.get("package"));
    let shared = table(table(root.get("workspace")).get("package"));
    let field = |key: &str| -> Result<toml::Value, String> {
        match package.get(key) {
            Some(toml::Value::Table(t)) if t.get("workspace") == Some(&toml::Value::Boolean(true)) => {
                shared.get(key).cloned().ok_or(format!("Cargo.toml: workspace.package.{key} is missing"))
            }
            Some(value) => Ok(value.clone()),
            None => Err(format!("Cargo.toml: package.{key} is missing")),
        }
    };
    let mut out = String::from(
        "# Your workbook: the book's microgpt crate, with the functions you write left as todo!().\n\
         # Written by `cargo run -p microgpt-workbook -- new`; README.md says how to work in it.\n\
         [package]\n\
         name = \"microgpt\"\n",
    );
    for key in ["version", "edition", "rust-version", "license", "description", "publish", "default-run"] {
        writeln!(out, "{key} = {}", inline(&field(key)?)).expect("a String");
    }
    out.push_str("\n# A crate of its own, even inside another workspace.\n[workspace]\n");
    for section in ["features", "dependencies"] {
        write_table(&mut out, section, &table(root.get(section)));
    }
    // Dependencies of some platforms only: `[target.'cfg(unix)'.dependencies]`.
    for (platform, sections) in table(root.get("target")) {
        let dependencies = table(sections.get("dependencies"));
        write_table(
            &mut out,
            &format!("target.{}.dependencies", inline(&toml::Value::String(platform))),
            &dependencies,
        );
    }
    for bin in root.get("bin").and_then(toml::Value::as_array).into_iter().flatten() {
        out.push_str("\n[[bin]]\n");
        for (key, value) in bin.as_table().into_iter().flatten() {
            writeln!(out, "{key} = {}", inline(value)).expect("a String");
        }
    }
    let mut dev = table(root.get("dev-dependencies"));
    dev.retain(|name, _| tests.contains(&format!("{}::", name.replace('-', "_"))));
    write_table(&mut out, "dev-dependencies", &dev);
    for (name, profile) in table(root.get("profile")) {
        let mut profile = profile.as_table().cloned().unwrap_or_default();
        profile.remove("package"); // settings for crates of the workspace's other members
        write_table(&mut out, &format!("profile.{name}"), &profile);
    }
    Ok(out)
}

/// `[name]` and one `key = value` line per entry, if there are entries.
fn write_table(out: &mut String, name: &str, entries: &toml::Table) {
    if entries.is_empty() {
        return;
    }
    writeln!(out, "\n[{name}]").expect("a String");
    for (key, value) in entries {
        writeln!(out, "{key} = {}", inline(value)).expect("a String");
    }
}

/// A TOML value on one line: tables inline.
fn inline(value: &toml::Value) -> String {
    match value {
        toml::Value::Table(t) => {
            let entries: Vec<String> = t.iter().map(|(k, v)| format!("{k} = {}", inline(v))).collect();
            format!("{{ {} }}", entries.join(", "))
        }
        toml::Value::Array(a) => format!("[{}]", a.iter().map(inline).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// The workbook's README: how to work in it, and the functions to write, chapter by chapter.
fn readme(cuts: &[Cut], mode: Mode) -> String {
    let mut out = String::from("# Your microgpt workbook\n\n");
    if mode == Mode::Fresh {
        out.push_str(
            "This crate is the book's `microgpt` library and command line, with the functions you write \
             left as `todo!()`. Each has its doc comment above it: that is what to write. Work through \
             the chapters in order; after each one, run its tests:\n\n\
             ```sh\ncargo test ch02      # chapter 2's tests, against your code\n```\n\n\
             A chapter's tests use only what that chapter and the ones before it build, so they pass as \
             soon as its functions are right. A failing test says what is wrong: a `todo!()` still to \
             write, a value or a gradient that differs from the expected one (against central \
             differences, for gradients), with the numbers. `cargo test` runs every chapter. When all \
             pass, `cargo run --release -- --engine scalar` trains your GPT, every piece of it yours, \
             and prints the names it invents.\n\n",
        );
    } else {
        out.push_str("This is the workbook with every function written: the book's own code.\n\n");
    }
    out.push_str("| chapter | tests | functions | file |\n| --- | --- | --- | --- |\n");
    let mut chapters: Vec<u32> = cuts.iter().map(|c| c.chapter).collect();
    chapters.dedup();
    for n in chapters {
        let mut files: Vec<&str> = cuts.iter().filter(|c| c.chapter == n).map(|c| c.file.as_str()).collect();
        files.dedup();
        for file in files {
            let names: Vec<String> = cuts
                .iter()
                .filter(|c| c.chapter == n && c.file == file)
                .map(|c| format!("`{}`", c.function))
                .collect();
            writeln!(out, "| {n} | `cargo test ch{n:02}` | {} | `{file}` |", names.join(", "))
                .expect("a String");
        }
    }
    out.push_str(
        "| 11 | `cargo test ch11` | (none: the whole pipeline, on your code, against the book's run and microgpt.py's) | |\n",
    );
    out
}

/// The directories and files of the workspace that a workbook copies as they are, besides `src/`.
const COPIED: &[&str] = &[
    // The build script splits the built-in corpus (`data/names.txt`) when the crate is compiled.
    "build.rs",
    "Cargo.lock",
    "clippy.toml",
    "rustfmt.toml",
    "data",
    "tests/chapters",
    "tests/data/microgpt",
    "tests/data/one_page",
];

/// Writes a workbook of `mode` for the workspace at `root` into `dir`, which must not exist or be
/// empty (a workbook is never written over a reader's work). Returns the functions it cut.
pub fn write_workbook(root: &Path, dir: &Path, mode: Mode) -> Result<Vec<Cut>, String> {
    if fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(format!(
            "{} exists and is not empty: a workbook goes into a new directory",
            dir.display()
        ));
    }
    let mut cuts = Vec::new();
    let src = root.join("src");
    for path in files_under(&src)? {
        let name = path.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/");
        let source = fs::read_to_string(&path).map_err(|e| format!("{name}: {e}"))?;
        let (mut text, file_cuts) = cut_source(&name, &source, mode)?;
        if name == "src/lib.rs" {
            text = adapt_lib_rs(&text, mode)?;
        }
        write(&dir.join(&name), text.as_bytes())?;
        cuts.extend(file_cuts);
    }
    cuts.sort_by_key(|c| c.chapter);
    for copied in COPIED {
        let from = root.join(copied);
        let files = if from.is_dir() { files_under(&from)? } else { vec![from] };
        for file in files {
            let bytes = fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            write(&dir.join(file.strip_prefix(root).expect("under root")), &bytes)?;
        }
    }
    let mut tests = String::new();
    for file in files_under(&root.join("tests/chapters"))? {
        tests.push_str(&fs::read_to_string(&file).unwrap_or_default());
    }
    let workspace_manifest =
        fs::read_to_string(root.join("Cargo.toml")).map_err(|e| format!("Cargo.toml: {e}"))?;
    write(&dir.join("Cargo.toml"), manifest(&workspace_manifest, &tests)?.as_bytes())?;
    write(&dir.join("README.md"), readme(&cuts, mode).as_bytes())?;
    write(&dir.join(".gitignore"), b"/target\n")?;
    Ok(cuts)
}

/// Every file under `dir`, sorted.
fn files_under(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            files.extend(files_under(&path)?);
        } else {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Writes `bytes` to `path`, creating its directory.
fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "\
use crate::math;

impl Tape {
    /// Not cut.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    // ANCHOR: workbook_ch02
    // ANCHOR: ops
    /// `a + b`; ∂/∂a = 1, ∂/∂b = 1.
    pub fn add(&mut self, a: Var, b: Var) -> Var {
        self.push(self.value(a) + self.value(b), [(a, 1.0), (b, 1.0)])
    }

    /// A sum of `{n}` things,
    /// said on two lines.
    ///
    /// Details the message leaves out.
    #[inline]
    fn sum<I>(&mut self, xs: I) -> Var
    where
        I: IntoIterator,
    {
        let total = 0.0;

        total
    }
    // ANCHOR_END: ops
    // ANCHOR_END: workbook_ch02
}

#[cfg(test)]
mod tests {
    fn a_test() {}
}
";

    #[test]
    fn a_fresh_workbook_replaces_each_marked_body_with_todo_and_its_doc_summary() {
        let (text, cuts) = cut_source("src/value.rs", SOURCE, Mode::Fresh).unwrap();
        assert_eq!(
            cuts.iter().map(|c| (c.function.as_str(), c.message.as_str())).collect::<Vec<_>>(),
            [
                ("Tape::add", "chapter 2, Tape::add: `a + b`; ∂/∂a = 1, ∂/∂b = 1."),
                ("Tape::sum", "chapter 2, Tape::sum: A sum of `{n}` things, said on two lines."),
            ]
        );
        assert!(
            text.contains("        todo!(\"chapter 2, Tape::add: `a + b`; ∂/∂a = 1, ∂/∂b = 1.\")\n    }")
        );
        assert!(text.contains("    {\n        todo!(\"chapter 2, Tape::sum: A sum of `{{n}}` things"));
        assert!(text.contains("        self.data.len()"), "an unmarked body stays");
        assert!(!text.contains("self.push") && !text.contains("let total"), "{text}");
        assert!(!text.contains("ANCHOR") && !text.contains("mod tests") && text.ends_with("}\n"), "{text}");
        assert!(text.contains(
            "// Chapter 2 of the workbook: the bodies below are yours to write (`cargo test ch02`)."
        ));
    }

    #[test]
    fn a_solved_workbook_keeps_every_body_and_drops_the_markers() {
        let (text, cuts) = cut_source("src/value.rs", SOURCE, Mode::Solved).unwrap();
        assert_eq!(cuts.len(), 2);
        assert!(text.contains("self.push") && text.contains("        let total = 0.0;\n\n        total\n"));
        assert!(!text.contains("ANCHOR") && !text.contains("todo!") && !text.contains("Chapter 2"), "{text}");
    }

    #[test]
    fn a_staged_workbook_guards_each_body_by_its_chapter() {
        let (text, _) = cut_source("src/value.rs", SOURCE, Mode::Staged).unwrap();
        assert!(text.contains(
            "        if crate::workbook_solved_through() < 2 {\n            todo!(\"chapter 2, Tape::add: "
        ));
        assert!(text.contains("        }\n        self.push("), "{text}");
    }

    #[test]
    fn a_marked_function_without_a_doc_comment_is_refused() {
        let source = "// ANCHOR: workbook_ch04\nfn f() {\n    1\n}\n// ANCHOR_END: workbook_ch04\n";
        let err = cut_source("src/nn.rs", source, Mode::Fresh).unwrap_err();
        assert_eq!(err, "src/nn.rs:2: `fn f` has no doc comment to tell the reader what to write");
    }

    #[test]
    fn markers_must_pair() {
        let open = "// ANCHOR: workbook_ch04\n/// Doc.\nfn f() {\n    1\n}\n";
        assert!(cut_source("src/nn.rs", open, Mode::Fresh).unwrap_err().contains("is not closed"));
        let stray = "// ANCHOR_END: workbook_ch04\n";
        assert!(cut_source("src/nn.rs", stray, Mode::Fresh).unwrap_err().contains("which was not opened"));
    }

    #[test]
    fn the_owner_of_a_method_is_its_impl_type() {
        let lines = ["impl<V> KvCache<V> {", "    /// Doc.", "    pub fn len(&self) -> usize {"];
        assert_eq!(owner(&lines, 2, 4).as_deref(), Some("KvCache"));
        let lines = ["impl Engine for ScalarEngine {", "    fn row(&mut self) {"];
        assert_eq!(owner(&lines, 1, 4).as_deref(), Some("ScalarEngine"));
    }

    #[test]
    fn the_workbooks_manifest_takes_the_workspaces_dependencies() {
        let workspace = r#"
[workspace]
members = [".", "workbook"]
[workspace.package]
edition = "2024"
rust-version = "1.88"
license = "MIT"
[package]
name = "microgpt"
version = "0.1.0"
edition.workspace = true
rust-version.workspace = true
license.workspace = true
description = "A GPT"
publish = false
default-run = "microgpt"
[features]
default = ["cli"]
cli = ["dep:clap"]
[[bin]]
name = "microgpt"
required-features = ["cli"]
[dependencies]
serde = { version = "1", features = ["derive"] }
clap = { version = "4.6", optional = true }
[target.'cfg(unix)'.dependencies]
libc = "0.2"
[dev-dependencies]
insta = "1.43"
mdbook-driver = "0.5.4"
[profile.test]
opt-level = 3
[profile.test.package.wasmi]
debug-assertions = false
"#;
        let got = manifest(workspace, "insta::assert_snapshot!(report);").unwrap();
        for line in [
            "name = \"microgpt\"",
            "edition = \"2024\"",
            "default-run = \"microgpt\"",
            "[workspace]",
            "serde = { features = [\"derive\"], version = \"1\" }",
            "clap = { optional = true, version = \"4.6\" }",
            "required-features = [\"cli\"]",
            "[target.\"cfg(unix)\".dependencies]\nlibc = \"0.2\"",
            "insta = \"1.43\"",
            "[profile.test]\nopt-level = 3",
        ] {
            assert!(got.contains(line), "no `{line}` in\n{got}");
        }
        assert!(!got.contains("mdbook") && !got.contains("wasmi"), "{got}");
        assert!(got.parse::<toml::Table>().is_ok(), "{got}");
    }
}
