//! Networks: tuples of layers, and named networks made with [`network!`](crate::network!).
//!
//! `(A, B, C)` (up to 8 layers) and nested `(A, (B, C))` are networks: they
//! implement [`Layer`](crate::Layer), [`Backprop`](crate::Backprop),
//! [`Params`](crate::Params) and [`Zeros`](crate::Zeros) whenever their
//! elements chain. Long tuple types make error messages hard to read, so give
//! a real model a name with [`network!`](crate::network!).

mod tuple;

/// Declares a named network: a newtype around a tuple of layers that is itself
/// a layer, trainable, visitable and zeroable. Compiler messages then name
/// your model instead of spelling out the tuple.
///
/// The tuple is field `.0`; derive what you need with attributes.
///
/// ```
/// use constnet::{network, Dense, Layer, LeakyRelu, Params};
///
/// network! {
///     /// The mathspp quadrants classifier.
///     #[derive(Clone, Debug, PartialEq)]
///     pub struct Quadrants((Dense<2, 3>, LeakyRelu, Dense<3, 2>, LeakyRelu));
/// }
///
/// let net = Quadrants((Dense::zeros(), LeakyRelu::new(0.1), Dense::zeros(), LeakyRelu::new(0.1)));
/// assert_eq!(net.forward(&[1.0, -1.0]), [0.0, 0.0]);
/// assert_eq!(Quadrants::PARAMS, 17);
/// ```
#[macro_export]
macro_rules! network {
    ($(#[$meta:meta])* $vis:vis struct $name:ident ( $inner:ty ) ;) => {
        $(#[$meta])*
        $vis struct $name(pub $inner);

        impl<X> $crate::Layer<X> for $name
        where
            $inner: $crate::Layer<X>,
        {
            type Output = <$inner as $crate::Layer<X>>::Output;
            #[inline]
            fn forward(&self, x: &X) -> Self::Output {
                self.0.forward(x)
            }
        }

        impl<X> $crate::Backprop<X> for $name
        where
            $inner: $crate::Backprop<X>,
        {
            type Cache = <$inner as $crate::Backprop<X>>::Cache;
            #[inline]
            fn forward_train(&self, x: &X, cache: &mut Self::Cache) -> Self::Output {
                self.0.forward_train(x, cache)
            }
            #[inline]
            fn backward(&self, cache: &Self::Cache, d_out: &Self::Output, grads: &mut Self) -> X {
                self.0.backward(cache, d_out, &mut grads.0)
            }
            #[inline]
            fn backward_params(&self, cache: &Self::Cache, d_out: &Self::Output, grads: &mut Self) {
                self.0.backward_params(cache, d_out, &mut grads.0)
            }
        }

        impl<X> $crate::quant::Quantizable<X> for $name
        where
            $inner: $crate::quant::Quantizable<X>,
        {
            type Quantized = <$inner as $crate::quant::Quantizable<X>>::Quantized;
            type Ranges = <$inner as $crate::quant::Quantizable<X>>::Ranges;
            const NO_RANGES: Self::Ranges = <$inner as $crate::quant::Quantizable<X>>::NO_RANGES;
            const FUSES_AS_RELU: bool = <$inner as $crate::quant::Quantizable<X>>::FUSES_AS_RELU;
            #[inline]
            fn observe(&self, x: &X, ranges: &mut Self::Ranges) -> Self::Output {
                self.0.observe(x, ranges)
            }
            fn output_range(ranges: &Self::Ranges) -> $crate::quant::Range {
                <$inner as $crate::quant::Quantizable<X>>::output_range(ranges)
            }
            fn leading_relu_range(ranges: &Self::Ranges) -> ::core::option::Option<$crate::quant::Range> {
                <$inner as $crate::quant::Quantizable<X>>::leading_relu_range(ranges)
            }
            fn quantize_layer(
                &self,
                input: $crate::quant::QuantParams,
                ranges: &Self::Ranges,
                fused_relu: ::core::option::Option<$crate::quant::Range>,
            ) -> ::core::result::Result<(Self::Quantized, $crate::quant::QuantParams), $crate::quant::QuantError> {
                self.0.quantize_layer(input, ranges, fused_relu)
            }
        }

        $crate::__network_sequential!($name, $inner);

        impl $crate::Zeros for $name {
            #[inline]
            fn zeros() -> Self {
                Self(<$inner as $crate::Zeros>::zeros())
            }
        }

        impl $crate::Params for $name {
            const TENSORS: usize = <$inner as $crate::Params>::TENSORS;
            const PARAMS: usize = <$inner as $crate::Params>::PARAMS;
            const FINGERPRINT: u64 = <$inner as $crate::Params>::FINGERPRINT;
            fn shape(i: usize) -> $crate::TensorShape {
                <$inner as $crate::Params>::shape(i)
            }
            #[inline]
            fn tensor(&self, i: usize) -> &[f32] {
                $crate::Params::tensor(&self.0, i)
            }
            #[inline]
            fn tensor_mut(&mut self, i: usize) -> &mut [f32] {
                $crate::Params::tensor_mut(&mut self.0, i)
            }
        }
    };
}

/// `network!`'s [`Sequential`](crate::import::torch::Sequential) forwarding
/// (PyTorch names); only with `std`, where `import::torch` exists.
#[cfg(feature = "std")]
#[doc(hidden)]
#[macro_export]
macro_rules! __network_sequential {
    ($name:ident, $inner:ty) => {
        // `for<'a>` defers the bound: a network of layers without
        // `Sequential` still compiles, it just has no PyTorch names.
        impl $crate::import::torch::Sequential for $name
        where
            for<'a> $inner: $crate::import::torch::Sequential,
        {
            const MODULES: usize = <$inner as $crate::import::torch::Sequential>::MODULES;
            fn module(i: usize) -> usize {
                <$inner as $crate::import::torch::Sequential>::module(i)
            }
        }
    };
}

/// Without `std` there is no `import::torch`: nothing to forward.
#[cfg(not(feature = "std"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __network_sequential {
    ($name:ident, $inner:ty) => {};
}
