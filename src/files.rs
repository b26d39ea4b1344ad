//! # Files: reading whole, writing all or nothing
//!
//! The library touches the file system in two places, the corpus ([`data`](crate::data)) and the
//! checkpoint ([`checkpoint`](crate::checkpoint)), and the command line writes one more file, the loss
//! log. They share what this module does, and each of its checks happens before any work is done:
//!
//! - [`read`] reads a regular file whole, up to a size limit. A FIFO, a device or a directory is
//!   refused by its type before a byte is read, so `/dev/zero` cannot fill the memory and a FIFO
//!   cannot block forever.
//! - [`check_output`] makes sure, before a long run, that a path can really be written: it is not a
//!   directory, a device, a FIFO or a socket, and a temporary file can be created (and is removed
//!   again) beside it. [`same_file`] compares two paths by the files they name.
//! - [`write_atomic`] writes so that a crash, a full disk or a signal never leaves half a file
//!   behind, and no temporary file either: the temporary file is removed on every error, and
//!   [`remove_temporary_files`] removes one still being written when a signal ends the program.

use crate::error::{Error, Result};
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The bytes of the regular file at `path`, which may hold at most `limit` bytes; `what` names it
/// in the message of a file that is too large ("a corpus").
///
/// Anything else is an [`Error::Io`] naming the path: a file that cannot be opened, one that is
/// not a regular file, or one larger than `limit` (checked before reading, and again while
/// reading, in case the file grows).
pub fn read(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    let fail = |message: String| Error::Io { path: path.display().to_string(), message };
    let file = open_for_reading(path).map_err(|e| Error::io(path, &e))?;
    let metadata = file.metadata().map_err(|e| Error::io(path, &e))?;
    if !metadata.is_file() {
        return Err(fail(format!("{}, not a regular file", kind(&metadata))));
    }
    let too_large =
        |size: u64| fail(format!("{}, more than {what} may have ({})", bytes(size), bytes(limit)));
    if metadata.len() > limit {
        return Err(too_large(metadata.len()));
    }
    let mut content = Vec::with_capacity(metadata.len() as usize);
    file.take(limit + 1).read_to_end(&mut content).map_err(|e| Error::io(path, &e))?;
    if content.len() as u64 > limit {
        return Err(too_large(content.len() as u64));
    }
    Ok(content)
}

/// Opens `path` for reading without waiting: on Unix a FIFO with no writer would otherwise block
/// the open itself, before its type could be checked.
fn open_for_reading(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// What kind of file `metadata` describes, for a message: "a directory", "a FIFO".
fn kind(metadata: &Metadata) -> &'static str {
    let t = metadata.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        } else if t.is_char_device() {
            return "a character device";
        } else if t.is_block_device() {
            return "a block device";
        } else if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// A size for a message: `512 bytes`, `3.2 MiB`, `16 MiB`.
fn bytes(n: u64) -> String {
    const MIB: u64 = 1 << 20;
    match n {
        n if n < 1 << 10 => format!("{n} bytes"),
        n if n < MIB => format!("{:.1} KiB", n as f64 / 1024.0),
        n if n.is_multiple_of(MIB) => format!("{} MiB", n / MIB),
        n => format!("{:.1} MiB", n as f64 / MIB as f64),
    }
}

/// The directory `path` would be written into: its parent, or `.` for a bare file name.
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Checks, before a long run, that [`write_atomic`] will be able to write `path`: it names a file
/// in an existing directory, it is a regular file if it exists (a directory, a device, a FIFO or a
/// socket is never replaced), and a temporary file can be created beside it. The temporary file is
/// removed at once.
pub fn check_output(path: &Path) -> Result<()> {
    let fail = |message: String| Error::Io { path: path.display().to_string(), message };
    if path.file_name().is_none() {
        return Err(fail("not a file name".into()));
    }
    match fs::symlink_metadata(path) {
        // A dangling symbolic link has no target to check: the rename replaces the link.
        Ok(_) => match fs::metadata(path) {
            Ok(metadata) if !metadata.is_file() => {
                return Err(fail(format!("{}: microgpt only writes regular files", kind(&metadata))));
            }
            _ => {}
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        // Too long a name, a path through a file, no permission to look.
        Err(e) => return Err(Error::io(path, &e)),
    }
    let dir = parent_dir(path);
    if !dir.is_dir() {
        let message = format!("cannot write there: the directory {} does not exist", dir.display());
        return Err(fail(message));
    }
    Temporary::create(path).map(drop)
}

/// Whether `a` and `b` name the same file: for files that exist, the same device and inode (so a
/// hard link, a symbolic link or `./x` for `x` are all found); for files still to be written, the
/// same name in the same directory.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (identity(a), identity(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// What [`same_file`] compares.
#[derive(PartialEq)]
enum Identity {
    /// An existing file on Unix: its device and inode.
    #[cfg(unix)]
    Inode(u64, u64),
    /// Elsewhere, or for a file still to be written: its canonical path.
    Path(PathBuf),
}

fn identity(path: &Path) -> Option<Identity> {
    if let Ok(metadata) = fs::metadata(path) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            return Some(Identity::Inode(metadata.dev(), metadata.ino()));
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            return fs::canonicalize(path).ok().map(Identity::Path);
        }
    }
    let dir = fs::canonicalize(parent_dir(path)).ok()?;
    Some(Identity::Path(dir.join(path.file_name()?)))
}

