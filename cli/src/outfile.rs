//! `--output FILE` done safely: where the download is written, and how
//! it is put in place.
//!
//! - An absent path or a regular file: the body goes to a new partial
//!   file in the same folder, created exclusively (a link planted at its
//!   name is never followed), and is renamed onto the path only when
//!   complete. An absent path is linked into place, so a file that
//!   appears meanwhile is never replaced.
//! - A FIFO, a terminal or another character device (`/dev/stdout`,
//!   `/dev/null`), also through a symbolic link: the body is written into
//!   it; the entry is never replaced.
//! - Anything else (a directory, a link to a regular file or to nothing,
//!   a socket or block device) is refused before anything is sent.
//!
//! Only the partial file this run created is ever deleted.

use super::exit::Failure;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Where a download is being written.
#[derive(Debug)]
pub struct Target {
    path: PathBuf,
    /// The partial file this run created, renamed onto `path` at the end;
    /// `None` when writing straight into a special file.
    partial: Option<PathBuf>,
    /// `path` existed as a regular file when the download started.
    replaces: bool,
}

fn refused(path: &Path, why: impl std::fmt::Display) -> Failure {
    Failure::usage(format!("--output {}: {why}", path.display()))
}

/// Whether a file type is one the body is written into rather than
/// replaced.
#[cfg(unix)]
fn is_stream(t: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    t.is_fifo() || t.is_char_device()
}

#[cfg(not(unix))]
fn is_stream(_: &std::fs::FileType) -> bool {
    false
}

