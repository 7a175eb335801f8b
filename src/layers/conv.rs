//! Convolutional layers: [`Conv2d`], [`DepthwiseConv2d`], [`Conv1d`], the
//! poolings [`MaxPool2d`], [`AvgPool2d`], [`GlobalAvgPool2d`], [`MaxPool1d`],
//! [`GlobalAvgPool1d`], [`Flatten`] / [`Flatten1d`] and [`Unflatten`].
//!
//! # Layout
//! Activations are channels last, as in TFLite (NHWC without the N): an
//! image is `[[[f32; C]; W]; H]`, a batch `[[[[f32; C]; W]; H]; B]`; a 1-D
//! sequence is `[[f32; C]; L]` (one row per time step). Channels last keeps a
//! pixel's channels contiguous, which is what the im2col copy and a
//! depthwise loop read, and it is TFLite's order, so imported filters and
//! activations need no transpose.
//!
//! # Shapes are types
//! Every shaped layer carries its input and output sizes as const
//! parameters, so a layer that does not fit its predecessor — a channel
//! count that does not chain, an image of the wrong size — is an ordinary
//! type error ([`Layer`](crate::Layer)'s message names both types). Output
//! sizes cannot be computed inside a generic type on stable Rust, so
//! [`layers!`](crate::layers!) computes them: you write the input shape once
//! and each layer's own settings, and the macro writes the types. A kernel
//! or window larger than its (padded) input is then a compile error from
//! [`shape::output_size`] while type-checking (`cargo check` reports it).
//!
//! Types written by hand are checked by `const` assertions in the layers
//! (`OH = (H + 2P − K)/S + 1`, `N = H·W·C`, the patch fits
//! [`MAX_PATCH`](crate::math::MAX_PATCH)). Those are post-monomorphization
//! errors: `cargo build` and `cargo test` report them, `cargo check` does
//! not (`tests/ui/` pins both kinds).
//!
//! ```
//! use constnet::{layers, Layer, Params};
//! type Net = layers![input [8, 8, 1] =>
//!     Conv2d(4, 3, padding = 1), Relu, MaxPool2d(2),
//!     DepthwiseConv2d(3, padding = 1), Relu, Conv2d(8, 1), Relu,
//!     GlobalAvgPool, Dense(3)];
//! let net = Net::zeros_params();
//! let y: [f32; 3] = net.forward(&[[[0.5; 1]; 8]; 8]);
//! assert_eq!(y, [0.0; 3]);
//! assert_eq!(Net::PARAMS, (4 * 9 + 4) + (4 * 9 + 4) + (8 * 4 + 8) + (3 * 8 + 3));
//! ```

mod conv1d;
mod conv2d;
mod depthwise;
mod flatten;
pub(crate) mod impls;
mod pool;
pub mod shape;

pub use conv1d::Conv1d;
pub use conv2d::Conv2d;
pub use depthwise::DepthwiseConv2d;
pub use flatten::{Flatten, Flatten1d, Unflatten};
pub use pool::{AvgPool2d, GlobalAvgPool1d, GlobalAvgPool2d, MaxPool1d, MaxPool2d};

