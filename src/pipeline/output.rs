//! The output folder: what tfsynth writes, and the promises it keeps while doing so.
//!
//! - **Owned.** A manifest (`.tfsynth-manifest.json`) lists every file tfsynth wrote. Files it
//!   did not write are never deleted, replaced or reported. A folder that is not empty and has
//!   no manifest is refused unless the caller allows it explicitly.
//! - **One run at a time.** An advisory lock (`.tfsynth.lock`) is held while writing; a second
//!   run waits for the first. A run that gave up removes the lock file it made; one waiting on
//!   it then locks afresh, so a lock is only ever held on the file at the lock's path.
//! - **All or nothing while staging.** Every file is first written to a temporary file next to
//!   its target ([`Staging`], as each stack passes its checks); if a stack or a write fails, the
//!   temporary files, the folders made for them and what was made for the lock are removed, and
//!   nothing else has changed. Then each file is renamed into place, so it is either its old or
//!   its new contents at every moment.
//! - **No surprises.** Files are created with the mode the umask gives; unchanged files are not
//!   rewritten (their mtime is kept); symbolic links inside the folder are refused, never
//!   written through or removed; a stack folder never holds both formats.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::Rendered;
use crate::error::{Error, Result};
use crate::render::Format;

/// The manifest's file name, in the output folder's root.
pub const MANIFEST: &str = ".tfsynth-manifest.json";
/// The lock file's name, in the output folder's root.
const LOCK: &str = ".tfsynth.lock";
/// Temporary files start with this, so a later run can recognise its own.
const TEMP_PREFIX: &str = ".tfsynth-tmp-";

/// How [`write()`] treats the folder.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Remove files of the manifest that this write does not produce, and temporary files
    /// left by interrupted runs.
    pub prune: bool,
    /// Write into a folder that is not empty although tfsynth never wrote there (its files
    /// are left alone).
    pub allow_unowned: bool,
}

/// What happened to one file, relative to the output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Written with new contents.
    Wrote,
    /// Already held these contents; not touched.
    Unchanged,
    /// Removed: the same stack and environment is now written in the other format.
    ReplacedFormat,
    /// Removed with `prune`: no stack produces it any more.
    Pruned,
    /// Removed with `prune`: a temporary file of an interrupted run.
    TemporaryRemoved,
    /// Not produced any more, kept because `prune` was not asked for.
    Stale,
    /// A leftover temporary file, kept because `prune` was not asked for.
    TemporaryLeft,
}

/// Every file a write touched or noticed, in path order per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// `(path relative to the folder, what happened)`.
    pub changes: Vec<(PathBuf, Change)>,
}

/// The output folder `root`, checked: it is (or will be) a folder, and tfsynth owns it or may
/// write into it.
#[derive(Debug)]
pub struct OutputFolder {
    root: PathBuf,
    allow_unowned: bool,
}

/// An output folder whose lock this process holds.
#[derive(Debug)]
pub struct Locked {
    root: PathBuf,
    owned: BTreeSet<PathBuf>,
    // Nothing but the lock file was there: no file to compare, link to refuse, or leftover
    // to look for.
    empty: bool,
    // What this run made to hold the lock (the folder, the lock file): a staging given up
    // removes it again.
    made: Made,
    // Held for its lock; released when dropped.
    _lock: File,
}

