//! Compile-fail tests: shape errors are compile errors with readable messages.
//! Each `tests/ui/*.rs` holds one error; its `.stderr` is the pinned message
//! (regenerate with `TRYBUILD=overwrite cargo test --test ui` after reading
//! the new output).

#[test]
fn shape_errors_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