/// The type of a network whose every size is derived from its input shape.
///
/// `layers![input [H, W, C] => layer, layer, …]` (an image), `input [L, C]`
/// (a sequence) or `input [N]` (a vector). The layers:
///
/// | item | on | becomes |
/// |---|---|---|
/// | `Conv2d(out, k)`, `Conv2d(out, k, stride = s, padding = p)` | image | [`Conv2d`] |
/// | `DepthwiseConv2d(k)`, with `stride =` / `padding =` | image | [`DepthwiseConv2d`] |
/// | `MaxPool2d(k)`, `AvgPool2d(k)` (stride `k`), or `(k, stride = s)` | image | [`MaxPool2d`], [`AvgPool2d`] |
/// | `Conv1d(out, k)`, with `stride =` / `padding =` | sequence | [`Conv1d`] |
/// | `MaxPool1d(k)`, or `(k, stride = s)` | sequence | [`MaxPool1d`] |
/// | `GlobalAvgPool` | image, sequence | [`GlobalAvgPool2d`], [`GlobalAvgPool1d`] → vector |
/// | `Flatten` | image, sequence | [`Flatten`], [`Flatten1d`] → vector |
/// | `Dense(out)` | vector | [`Dense`](crate::Dense) |
/// | `Unflatten(h, w, c)` | vector of `h·w·c` | [`Unflatten`] → image |
/// | `Relu`, `Tanh`, `Sigmoid`, `Identity`, `LeakyRelu`, `Softmax` | any | the same shape |
/// | `Dropout(percent)` | any | [`Dropout`](crate::Dropout), the same shape |
/// | `keep(Type)` | any | your own shape-preserving layer |
///
/// One layer is its own type; several are a tuple (nested every 8). A
/// kernel that does not fit is a compile error naming the problem; a layer
/// on the wrong kind of input (a `Dense` on an image) is one too.
///
/// ```
/// use constnet::{layers, Conv2d, Dense, Flatten, Layer, MaxPool2d, Relu};
/// type Net = layers![input [28, 28, 1] =>
///     Conv2d(8, 3, padding = 1), Relu, MaxPool2d(2), Flatten, Dense(10)];
/// // The same type written out:
/// let _: (Conv2d<28, 28, 1, 8, 3, 1, 1, 28, 28>, Relu, MaxPool2d<28, 28, 8, 2, 2, 14, 14>,
///         Flatten<14, 14, 8, 1568>, Dense<1568, 10>) = <Net as constnet::Zeros>::zeros();
/// ```
#[macro_export]
macro_rules! layers {
    (input [$h:expr, $w:expr, $c:expr] => $($rest:tt)*) => {
        $crate::layers!(@go [img {$h} {$w} {$c}] [] $($rest)*)
    };
    (input [$l:expr, $c:expr] => $($rest:tt)*) => {
        $crate::layers!(@go [seq {$l} {$c}] [] $($rest)*)
    };
    (input [$n:expr] => $($rest:tt)*) => {
        $crate::layers!(@go [flat {$n}] [] $($rest)*)
    };

    // --- the end: nest the collected types ---
    (@go $s:tt [$($t:ty),*] $(,)?) => { $crate::layers!(@nest $($t),*) };

    // --- images ---
    (@go [img $h:tt $w:tt $c:tt] [$($t:ty),*] Conv2d ($co:expr, $k:expr $(, stride = $st:expr)? $(, padding = $p:expr)? $(,)?) $(, $($rest:tt)*)?) => {
        $crate::layers!(@go
            [img { $crate::layers!(@out $h, $k, $($st)?, $($p)?) } { $crate::layers!(@out $w, $k, $($st)?, $($p)?) } {$co}]
            [$($t,)* $crate::layers::Conv2d<$h, $w, $c, {$co}, {$k}, { $crate::layers!(@or 1, $($st)?) }, { $crate::layers!(@or 0, $($p)?) },
                { $crate::layers!(@out $h, $k, $($st)?, $($p)?) }, { $crate::layers!(@out $w, $k, $($st)?, $($p)?) }>]
            $($($rest)*)?)
    };
    (@go [img $h:tt $w:tt $c:tt] [$($t:ty),*] DepthwiseConv2d ($k:expr $(, stride = $st:expr)? $(, padding = $p:expr)? $(,)?) $(, $($rest:tt)*)?) => {
        $crate::layers!(@go
            [img { $crate::layers!(@out $h, $k, $($st)?, $($p)?) } { $crate::layers!(@out $w, $k, $($st)?, $($p)?) } $c]
            [$($t,)* $crate::layers::DepthwiseConv2d<$h, $w, $c, {$k}, { $crate::layers!(@or 1, $($st)?) }, { $crate::layers!(@or 0, $($p)?) },
                { $crate::layers!(@out $h, $k, $($st)?, $($p)?) }, { $crate::layers!(@out $w, $k, $($st)?, $($p)?) }>]
            $($($rest)*)?)
    };
    (@go [img $h:tt $w:tt $c:tt] [$($t:ty),*] MaxPool2d ($k:expr $(, stride = $st:expr)? $(,)?) $(, $($rest:tt)*)?) => {
        $crate::layers!(@pool2d MaxPool2d [$h $w $c] [$($t),*] $k, { $crate::layers!(@or $k, $($st)?) }; $($($rest)*)?)
    };
    (@go [img $h:tt $w:tt $c:tt] [$($t:ty),*] AvgPool2d ($k:expr $(, stride = $st:expr)? $(,)?) $(, $($rest:tt)*)?) => {
        $crate::layers!(@pool2d AvgPool2d [$h $w $c] [$($t),*] $k, { $crate::layers!(@or $k, $($st)?) }; $($($rest)*)?)
    };
    (@go [img $h:tt $w:tt $c:tt] [$($t:ty),*] GlobalAvgPool $(, $($rest:tt)*)?) => {
        $crate::layers!(@go [flat $c] [$($t,)* $crate::layers::GlobalAvgPool2d<$h, $w, $c>] $($($rest)*)?)
    };
    (@go [img $h:tt $w:tt $c:tt] [$($t:ty),*] Flatten $(, $($rest:tt)*)?) => {
        $crate::layers!(@go [flat { ($h) * ($w) * ($c) }] [$($t,)* $crate::layers::Flatten<$h, $w, $c, { ($h) * ($w) * ($c) }>] $($($rest)*)?)
    };

    // --- sequences ---
    (@go [seq $l:tt $c:tt] [$($t:ty),*] Conv1d ($co:expr, $k:expr $(, stride = $st:expr)? $(, padding = $p:expr)? $(,)?) $(, $($rest:tt)*)?) => {
        $crate::layers!(@go
            [seq { $crate::layers!(@out $l, $k, $($st)?, $($p)?) } {$co}]
            [$($t,)* $crate::layers::Conv1d<$l, $c, {$co}, {$k}, { $crate::layers!(@or 1, $($st)?) }, { $crate::layers!(@or 0, $($p)?) },
                { $crate::layers!(@out $l, $k, $($st)?, $($p)?) }>]
            $($($rest)*)?)
    };
    (@go [seq $l:tt $c:tt] [$($t:ty),*] MaxPool1d ($k:expr $(, stride = $st:expr)? $(,)?) $(, $($rest:tt)*)?) => {
        $crate::layers!(@go
            [seq { $crate::layers!(@out $l, $k, { $crate::layers!(@or $k, $($st)?) }, ) } $c]
            [$($t,)* $crate::layers::MaxPool1d<$l, $c, {$k}, { $crate::layers!(@or $k, $($st)?) },
                { $crate::layers!(@out $l, $k, { $crate::layers!(@or $k, $($st)?) }, ) }>]
            $($($rest)*)?)
    };
    (@go [seq $l:tt $c:tt] [$($t:ty),*] GlobalAvgPool $(, $($rest:tt)*)?) => {
        $crate::layers!(@go [flat $c] [$($t,)* $crate::layers::GlobalAvgPool1d<$l, $c>] $($($rest)*)?)
    };
    (@go [seq $l:tt $c:tt] [$($t:ty),*] Flatten $(, $($rest:tt)*)?) => {
        $crate::layers!(@go [flat { ($l) * ($c) }] [$($t,)* $crate::layers::Flatten1d<$l, $c, { ($l) * ($c) }>] $($($rest)*)?)
    };

    // --- vectors ---
    (@go [flat $n:tt] [$($t:ty),*] Dense ($o:expr $(,)?) $(, $($rest:tt)*)?) => {
        $crate::layers!(@go [flat {$o}] [$($t,)* $crate::Dense<$n, {$o}>] $($($rest)*)?)
    };

    (@go [flat $n:tt] [$($t:ty),*] Unflatten ($h:expr, $w:expr, $c:expr $(,)?) $(, $($rest:tt)*)?) => {
        $crate::layers!(@go [img {$h} {$w} {$c}] [$($t,)* $crate::layers::Unflatten<{$h}, {$w}, {$c}, $n>] $($($rest)*)?)
    };

    // --- shape-preserving layers, anywhere ---
    (@go $s:tt [$($t:ty),*] Relu $(, $($rest:tt)*)?) => { $crate::layers!(@go $s [$($t,)* $crate::Relu] $($($rest)*)?) };
    (@go $s:tt [$($t:ty),*] Tanh $(, $($rest:tt)*)?) => { $crate::layers!(@go $s [$($t,)* $crate::Tanh] $($($rest)*)?) };
    (@go $s:tt [$($t:ty),*] Sigmoid $(, $($rest:tt)*)?) => { $crate::layers!(@go $s [$($t,)* $crate::Sigmoid] $($($rest)*)?) };
    (@go $s:tt [$($t:ty),*] Identity $(, $($rest:tt)*)?) => { $crate::layers!(@go $s [$($t,)* $crate::Identity] $($($rest)*)?) };
    (@go $s:tt [$($t:ty),*] LeakyRelu $(, $($rest:tt)*)?) => { $crate::layers!(@go $s [$($t,)* $crate::LeakyRelu] $($($rest)*)?) };
    (@go $s:tt [$($t:ty),*] Softmax $(, $($rest:tt)*)?) => { $crate::layers!(@go $s [$($t,)* $crate::Softmax] $($($rest)*)?) };
    (@go $s:tt [$($t:ty),*] Dropout ($p:expr $(,)?) $(, $($rest:tt)*)?) => { $crate::layers!(@go $s [$($t,)* $crate::Dropout<{$p}>] $($($rest)*)?) };
    (@go $s:tt [$($t:ty),*] keep ($k:ty) $(, $($rest:tt)*)?) => { $crate::layers!(@go $s [$($t,)* $k] $($($rest)*)?) };

    // --- a layer on the wrong kind of input ---
    (@go [flat $n:tt] [$($t:ty),*] $layer:ident $($rest:tt)*) => {
        compile_error!(concat!("layers!: `", stringify!($layer), "` needs an image or a sequence, but its input is a flat vector"))
    };
    (@go [$kind:ident $($d:tt)*] [$($t:ty),*] Dense $($rest:tt)*) => {
        compile_error!(concat!("layers!: `Dense` needs a flat vector, but its input is ", stringify!($kind), " (img: an image, seq: a sequence); put `Flatten` or `GlobalAvgPool` before it"))
    };
    (@go [img $($d:tt)*] [$($t:ty),*] $layer:ident $($rest:tt)*) => {
        compile_error!(concat!("layers!: `", stringify!($layer), "` does not take an image (or is not a layer this macro knows; wrap your own in `keep(Type)`)"))
    };
    (@go [seq $($d:tt)*] [$($t:ty),*] $layer:ident $($rest:tt)*) => {
        compile_error!(concat!("layers!: `", stringify!($layer), "` does not take a sequence (or is not a layer this macro knows; wrap your own in `keep(Type)`)"))
    };

    // --- helpers ---
    (@pool2d $name:ident [$h:tt $w:tt $c:tt] [$($t:ty),*] $k:expr, $st:tt; $($rest:tt)*) => {
        $crate::layers!(@go
            [img { $crate::layers!(@out $h, $k, $st, ) } { $crate::layers!(@out $w, $k, $st, ) } $c]
            [$($t,)* $crate::layers::$name<$h, $w, $c, {$k}, $st, { $crate::layers!(@out $h, $k, $st, ) }, { $crate::layers!(@out $w, $k, $st, ) }>]
            $($rest)*)
    };
    (@out $n:tt, $k:expr, $($st:expr)?, $($p:expr)?) => {
        $crate::layers::shape::output_size($n, $k, $crate::layers!(@or 1, $($st)?), $crate::layers!(@or 0, $($p)?))
    };
    (@or $default:expr, ) => { $default };
    (@or $default:expr, $v:expr) => { $v };
    (@nest $a:ty) => { $a };
    (@nest $a:ty, $b:ty, $c:ty, $d:ty, $e:ty, $f:ty, $g:ty, $h:ty, $i:ty $(, $rest:ty)*) => {
        ($a, $b, $c, $d, $e, $f, $g, $crate::layers!(@nest $h, $i $(, $rest)*))
    };
    (@nest $($t:ty),+) => { ($($t),+) };
}