impl OutputFolder {
    /// Checks `root`. A file there, or a folder with files tfsynth did not write (no manifest)
    /// unless `allow_unowned`, is an [`Error::Output`]; nothing is created yet. In a folder
    /// with a lock file the ownership check waits for the lock (another run may be writing).
    pub fn open(root: &Path, allow_unowned: bool) -> Result<Self> {
        match std::fs::metadata(root) {
            Ok(m) if !m.is_dir() => {
                return Err(Error::Output {
                    path: root.to_owned(),
                    problem: "exists and is not a folder; choose another --out".to_owned(),
                });
            }
            // With a lock file, another run may be writing its first files right now: the
            // check waits for the lock (see `locked`).
            Ok(_) if !root.join(LOCK).exists() => check_owned(root, allow_unowned, || holds_only_leftovers(root))?,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(root, e)),
        }
        Ok(Self { root: root.to_owned(), allow_unowned })
    }

    /// The lock, if no other run holds it.
    #[cfg(feature = "cli")]
    pub fn try_lock(&self) -> Result<Option<Locked>> {
        self.lock_with(|file| match file.try_lock() {
            Ok(()) => Ok(true),
            Err(std::fs::TryLockError::WouldBlock) => Ok(false),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        })
    }

    /// The lock, waiting for another run to finish.
    ///
    /// # Panics
    ///
    /// Never: a lock waited for is always taken.
    pub fn lock(&self) -> Result<Locked> {
        let locked = self.lock_with(|file| file.lock().map(|()| true))?;
        Ok(locked.expect("a lock waited for is always taken"))
    }

    /// Takes the lock file's lock with `take` (`false`: another run holds it), afresh for as
    /// long as the file locked is no longer the one at the lock's path (see `locked`).
    fn lock_with(&self, take: impl Fn(&File) -> std::io::Result<bool>) -> Result<Option<Locked>> {
        loop {
            let (file, made) = self.lock_file()?;
            if !take(&file).map_err(|e| Error::io(self.root.join(LOCK), e))? {
                return Ok(None);
            }
            if let Some(locked) = self.locked(file, made)? {
                return Ok(Some(locked));
            }
        }
    }

    /// The lock file, and what was made for it.
    fn lock_file(&self) -> Result<(File, Made)> {
        let folder = std::fs::symlink_metadata(&self.root).is_err();
        std::fs::create_dir_all(&self.root).map_err(|e| Error::io(&self.root, e))?;
        let path = self.root.join(LOCK);
        let open = |new| OpenOptions::new().create_new(new).create(!new).truncate(false).write(true).open(&path);
        let (file, lock) = match open(true) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => (open(false), false),
            made => (made, true),
        };
        Ok((file.map_err(|e| Error::io(&path, e))?, Made { folder, lock }))
    }

    /// The folder under `lock`; `None` when the lock file is no longer at its path: the run
    /// this one waited for gave up and removed the lock file (and folder) it had made. A lock
    /// on a removed file keeps nobody out, so the caller locks afresh.
    fn locked(&self, lock: File, made: Made) -> Result<Option<Locked>> {
        if !is_at(&lock, &self.root.join(LOCK)) {
            return Ok(None);
        }
        // Read under the lock: another run may have written it while this one waited.
        let empty = holds_only_the_lock(&self.root)?;
        let owned = if empty {
            BTreeSet::new()
        } else {
            check_owned(&self.root, self.allow_unowned, || holds_only_leftovers(&self.root))?;
            read_manifest(&self.root)?
        };
        Ok(Some(Locked { root: self.root.clone(), owned, empty, made, _lock: lock }))
    }
}

/// Whether `file` is the file at `path` (not one removed, or replaced, since it was opened).
#[cfg(unix)]
fn is_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(held), Ok(there)) => (held.dev(), held.ino()) == (there.dev(), there.ino()),
        _ => false,
    }
}

/// Whether `file` is the file at `path`: elsewhere a file's identity is not compared, only
/// that the path still holds one.
#[cfg(not(unix))]
fn is_at(_file: &File, path: &Path) -> bool {
    path.is_file()
}

/// Whether `root` holds nothing but (perhaps) the lock file.
fn holds_only_the_lock(root: &Path) -> Result<bool> {
    let mut entries = std::fs::read_dir(root).map_err(|e| Error::io(root, e))?;
    Ok(entries.all(|e| e.is_ok_and(|e| e.file_name() == LOCK)))
}

