//! Records what a build is made of, for `ldenrich --version` and the run log: the compiler and
//! the versions of the crates that decide speed and results (from the workspace's Cargo.lock).

use std::path::Path;
use std::process::Command;

const REPORTED: [&str; 7] = ["flate2", "zlib-rs", "isal-rs", "faer", "rayon", "statrs", "memchr"];

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "rustc (unknown version)".into());
    println!("cargo:rustc-env=LDENRICH_RUSTC_VERSION={version}");

    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let lock = Path::new(&manifest).join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    let mut versions = Vec::new();
    // Cargo.lock lists `name = "..."` then `version = "..."` for each package.
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(name) = line.strip_prefix("name = \"").and_then(|s| s.strip_suffix('"')) {
            // The lock lists isal-rs whether or not the `isal` feature is on.
            let linked = name != "isal-rs" || std::env::var_os("CARGO_FEATURE_ISAL").is_some();
            if REPORTED.contains(&name) && linked {
                if let Some(v) =
                    lines.next().and_then(|l| l.strip_prefix("version = \"")).and_then(|s| s.strip_suffix('"'))
                {
                    versions.push(format!("{name} {v}"));
                }
            }
        }
    }
    println!("cargo:rustc-env=LDENRICH_DEPENDENCY_VERSIONS={}", versions.join(", "));
}
