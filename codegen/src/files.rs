//! Pass 7: put the planned files on disk, or (check mode) compare them with what is on
//! disk and show a unified diff for each difference. Writing goes temp-file-then-rename
//! for every file, after everything was generated in memory: a failed run changes nothing.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// How a planned file is treated when it already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Always regenerated; must match exactly in check mode.
    Generated,
    /// Written only when missing; afterwards hand-maintained.
    CreateOnce,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Relative to the workspace root.
    pub path: PathBuf,
    pub contents: String,
    pub policy: Policy,
}

/// One difference found in check mode.
#[derive(Debug, Clone)]
pub struct Stale {
    pub path: PathBuf,
    /// A unified diff (current → expected), or a note that the file is missing.
    pub diff: String,
}

/// Compares `files` with the disk; returns what differs.
pub fn check(root: &Path, files: &[PlannedFile]) -> Vec<Stale> {
    let mut stale = Vec::new();
    for file in files {
        let path = root.join(&file.path);
        match std::fs::read_to_string(&path) {
            Ok(current) if file.policy == Policy::CreateOnce => {
                let _ = current;
            }
            Ok(current) if current == file.contents => {}
            Ok(current) => {
                let old = format!("a/{}", file.path.display());
                let new = format!("b/{}", file.path.display());
                let diff = similar::TextDiff::from_lines(&current, &file.contents)
                    .unified_diff()
                    .context_radius(3)
                    .header(&old, &new)
                    .to_string();
                stale.push(Stale {
                    path: file.path.clone(),
                    diff,
                });
            }
            Err(_) => stale.push(Stale {
                path: file.path.clone(),
                diff: format!("{} is missing\n", file.path.display()),
            }),
        }
    }
    stale
}

/// Writes every file that differs. All contents go to temporary files beside their
/// targets first; only when all of them are written are they renamed into place.
/// Returns the paths that changed.
pub fn write(root: &Path, files: &[PlannedFile]) -> std::io::Result<Vec<PathBuf>> {
    let mut pending: Vec<(PathBuf, PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        for file in files {
            let target = root.join(&file.path);
            match std::fs::read_to_string(&target) {
                Ok(_) if file.policy == Policy::CreateOnce => continue,
                Ok(current) if current == file.contents => continue,
                _ => {}
            }
            let dir = target.parent().unwrap_or(root);
            std::fs::create_dir_all(dir)?;
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let temp = dir.join(format!(".{name}.codegen-tmp"));
            let mut handle = std::fs::File::create(&temp)?;
            handle.write_all(file.contents.as_bytes())?;
            handle.sync_all()?;
            pending.push((temp, target, file.path.clone()));
        }
        Ok::<(), std::io::Error>(())
    })();
    if let Err(e) = result {
        for (temp, _, _) in &pending {
            let _ = std::fs::remove_file(temp);
        }
        return Err(e);
    }
    let mut changed = Vec::new();
    for (temp, target, relative) in pending {
        std::fs::rename(&temp, &target)?;
        changed.push(relative);
    }
    Ok(changed)
}
