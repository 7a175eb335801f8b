//! Tuples of layers are layers: `(A, B)`, `(A, B, C)`, … up to 8 elements,
//! nested freely (`(A, (B, C))`).
//!
//! One macro writes the impls. For three layers it expands to:
//!
//! ```text
//! impl<X, A, B, C> Layer<X> for (A, B, C)
//! where A: Layer<X>, B: Layer<A::Output>, C: Layer<B::Output>
//! {
//!     type Output = C::Output;
//!     fn forward(&self, x: &X) -> C::Output {
//!         let h = self.0.forward(x);
//!         let h = self.1.forward(&h);
//!         let h = self.2.forward(&h);
//!         h
//!     }
//! }
//! // Backprop: Cache = (A::Cache, B::Cache, C::Cache); backward runs 2, 1, 0;
//! // backward_params runs backward on 2 and 1, then backward_params on 0.
//! // Params: tensors of 0, then 1, then 2. Zeros: element-wise.
//! ```
//!
//! A layer that cannot take its predecessor's output fails the `B: Layer<…>`
//! bound, and the compiler reports it with [`Layer`]'s message:
//! "layer `Dense<2, 1>` cannot take `[f32; 3]` as input".

use crate::params::fingerprint;
use crate::{Backprop, Layer, Params, TensorShape, Zeros};

macro_rules! tuple_network {
    // backward_params: `backward` from the last layer down to the second,
    // then the first layer's `backward_params` (its dL/dx is never needed).
    (@params $s:ident, $c:ident, $d:ident, $g:ident; $li:tt; $($r:tt),+) => {
        tuple_network!(@params_go $s, $c, $g; [$li $($r)+]; $d)
    };
    (@params_go $s:ident, $c:ident, $g:ident; [$first:tt]; $d:expr) => {
        $s.$first.backward_params(&$c.$first, $d, &mut $g.$first)
    };
    (@params_go $s:ident, $c:ident, $g:ident; [$i:tt $($rest:tt)+]; $d:expr) => {{
        let d = $s.$i.backward(&$c.$i, $d, &mut $g.$i);
        tuple_network!(@params_go $s, $c, $g; [$($rest)+]; &d)
    }};
    (
        first $F:ident $fi:tt;
        rest $($T:ident $i:tt $P:ident),+;
        last $L:ident $li:tt;
        rev $($r:tt),+
    ) => {
        impl<$F: Zeros, $($T: Zeros),+> Zeros for ($F, $($T),+) {
            #[inline]
            fn zeros() -> Self {
                ($F::zeros(), $($T::zeros()),+)
            }
        }

        impl<X, $F, $($T),+> Layer<X> for ($F, $($T),+)
        where
            $F: Layer<X>,
            $($T: Layer<$P::Output>),+
        {
            type Output = $L::Output;
            #[inline]
            fn forward(&self, x: &X) -> Self::Output {
                let h = self.$fi.forward(x);
                $(let h = self.$i.forward(&h);)+
                h
            }
        }

        impl<X, $F, $($T),+> Backprop<X> for ($F, $($T),+)
        where
            $F: Backprop<X>,
            $($T: Backprop<$P::Output>),+
        {
            type Cache = ($F::Cache, $($T::Cache),+);
            #[inline]
            fn forward_train(&self, x: &X, cache: &mut Self::Cache) -> <Self as Layer<X>>::Output {
                let h = self.$fi.forward_train(x, &mut cache.$fi);
                $(let h = self.$i.forward_train(&h, &mut cache.$i);)+
                h
            }
            #[inline]
            fn backward(
                &self,
                cache: &Self::Cache,
                d_out: &<Self as Layer<X>>::Output,
                grads: &mut Self,
            ) -> X {
                let d = self.$li.backward(&cache.$li, d_out, &mut grads.$li);
                $(let d = self.$r.backward(&cache.$r, &d, &mut grads.$r);)+
                d
            }
            #[inline]
            fn backward_params(
                &self,
                cache: &Self::Cache,
                d_out: &<Self as Layer<X>>::Output,
                grads: &mut Self,
            ) {
                tuple_network!(@params self, cache, d_out, grads; $li; $($r),+);
            }
        }

        impl<$F: Params, $($T: Params),+> Params for ($F, $($T),+) {
            const TENSORS: usize = $F::TENSORS $(+ $T::TENSORS)+;
            const PARAMS: usize = $F::PARAMS $(+ $T::PARAMS)+;
            const FINGERPRINT: u64 = {
                let h = fingerprint::mix(fingerprint::str("("), $F::FINGERPRINT);
                $(let h = fingerprint::mix(h, $T::FINGERPRINT);)+
                fingerprint::mix(h, fingerprint::str(")"))
            };
            fn shape(i: usize) -> TensorShape {
                if i < $F::TENSORS {
                    return $F::shape(i);
                }
                let i = i - $F::TENSORS;
                $(
                    if i < $T::TENSORS {
                        return $T::shape(i);
                    }
                    let i = i - $T::TENSORS;
                )+
                let _ = i;
                TensorShape { kind: crate::TensorKind::Bias, rows: 0, cols: 0 }
            }
            #[inline]
            fn tensor(&self, i: usize) -> &[f32] {
                if i < $F::TENSORS {
                    return self.$fi.tensor(i);
                }
                let i = i - $F::TENSORS;
                $(
                    if i < $T::TENSORS {
                        return self.$i.tensor(i);
                    }
                    let i = i - $T::TENSORS;
                )+
                let _ = i;
                &[]
            }
            #[inline]
            fn tensor_mut(&mut self, i: usize) -> &mut [f32] {
                if i < $F::TENSORS {
                    return self.$fi.tensor_mut(i);
                }
                let i = i - $F::TENSORS;
                $(
                    if i < $T::TENSORS {
                        return self.$i.tensor_mut(i);
                    }
                    let i = i - $T::TENSORS;
                )+
                let _ = i;
                &mut []
            }
        }
    };
}

tuple_network!(first A 0; rest B 1 A; last B 1; rev 0);
tuple_network!(first A 0; rest B 1 A, C 2 B; last C 2; rev 1, 0);
tuple_network!(first A 0; rest B 1 A, C 2 B, D 3 C; last D 3; rev 2, 1, 0);
tuple_network!(first A 0; rest B 1 A, C 2 B, D 3 C, E 4 D; last E 4; rev 3, 2, 1, 0);
tuple_network!(first A 0; rest B 1 A, C 2 B, D 3 C, E 4 D, F 5 E; last F 5; rev 4, 3, 2, 1, 0);
tuple_network!(
    first A 0; rest B 1 A, C 2 B, D 3 C, E 4 D, F 5 E, G 6 F; last G 6; rev 5, 4, 3, 2, 1, 0
);
tuple_network!(
    first A 0; rest B 1 A, C 2 B, D 3 C, E 4 D, F 5 E, G 6 F, H 7 G;
    last H 7; rev 6, 5, 4, 3, 2, 1, 0
);
