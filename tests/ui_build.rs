//! Shape errors that are post-monomorphization `const` assertions: a
//! hand-written layer type whose output size does not follow from its input
//! (`tests/ui_build/*.rs`). `cargo check` accepts them — it never
//! instantiates the functions — and `cargo build` rejects them with the
//! layer's message. (Types written by `layers!` cannot have these errors; its
//! own errors and every chaining error are ordinary type errors, pinned by
//! `tests/ui.rs`.) Each case is built as a binary of a scratch crate under
//! `target/`, with the same cargo that runs this test.

use std::path::{Path, PathBuf};
use std::process::Command;

const CASES: [(&str, &str); 2] = [
    ("conv_wrong_output_size", "OH and OW must be (H + 2P - K) / S + 1 and (W + 2P - K) / S + 1"),
    ("flatten_wrong_length", "Flatten<H, W, C, N>: N must be the number of input values"),
];

fn scratch_crate() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/ui-build");
    std::fs::create_dir_all(dir.join("src/bin")).unwrap();
    let manifest = format!(
        "[package]\nname = \"ui-build\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nconstnet = {{ path = {:?} }}\n\n[workspace]\n",
        root.display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    for (name, _) in CASES {
        let src = std::fs::read_to_string(root.join(format!("tests/ui_build/{name}.rs"))).unwrap();
        std::fs::write(dir.join(format!("src/bin/{name}.rs")), src).unwrap();
    }
    dir
}

fn cargo(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn post_monomorphization_shape_errors_fail_cargo_build_not_cargo_check() {
    let dir = scratch_crate();
    let (ok, err) = cargo(&dir, &["check", "--quiet", "--bins"]);
    assert!(ok, "cargo check should accept the hand-written types:\n{err}");
    for (name, message) in CASES {
        let (ok, err) = cargo(&dir, &["build", "--quiet", "--bin", name]);
        assert!(!ok, "{name}: cargo build should fail");
        assert!(err.contains(message), "{name}: cargo build failed without the layer's message:\n{err}");
    }
}
