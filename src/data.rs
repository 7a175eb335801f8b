//! Toy data sets from the tutorials, generated into caller memory (`no_std`,
//! no heap): the mathspp quadrants and the NNFS spiral; and, with the `std`
//! feature, the IDX reader for MNIST and Fashion-MNIST.

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod idx;
pub mod quadrants;
pub mod spiral;
