//! Output sizes of convolutions and pooling windows, as `const fn`s that the
//! [`layers!`](crate::layers!) macro evaluates while type-checking, and whose
//! panics are the compile errors for windows that do not fit.

/// `(input + 2·padding − kernel) / stride + 1`, PyTorch's and TFLite's
/// (`VALID` / explicit padding) output size, rounded down.
///
/// # Panics
/// With a message naming the problem when `kernel` or `stride` is 0 or the
/// kernel is larger than the padded input; in a type (as [`layers!`](crate::layers!)
/// uses it) that panic is a compile error.
///
/// ```
/// use constnet::layers::shape::output_size;
/// assert_eq!(output_size(28, 3, 1, 1), 28); // "same" padding
/// assert_eq!(output_size(28, 2, 2, 0), 14); // 2×2 pooling
/// assert_eq!(output_size(5, 3, 2, 0), 2);
/// ```
pub const fn output_size(input: usize, kernel: usize, stride: usize, padding: usize) -> usize {
    assert!(kernel > 0, "the kernel size must be at least 1");
    assert!(stride > 0, "the stride must be at least 1");
    assert!(input > 0, "the input size must be at least 1");
    assert!(kernel <= input + 2 * padding, "the kernel does not fit the input: kernel > input + 2 * padding");
    (input + 2 * padding - kernel) / stride + 1
}

/// True if `out` is [`output_size`]`(input, kernel, stride, padding)` and
/// every size is valid; the layers assert it at compile time.
///
/// ```
/// use constnet::layers::shape::fits;
/// assert!(fits(28, 3, 1, 1, 28));
/// assert!(!fits(28, 3, 1, 0, 28)); // without padding the output is 26
/// assert!(!fits(2, 3, 1, 0, 0));   // the kernel is larger than the input
/// ```
pub const fn fits(input: usize, kernel: usize, stride: usize, padding: usize, out: usize) -> bool {
    kernel > 0
        && stride > 0
        && input > 0
        && kernel <= input + 2 * padding
        && out == (input + 2 * padding - kernel) / stride + 1
}