/// Whether `root` holds nothing but what an interrupted first run leaves: the lock file,
/// temporary files and the folders made for them. Such a folder is tfsynth's, manifest or not.
fn holds_only_leftovers(root: &Path) -> Result<bool> {
    for entry in walkdir::WalkDir::new(root).min_depth(1).follow_links(false) {
        let entry = entry.map_err(|e| Error::io(root, e.into()))?;
        let name = entry.file_name().to_string_lossy();
        let ours = entry.file_type().is_dir()
            || (entry.file_type().is_file() && (name.starts_with(TEMP_PREFIX) || (entry.depth() == 1 && name == LOCK)));
        if !ours {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A folder with files but no manifest is not tfsynth's: refused unless `allow_unowned`.
/// `ours` says whether it holds nothing but an interrupted run's leftovers, asked only when
/// needed.
fn check_owned(root: &Path, allow_unowned: bool, ours: impl FnOnce() -> Result<bool>) -> Result<()> {
    if allow_unowned || root.join(MANIFEST).is_file() || ours()? {
        return Ok(());
    }
    Err(Error::Output {
        path: root.to_owned(),
        problem: format!(
            "is not empty and tfsynth did not write it (no {MANIFEST}); choose a new or empty folder, or pass --allow-unowned-files to write next to the files there (tfsynth never replaces or deletes a file it did not write)"
        ),
    })
}

/// Writes `files` into `root` as `tfsynth synth` does, waiting for another run's lock.
/// With `prune`, owned files this write does not produce are removed.
pub fn write(root: &Path, files: &[Rendered], options: &WriteOptions) -> Result<WriteReport> {
    let targets: BTreeSet<PathBuf> = files.iter().map(Rendered::relative_path).collect();
    OutputFolder::open(root, options.allow_unowned)?.lock()?.write(files, options.prune, |p| targets.contains(p))
}

impl Locked {
    /// Writes `files`. `produced` says whether a file of the manifest is still produced by
    /// some stack (in any environment or format); with `prune` the others are removed.
    pub fn write(self, files: &[Rendered], prune: bool, produced: impl Fn(&Path) -> bool) -> Result<WriteReport> {
        let staging = self.staging();
        let targets = files.iter().map(|file| staging.stage(file)).collect::<Result<Vec<_>>>()?;
        staging.commit(&targets, prune, produced)
    }

    /// Stages files as they are rendered, from any thread, for one [`Staging::commit`].
    pub fn staging(self) -> Staging {
        Staging { locked: self, staged: Mutex::default(), committed: false }
    }

    /// Refuses a path under the root that goes through (or is) a symbolic link.
    fn refuse_links(&self, relative: &Path) -> Result<()> {
        let mut path = self.root.clone();
        for part in relative.components() {
            path.push(part);
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                let problem = "is a symbolic link; tfsynth writes only real files and folders inside the output folder: remove the link or choose another --out";
                return Err(Error::Output { path, problem: problem.into() });
            }
        }
        Ok(())
    }

    /// Removes the other format's file from every stack folder written now, if tfsynth wrote it.
    fn replace_formats(&mut self, targets: &[PathBuf], report: &mut WriteReport) -> Result<()> {
        for target in targets {
            for other in Format::ALL.into_iter().filter(|f| !target.ends_with(f.file_name())) {
                let relative = target.with_file_name(other.file_name());
                if self.owned.contains(&relative) && self.remove(&relative)? {
                    report.changes.push((relative, Change::ReplacedFormat));
                }
            }
        }
        Ok(())
    }

    /// Owned files no stack produces any more: removed with `prune`, reported without.
    fn stale(
        &mut self,
        before: &BTreeSet<PathBuf>,
        targets: &[PathBuf],
        prune: bool,
        produced: &impl Fn(&Path) -> bool,
        report: &mut WriteReport,
    ) -> Result<()> {
        for relative in before {
            if targets.contains(relative) || produced(relative) || !self.owned.contains(relative) {
                continue;
            }
            if !prune {
                report.changes.push((relative.clone(), Change::Stale));
            } else if self.remove(relative)? {
                report.changes.push((relative.clone(), Change::Pruned));
            }
        }
        Ok(())
    }

    /// Temporary files of interrupted runs (no other run can be writing: the lock is held).
    fn temporaries(&self, prune: bool, report: &mut WriteReport) -> Result<()> {
        let walk = walkdir::WalkDir::new(&self.root).follow_links(false).sort_by_file_name();
        for entry in walk.into_iter().filter_map(std::result::Result::ok) {
            let is_temp = entry.file_type().is_file() && entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX);
            if !is_temp {
                continue;
            }
            let relative = entry.path().strip_prefix(&self.root).unwrap_or(entry.path()).to_owned();
            if prune {
                std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
                report.changes.push((relative, Change::TemporaryRemoved));
            } else {
                report.changes.push((relative, Change::TemporaryLeft));
            }
        }
        Ok(())
    }

    /// Removes an owned file (never a link) and the folders it leaves empty; whether a file
    /// was there.
    fn remove(&mut self, relative: &Path) -> Result<bool> {
        self.owned.remove(relative);
        let path = self.root.join(relative);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() => std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?,
            _ => return Ok(false),
        }
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != self.root && d.starts_with(&self.root)) {
            // Fails, harmlessly, when the folder still holds something.
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
        Ok(true)
    }

    fn save_manifest(&self) -> Result<()> {
        let files: Vec<String> = self.owned.iter().map(|p| slashes(p)).collect();
        let doc = serde_json::json!({
            "//": "Files tfsynth wrote here; it never deletes or replaces any other file. Do not edit.",
            "files": files,
        });
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
        let temp = temp_file(&self.root, text.as_bytes())?;
        let path = self.root.join(MANIFEST);
        std::fs::rename(&temp, &path).map_err(|e| Error::io(path, e))
    }
}