impl Target {
    /// Opens the place to write the download of `path` to (see the
    /// module docs). Fails with a usage error, before anything is sent,
    /// for paths that cannot be written safely.
    pub fn open(path: &Path) -> Result<(Target, File), Failure> {
        let Some(name) = path.file_name() else {
            return Err(refused(path, "not a file name"));
        };
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Self::partial(path, name, false),
            Err(e) => Err(refused(path, e)),
            Ok(m) if m.file_type().is_file() => Self::partial(path, name, true),
            Ok(m) if m.file_type().is_dir() => Err(refused(path, "is a directory")),
            Ok(m) => {
                // A special file, or a link: write into what it names when
                // that is a stream (FIFO, terminal, /dev/null ...).
                let target = std::fs::metadata(path).map_err(|e| refused(path, e))?;
                if !is_stream(&target.file_type()) {
                    let what = if m.file_type().is_symlink() {
                        "is a symbolic link (give the path it points to)"
                    } else {
                        "is not a regular file, FIFO or character device"
                    };
                    return Err(refused(path, what));
                }
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| refused(path, e))?;
                Ok((
                    Target {
                        path: path.to_path_buf(),
                        partial: None,
                        replaces: false,
                    },
                    file,
                ))
            }
        }
    }

    /// Creates a new partial file beside `path`, exclusively.
    fn partial(
        path: &Path,
        name: &std::ffi::OsStr,
        replaces: bool,
    ) -> Result<(Target, File), Failure> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut last = None;
        for n in 0..16u32 {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let partial = dir.join(format!(
                ".{}.{}-{n}-{stamp:08x}.part",
                name.to_string_lossy(),
                std::process::id()
            ));
            // create_new: O_CREAT|O_EXCL, which never follows a link.
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&partial)
            {
                Ok(file) => {
                    if replaces {
                        // The new file keeps the old one's permissions.
                        if let Ok(m) = std::fs::metadata(path) {
                            let _ = file.set_permissions(m.permissions());
                        }
                    }
                    return Ok((
                        Target {
                            path: path.to_path_buf(),
                            partial: Some(partial),
                            replaces,
                        },
                        file,
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => {
                    return Err(refused(
                        path,
                        format!("cannot create a file in {}: {e}", dir.display()),
                    ))
                }
            }
        }
        Err(refused(
            path,
            format!(
                "cannot create a partial file in {}: {}",
                dir.display(),
                last.map_or_else(String::new, |e| e.to_string())
            ),
        ))
    }

    /// The download is complete: the partial file takes the path's
    /// place. A path that changed meanwhile (it appeared, or is no longer
    /// a regular file) is not replaced; the partial file is deleted.
    pub fn commit(self) -> Result<(), Failure> {
        let Some(partial) = &self.partial else {
            return Ok(());
        };
        let result = if self.replaces {
            match std::fs::symlink_metadata(&self.path) {
                Ok(m) if m.file_type().is_file() => std::fs::rename(partial, &self.path),
                Ok(_) => Err(io::Error::other(
                    "it is no longer a regular file; not replaced",
                )),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    Self::link_new(partial, &self.path)
                }
                Err(e) => Err(e),
            }
        } else {
            Self::link_new(partial, &self.path)
        };
        match result {
            Ok(()) => {
                // After a hard link the partial name is still there.
                let _ = std::fs::remove_file(partial);
                Ok(())
            }
            Err(e) => {
                let _ = std::fs::remove_file(partial);
                Err(Failure::broken(format!(
                    "--output {}: {e}",
                    self.path.display()
                )))
            }
        }
    }

    /// Puts `partial` at the absent `path` without replacing anything
    /// that appeared there: a hard link fails when the name exists.
    fn link_new(partial: &Path, path: &Path) -> io::Result<()> {
        match std::fs::hard_link(partial, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(io::Error::other(
                "a file appeared there during the download; not replaced",
            )),
            // A file system without hard links: rename, when the name is
            // still free.
            Err(_) if std::fs::symlink_metadata(path).is_err() => std::fs::rename(partial, path),
            Err(e) => Err(e),
        }
    }

    /// The download failed or was not wanted: delete the partial file
    /// (never anything else).
    pub fn abandon(self) {
        if let Some(partial) = &self.partial {
            let _ = std::fs::remove_file(partial);
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::Write;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn new_file_appears_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bin");
        let (t, mut f) = Target::open(&path).unwrap();
        f.write_all(b"data").unwrap();
        assert!(!path.exists());
        t.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"data");
        assert_eq!(entries(dir.path()), ["out.bin"]);
    }

    #[test]
    fn a_planted_link_at_the_old_partial_name_is_not_followed_nor_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        let path = dir.path().join("out.bin");
        std::os::unix::fs::symlink(&victim, dir.path().join("out.bin.part")).unwrap();
        let (t, mut f) = Target::open(&path).unwrap();
        f.write_all(b"new").unwrap();
        t.commit().unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert!(std::fs::symlink_metadata(dir.path().join("out.bin.part")).is_ok());
    }

    #[test]
    fn a_users_own_part_file_survives_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bin");
        std::fs::write(dir.path().join("out.bin.part"), b"mine").unwrap();
        let (t, _f) = Target::open(&path).unwrap();
        t.abandon();
        assert_eq!(entries(dir.path()), ["out.bin.part"]);
        assert_eq!(
            std::fs::read(dir.path().join("out.bin.part")).unwrap(),
            b"mine"
        );
    }

    #[test]
    fn a_regular_file_is_replaced_with_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bin");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let (t, mut f) = Target::open(&path).unwrap();
        f.write_all(b"new").unwrap();
        t.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(entries(dir.path()), ["out.bin"]);
    }

    #[test]
    fn links_directories_and_sockets_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, b"keep").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let e = Target::open(&link).unwrap_err();
        assert!(e.message.contains("symbolic link"), "{}", e.message);
        let e = Target::open(dir.path()).unwrap_err();
        assert!(e.message.contains("directory"), "{}", e.message);
        let sock = dir.path().join("sock");
        let _l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let e = Target::open(&sock).unwrap_err();
        assert!(e.message.contains("not a regular file"), "{}", e.message);
        assert_eq!(std::fs::read(&file).unwrap(), b"keep");
        assert_eq!(entries(dir.path()), ["file", "link", "sock"]);
    }

    #[test]
    fn a_character_device_is_written_into_not_replaced() {
        let (t, mut f) = Target::open(Path::new("/dev/null")).unwrap();
        f.write_all(b"gone").unwrap();
        t.commit().unwrap();
        let m = std::fs::symlink_metadata("/dev/null").unwrap();
        assert!(is_stream(&m.file_type()));
    }

    #[test]
    fn a_file_appearing_meanwhile_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bin");
        let (t, mut f) = Target::open(&path).unwrap();
        f.write_all(b"new").unwrap();
        std::fs::write(&path, b"theirs").unwrap();
        let e = t.commit().unwrap_err();
        assert!(e.message.contains("appeared"), "{}", e.message);
        assert_eq!(std::fs::read(&path).unwrap(), b"theirs");
        assert_eq!(entries(dir.path()), ["out.bin"]);
    }
}
