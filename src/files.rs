//! # Files: reading whole, writing all or nothing
//!
//! The library touches the file system in two places, the corpus ([`data`](crate::data)) and the
//! checkpoint ([`checkpoint`](crate::checkpoint)), and the command line writes one more file, the loss
//! log. They share what this module does: read a file whole with an error that names it, check
//! before a long run that an output path can be written, and write so that a crash or a full disk
//! never leaves half a file behind.

use crate::error::{Error, Result};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The bytes of the file at `path`; a file that cannot be read is an [`Error::Io`] naming it.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| Error::io(path, &e))
}

/// The directory `path` would be written into: its parent, or `.` for a bare file name.
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Checks that the directory `path` would be written into exists, so a run can fail before it
/// trains rather than after.
pub fn check_writable(path: &Path) -> Result<()> {
    let dir = parent_dir(path);
    if path.file_name().is_none() {
        return Err(Error::Io { path: path.display().to_string(), message: "not a file name".into() });
    }
    if !dir.is_dir() {
        return Err(Error::Io {
            path: path.display().to_string(),
            message: format!("cannot write there: the directory {} does not exist", dir.display()),
        });
    }
    Ok(())
}

// ANCHOR: write_atomic
/// Writes `bytes` to `path` so that, whatever happens, `path` holds either its old content or all of
/// `bytes`: write a temporary file in the same directory, flush it to disk, rename it over `path`.
///
/// A rename within one directory is atomic on the file systems we care about, and doing it in the
/// same directory keeps it on one file system. On failure the temporary file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    check_writable(path)?;
    let dir = parent_dir(path);
    let (tmp, mut file) = create_temp(dir, path).map_err(|e| Error::io(path, &e))?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all()).and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, &e));
    }
    // Best effort, so the rename itself survives a power cut; not every platform opens directories.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
// ANCHOR_END: write_atomic

/// A new file `.NAME.PID.N.tmp` beside `path`, created only if no such file exists.
fn create_temp(dir: &Path, path: &Path) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut attempts = 0;
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            // Left behind by an earlier process that had the same id: try the next number.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 100 => attempts += 1,
            Err(e) => return Err(e),
        }
    }
}