/// What a run made to hold an output folder's lock.
#[derive(Debug, Clone, Copy)]
struct Made {
    folder: bool,
    lock: bool,
}

/// Files on their way into a locked folder: each is written to a temporary file next to its
/// target as soon as it is rendered, by the thread that rendered it. Nothing shows until
/// [`commit`](Self::commit); dropped without it (a stack failed, or a write did), the
/// temporary files and the folders made for them are removed, and the lock file and folder
/// when this run made them.
#[derive(Debug)]
pub struct Staging {
    locked: Locked,
    staged: Mutex<Staged>,
    committed: bool,
}

/// What staging did so far.
#[derive(Debug, Default)]
struct Staged {
    /// By target: its temporary file, or `None` when it already holds these contents.
    files: Vec<(PathBuf, Option<PathBuf>)>,
    /// The folders made, outermost first.
    made: Vec<PathBuf>,
}

impl Staging {
    fn staged(&self) -> MutexGuard<'_, Staged> {
        self.staged.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes `file` to a temporary file next to its target, unless the target already holds
    /// its contents; returns the target, relative to the folder.
    pub fn stage(&self, file: &Rendered) -> Result<PathBuf> {
        let Locked { root, empty, owned, .. } = &self.locked;
        let relative = file.relative_path();
        let path = root.join(&relative);
        if !empty {
            self.locked.refuse_links(&relative)?;
            // A file tfsynth did not write is never replaced, nor taken over when it happens
            // to hold the same contents (a later format switch or prune would delete it).
            if !owned.contains(&relative) && std::fs::symlink_metadata(&path).is_ok() {
                let problem = "exists and tfsynth did not write it (it is not in the folder's manifest); tfsynth never replaces a file it did not write: move it away or choose another --out";
                return Err(Error::Output { path, problem: problem.into() });
            }
            if std::fs::read(&path).is_ok_and(|old| old == file.contents.as_bytes()) {
                self.staged().files.push((relative.clone(), None));
                return Ok(relative);
            }
        }
        let dir = path.parent().unwrap_or(root);
        make_folders(root, dir, &mut self.staged().made, *empty)?;
        let temp = temp_file(dir, file.contents.as_bytes())?;
        self.staged().files.push((relative.clone(), Some(temp)));
        Ok(relative)
    }

    /// Puts the staged files in place: `targets` (each staged, in the order to report them)
    /// join the manifest, which is saved first, then each is renamed into place. `produced`
    /// says whether a file of the manifest is still produced by some stack (in any
    /// environment or format); with `prune` the others are removed.
    pub fn commit(mut self, targets: &[PathBuf], prune: bool, produced: impl Fn(&Path) -> bool) -> Result<WriteReport> {
        // Staged files stay from here on, even if a rename fails: a later run reports them.
        self.committed = true;
        let staged = std::mem::take(&mut self.staged().files);
        let locked = &mut self.locked;
        let mut report = WriteReport::default();
        // The manifest lists the files before they exist: a kill from here on leaves nothing
        // this run wrote unowned.
        let before = locked.owned.clone();
        locked.owned.extend(targets.iter().cloned());
        locked.save_manifest()?;
        for target in targets {
            let temp = staged.iter().find(|(t, _)| t == target).and_then(|(_, temp)| temp.as_ref());
            let Some(temp) = temp else {
                report.changes.push((target.clone(), Change::Unchanged));
                continue;
            };
            let path = locked.root.join(target);
            std::fs::rename(temp, &path).map_err(|e| Error::io(path, e))?;
            report.changes.push((target.clone(), Change::Wrote));
        }
        let listed = locked.owned.clone();
        locked.replace_formats(targets, &mut report)?;
        locked.stale(&before, targets, prune, &produced, &mut report)?;
        if !locked.empty {
            locked.temporaries(prune, &mut report)?;
        }
        // Rewritten only if files were removed since (each write is a new file and a rename).
        if locked.owned != listed {
            locked.save_manifest()?;
        }
        Ok(report)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let staged = self.staged.get_mut().unwrap_or_else(PoisonError::into_inner);
        for temp in staged.files.iter().filter_map(|(_, temp)| temp.as_ref()) {
            let _ = std::fs::remove_file(temp);
        }
        for dir in staged.made.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
        // Nothing was written, so what this run made for its lock goes too. (A run waiting
        // for the lock meanwhile finds its lock file gone and locks afresh, see `locked`.)
        let Locked { root, made, .. } = &self.locked;
        if made.lock {
            let _ = std::fs::remove_file(root.join(LOCK));
        }
        if made.folder {
            let _ = std::fs::remove_dir(root);
        }
    }
}

