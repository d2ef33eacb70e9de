//! Helpers shared by the fuzz targets: the parsers read paths, so each input is written to a
//! file in a per-thread scratch directory (in RAM when `/dev/shm` exists).

use std::io::Write;
use std::path::{Path, PathBuf};

use ldenrich_core::Error;

thread_local! {
    static SCRATCH: PathBuf = {
        let base = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let dir = base.join(format!("ldenrich-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    };
}

/// Writes `bytes` to the scratch file `name` and returns its path.
pub fn write(name: &str, bytes: &[u8]) -> PathBuf {
    SCRATCH.with(|dir| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write input");
        path
    })
}

/// Splits off a control byte (options of the run) and, when its low bit is set, gzips the rest
/// so the decoder sees valid streams as well as the raw (often damaged) ones.
pub fn control_and_body(data: &[u8]) -> (u8, Vec<u8>) {
    let (&control, body) = data.split_first().unwrap_or((&0, &[]));
    if control & 1 == 1 {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(body).expect("in-memory gzip");
        (control, enc.finish().expect("in-memory gzip"))
    } else {
        (control, body.to_vec())
    }
}

/// What every error must do: name the file (its stem), be one line, give a line >= 1 for parse
/// errors, and never be an internal error.
pub fn check_error(e: &Error, file: &Path) {
    let text = e.to_string();
    assert!(!matches!(e, Error::Internal(_)), "internal error: {text}");
    assert!(!text.contains('\n'), "multi-line message: {text}");
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    assert!(text.contains(&stem), "message does not name {}: {text}", file.display());
    if let Error::Parse { line, .. } = e {
        assert!(*line >= 1, "line 0: {text}");
    }
}