// ANCHOR: write_atomic
/// Writes `bytes` to `path` so that, whatever happens, `path` holds either its old content or all of
/// `bytes`: write a temporary file in the same directory, flush it to disk, rename it over `path`.
///
/// A rename within one directory is atomic on the file systems we care about, and doing it in the
/// same directory keeps it on one file system. On any error the temporary file is removed, and
/// `path` is what it was; an existing `path` that is not a regular file is never replaced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    check_output(path)?;
    // Write through a symbolic link, not over it.
    let path = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut temporary = Temporary::create(&path)?;
    let file = temporary.file();
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|e| Error::io(&path, &e))?;
    temporary.persist(&path)?;
    // Best effort, so the rename itself survives a power cut; not every platform opens directories.
    if let Ok(d) = File::open(parent_dir(&path)) {
        let _ = d.sync_all();
    }
    Ok(())
}
// ANCHOR_END: write_atomic

/// The temporary files being written, so that [`remove_temporary_files`] can find them; `None` once
/// it has run, so that no new one is created after.
static TEMPORARY: Mutex<Option<Vec<PathBuf>>> = Mutex::new(Some(Vec::new()));

/// Removes the temporary files of every write in progress, and makes any later one fail: what the
/// command line does when a signal (Ctrl-C, `kill`) ends it in the middle of a save.
pub fn remove_temporary_files() {
    let mut temporary = TEMPORARY.lock().unwrap_or_else(PoisonError::into_inner);
    for path in temporary.take().unwrap_or_default() {
        let _ = fs::remove_file(path);
    }
}

/// A temporary file `.NAME.XXXXXX.tmp` beside the file `NAME` it will become, removed when dropped
/// unless it was renamed into place.
struct Temporary {
    /// `None` once renamed.
    file: Option<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl Temporary {
    /// Creates the temporary file for `path`, and registers it for [`remove_temporary_files`] in
    /// the same step, so that a signal cannot come between the two.
    fn create(path: &Path) -> Result<Self> {
        let fail = |message: String| Error::Io { path: path.display().to_string(), message };
        let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        // A name at the file system's limit still leaves room for a shorter prefix.
        let prefix: String = std::iter::once('.').chain(name.chars().take(100)).chain(['.']).collect();
        let mut registry = TEMPORARY.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(registered) = registry.as_mut() else {
            return Err(fail("the program is being stopped: nothing more is written".into()));
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            // What a plain `File::create` gives, after the umask, rather than tempfile's private 0600.
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let dir = parent_dir(path);
        let file = builder.tempfile_in(dir).map_err(|e| {
            // The operating system's reason, without the temporary name tempfile adds to it.
            let reason =
                e.raw_os_error().map_or(e.to_string(), |code| io::Error::from_raw_os_error(code).to_string());
            fail(format!("cannot create a file in {}: {reason}", dir.display()))
        })?;
        registered.push(file.path().to_path_buf());
        Ok(Temporary { path: file.path().to_path_buf(), file: Some(file) })
    }

    /// The open temporary file.
    fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("not renamed yet").as_file_mut()
    }

    /// Renames the temporary file to `path`, unless `path` has meanwhile become something other
    /// than a regular file.
    fn persist(mut self, path: &Path) -> Result<()> {
        if let Some(metadata) = fs::metadata(path).ok().filter(|m| !m.is_file()) {
            let message = format!("{}: microgpt only writes regular files", kind(&metadata));
            return Err(Error::Io { path: path.display().to_string(), message });
        }
        let file = self.file.take().expect("not renamed yet");
        // On failure the error holds the file, and dropping it removes it.
        file.persist(path).map(drop).map_err(|e| Error::io(path, &e.error))
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        // The file itself is gone by now: renamed, or removed by `NamedTempFile`'s own drop.
        drop(self.file.take());
        unregister(&self.path);
    }
}

fn unregister(path: &Path) {
    let mut registry = TEMPORARY.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(registered) = registry.as_mut() {
        registered.retain(|p| p != path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_given_in_the_largest_unit_that_fits() {
        assert_eq!(
            [512, 2048, 16 << 20, (3 << 20) + (1 << 19)].map(bytes),
            ["512 bytes", "2.0 KiB", "16 MiB", "3.5 MiB"]
        );
    }
}
