//! git, run as a process as the EB CLI does (`ebcli/objects/sourcecontrol.py`), never as a
//! library: what ships is what the user's own git says HEAD is.
//!
//! Every run goes through `Command::output()`, which captures both of git's streams: a child left
//! to inherit them would write on the terminal the UI draws on. `GIT_OPTIONAL_LOCKS=0` keeps
//! `git status` from taking the index lock, so a bundle never gets in the way of the user's own
//! git commands.

use std::ffi::OsStr;
use std::io;
use std::path::Path;
use std::process::{Command, Output};

use super::{BundleError, GitState};

/// Whether a directory is in a git work tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tree {
    NotGit,
    WorkTree,
}

enum RunError {
    /// No `git` to run.
    Missing,
    Io(io::Error),
}

fn run<I, S>(dir: &Path, args: I) -> Result<Output, RunError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => RunError::Missing,
            _ => RunError::Io(e),
        })
}

/// git's complaint, on one line.
fn complaint(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        format!("git exited with {}", out.status)
    } else {
        text
    }
}

fn missing(dir: &Path) -> BundleError {
    BundleError(format!(
        "{} is in a git repository but git is not installed: install git, or add an \
         .ebignore to ship the working tree",
        dir.display()
    ))
}

fn cannot_run(dir: &Path, e: &io::Error) -> BundleError {
    BundleError(format!("cannot run git in {}: {e}", dir.display()))
}

/// Run git and return its output when it succeeds; anything else is an error naming the command.
fn run_ok(dir: &Path, args: &[&str]) -> Result<Vec<u8>, BundleError> {
    match run(dir, args) {
        Ok(out) if out.status.success() => Ok(out.stdout),
        Ok(out) => Err(BundleError(format!(
            "`git {}` failed in {}: {}",
            args.join(" "),
            dir.display(),
            complaint(&out)
        ))),
        Err(RunError::Missing) => Err(missing(dir)),
        Err(RunError::Io(e)) => Err(cannot_run(dir, &e)),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_string()
}

/// Whether `dir` is in a git work tree. A `.git` that git cannot be run on (git missing, or git
/// refusing the repository, e.g. "dubious ownership") is an error rather than "not git": shipping
/// the whole directory, `.git` included, would not be what the user meant.
pub(super) fn probe(dir: &Path) -> Result<Tree, BundleError> {
    match run(dir, ["rev-parse", "--is-inside-work-tree"]) {
        Ok(out) if out.status.success() => Ok(if text(&out.stdout) == "true" {
            Tree::WorkTree
        } else {
            Tree::NotGit
        }),
        Ok(out) if has_dot_git(dir) => Err(BundleError(format!(
            "git cannot read the repository of {}: {}: fix that, or add an .ebignore to ship \
             the working tree",
            dir.display(),
            complaint(&out)
        ))),
        Ok(_) => Ok(Tree::NotGit),
        Err(RunError::Missing) if has_dot_git(dir) => Err(missing(dir)),
        Err(RunError::Missing) => Ok(Tree::NotGit),
        Err(RunError::Io(e)) => Err(cannot_run(dir, &e)),
    }
}

/// Whether `dir` or a folder above it holds `.git` (a directory, or a file for a linked work tree
/// or a submodule).
fn has_dot_git(dir: &Path) -> bool {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    dir.ancestors()
        .any(|d| d.join(".git").symlink_metadata().is_ok())
}

/// HEAD of the work tree `dir` is in; `None` when HEAD has no commit yet.
pub(super) fn state(dir: &Path) -> Result<Option<GitState>, BundleError> {
    let commit = match run(dir, ["rev-parse", "--verify", "-q", "--short", "HEAD"]) {
        Ok(out) if out.status.success() => text(&out.stdout),
        Ok(_) => return Ok(None),
        Err(RunError::Missing) => return Err(missing(dir)),
        Err(RunError::Io(e)) => return Err(cannot_run(dir, &e)),
    };
    // The EB CLI's own call: `git describe --always --abbrev=4`.
    let describe = text(&run_ok(dir, &["describe", "--always", "--abbrev=4"])?);
    let branch = match run(dir, ["symbolic-ref", "-q", "--short", "HEAD"]) {
        Ok(out) if out.status.success() => Some(text(&out.stdout)).filter(|b| !b.is_empty()),
        _ => None,
    };
    let status = run_ok(
        dir,
        &[
            "status",
            "--porcelain",
            "-z",
            "--untracked-files=all",
            "--",
            ".",
        ],
    )?;
    Ok(Some(GitState {
        commit,
        describe,
        branch,
        uncommitted: count_status(&status),
    }))
}

/// git could not be started: not installed (the fix: install it, or add an `.ebignore`), or
/// another reason, named.
pub(super) fn spawn_failed(dir: &Path, e: &io::Error) -> BundleError {
    match e.kind() {
        io::ErrorKind::NotFound => missing(dir),
        _ => cannot_run(dir, e),
    }
}

/// Entries of `git status --porcelain -z`: `XY path\0`, and a rename or copy carries its old path
/// as one more field.
fn count_status(out: &[u8]) -> usize {
    let mut fields = out.split(|b| *b == 0).filter(|f| !f.is_empty());
    let mut count = 0;
    while let Some(field) = fields.next() {
        count += 1;
        let xy = &field[..field.len().min(2)];
        if xy.iter().any(|c| matches!(c, b'R' | b'C')) {
            fields.next();
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_count_once() {
        let out = b"R  new.txt\0old.txt\0 M a.txt\0?? b/c.txt\0";
        assert_eq!(count_status(out), 3);
        assert_eq!(count_status(b""), 0);
    }
}