/// The files the manifest in `root` lists (none without one).
fn read_manifest(root: &Path) -> Result<BTreeSet<PathBuf>> {
    let path = root.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(e) => return Err(Error::io(path, e)),
    };
    let corrupt = |why: &str| Error::Output {
        path: path.clone(),
        problem: format!("{why}; restore it from version control or delete the folder and synthesize again"),
    };
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|_| corrupt("is not a tfsynth manifest"))?;
    let files = doc["files"].as_array().ok_or_else(|| corrupt("lists no files"))?;
    files
        .iter()
        .map(|f| {
            let p = PathBuf::from(f.as_str().ok_or_else(|| corrupt("lists a file that is not a path"))?);
            // Only plain relative paths: a manifest can never point outside the folder.
            let plain = p.components().all(|c| matches!(c, Component::Normal(_)));
            if plain { Ok(p) } else { Err(corrupt(&format!("lists `{}`, which is outside the folder", p.display()))) }
        })
        .collect()
}

/// Creates the folders from `root` down to `dir`, recording each one made. In a root that
/// was `empty`, only the folders made are there.
fn make_folders(root: &Path, dir: &Path, made: &mut Vec<PathBuf>, empty: bool) -> Result<()> {
    let mut path = root.to_owned();
    for part in dir.strip_prefix(root).unwrap_or(dir).components() {
        path.push(part);
        if empty && made.contains(&path) {
            continue;
        }
        let found = if empty { None } else { std::fs::symlink_metadata(&path).ok() };
        match found {
            Some(m) if m.is_dir() => {}
            Some(_) => {
                let problem = "exists and is not a folder, so the stack cannot be written below it; move it away";
                return Err(Error::Output { path, problem: problem.into() });
            }
            None => {
                std::fs::create_dir(&path).map_err(|e| Error::io(&path, e))?;
                made.push(path.clone());
            }
        }
    }
    Ok(())
}

/// Writes `contents` to a new temporary file in `dir`, created as any file the user makes
/// (the mode the umask gives), and returns its path.
fn temp_file(dir: &Path, contents: &[u8]) -> Result<PathBuf> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("{TEMP_PREFIX}{}-{n}", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                if let Err(e) = f.write_all(contents) {
                    let _ = std::fs::remove_file(&path);
                    return Err(Error::io(&path, e));
                }
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
}

/// A relative path with `/` separators, as the manifest stores it.
fn slashes(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run that waited for the lock while the run holding it gave up, removing the lock file
    /// (and the folder) it had made, must not go on under a lock on the removed file: a third
    /// run would find no lock file, make one and write beside it.
    #[test]
    fn a_lock_file_removed_while_waiting_is_locked_afresh() {
        for folder_was_there in [true, false] {
            let dir = tempfile::tempdir().expect("temporary folder");
            let root = dir.path().join("out");
            if folder_was_there {
                std::fs::create_dir(&root).expect("folder");
            }
            let first = OutputFolder::open(&root, false).and_then(|f| f.lock()).expect("first lock").staging();
            let second = OutputFolder::open(&root, false).expect("second run");
            // The second run has opened the lock file and waits on it ...
            let (file, made) = second.lock_file().expect("lock file");
            // ... when the first gives up and takes back what it made.
            drop(first);
            assert!(!root.join(LOCK).exists(), "the first run left its lock file (folder there: {folder_was_there})");
            file.lock().expect("the lock of the removed file");
            assert!(
                second.locked(file, made).expect("no error").is_none(),
                "a lock on the removed lock file was taken as the folder's (folder there: {folder_was_there})"
            );
            let held = second.lock().expect("locked afresh");
            assert!(root.join(LOCK).is_file(), "no lock file after locking afresh");
            let third = OutputFolder::open(&root, false).and_then(|f| f.try_lock()).expect("third run");
            assert!(third.is_none(), "a third run got the lock the second holds (folder there: {folder_was_there})");
            // What the second run made for its lock is its own to take back.
            drop(held.staging());
            assert_eq!(root.exists(), folder_was_there, "the second run's staging left or removed the folder");
        }
    }
}
