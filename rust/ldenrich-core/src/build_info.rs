//! What this build of the core is made of, so a user can tell which inflate and which CPU
//! features the numbers they measure come from.

/// A build's components and the CPU it runs on.
#[derive(Debug, Clone)]
pub struct BuildInfo {
    /// The crate version.
    pub version: &'static str,
    /// The gzip/BGZF inflate (`"ISA-L"` or `"zlib-rs"`).
    pub inflate: &'static str,
    /// The target architecture the build was compiled for.
    pub arch: &'static str,
    /// SIMD features the compiler was allowed to assume everywhere (the build's CPU baseline).
    pub compiled_features: Vec<&'static str>,
    /// SIMD features of the CPU running the build, which ISA-L and zlib-rs pick at run time.
    pub runtime_features: Vec<&'static str>,
    /// The compiler (`rustc -V`).
    pub rustc: &'static str,
    /// Versions of the crates that decide speed and results.
    pub dependencies: &'static str,
}

/// The components of this build and the features of the running CPU.
pub fn build_info() -> BuildInfo {
    BuildInfo {
        version: crate::VERSION,
        inflate: crate::io::inflate::BACKEND,
        arch: std::env::consts::ARCH,
        compiled_features: compiled_features(),
        runtime_features: runtime_features(),
        rustc: env!("LDENRICH_RUSTC_VERSION"),
        dependencies: env!("LDENRICH_DEPENDENCY_VERSIONS"),
    }
}

fn compiled_features() -> Vec<&'static str> {
    let mut f = Vec::new();
    macro_rules! check {
        ($($name:tt),*) => {$(
            if cfg!(target_feature = $name) {
                f.push($name);
            }
        )*};
    }
    check!("sse2", "ssse3", "sse4.1", "sse4.2", "popcnt", "avx", "avx2", "bmi2", "fma", "avx512f", "neon");
    f
}

#[cfg(target_arch = "x86_64")]
fn runtime_features() -> Vec<&'static str> {
    let mut f = Vec::new();
    macro_rules! detect {
        ($($name:tt),*) => {$(
            if std::is_x86_feature_detected!($name) {
                f.push($name);
            }
        )*};
    }
    detect!("sse4.2", "pclmulqdq", "avx", "avx2", "bmi2", "fma", "avx512f", "avx512bw", "vpclmulqdq");
    f
}

#[cfg(not(target_arch = "x86_64"))]
fn runtime_features() -> Vec<&'static str> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_inflate_the_compiler_and_the_dependencies() {
        let info = build_info();
        assert!(["ISA-L", "zlib-rs"].contains(&info.inflate));
        assert!(info.rustc.starts_with("rustc "), "{}", info.rustc);
        assert!(info.dependencies.contains("faer ") && info.dependencies.contains("rayon "), "{}", info.dependencies);
        #[cfg(target_arch = "x86_64")]
        assert!(info.compiled_features.contains(&"sse2"));
    }
}
