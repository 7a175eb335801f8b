//! Models made elsewhere: TensorFlow Lite flatbuffers ([`tflite`]) and
//! PyTorch `state_dict`s saved as safetensors ([`torch`]). Desktop only
//! (`std`); what they produce — constnet model files and network types —
//! runs anywhere.

#![cfg_attr(docsrs, doc(cfg(feature = "std")))]

pub mod tflite;
pub mod torch;
