//! PLINK-style path arguments that may name a file or a prefix ([`resolve_prefix`]).

use std::path::{Path, PathBuf};

/// Resolves a PLINK-style argument that may be a file or a prefix: `path` itself if it exists,
/// else `path` + `.extension`, else `path` + `.extension.gz`.
pub fn resolve_prefix(path: &Path, extension: &str) -> PathBuf {
    if path.is_file() {
        return path.to_path_buf();
    }
    let mut with_ext = path.as_os_str().to_owned();
    with_ext.push(".");
    with_ext.push(extension);
    let candidate = PathBuf::from(&with_ext);
    if candidate.is_file() {
        return candidate;
    }
    with_ext.push(".gz");
    let gzipped = PathBuf::from(with_ext);
    if gzipped.is_file() {
        gzipped
    } else {
        path.to_path_buf()
    }
}
