//! Why a `.tflite` file could not be imported.

#[allow(unused_imports)]
use std::{format, prelude::rust_2024::*, vec};

use core::fmt;

/// Why a `.tflite` file could not be imported, or an imported network not
/// run.
///
/// Non-exhaustive: later versions may add checks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportError {
    /// The bytes do not carry TFLite's file identifier `TFL3` at offset 4.
    NotTflite {
        /// Bytes 4..8 of the file (fewer if it is shorter).
        identifier: Vec<u8>,
    },
    /// The flatbuffer is malformed (truncated, an offset out of bounds, a
    /// bad string, …): what was being read and the reader's message.
    Malformed {
        /// The field being read, e.g. `subgraph 0 tensor 3 shape`.
        context: String,
        /// What was wrong.
        detail: String,
    },
    /// The graph as a whole is not a chain constnet can express (no
    /// subgraph or several, several inputs or outputs, no operators, a
    /// dangling tensor index).
    Graph {
        /// What is wrong.
        problem: String,
    },
    /// An operator constnet cannot run, or cannot run with these tensors.
    Operator {
        /// The operator's index in the subgraph.
        index: usize,
        /// Its TFLite name (`CONV_2D`, `SOFTMAX`, a custom code, …).
        operator: String,
        /// The tensor the problem is with, if it is one tensor.
        tensor: Option<String>,
        /// What is wrong.
        problem: String,
    },
    /// [`Model::run`](super::Model::run): an input of the wrong dtype or
    /// length.
    Input {
        /// What is wrong.
        problem: String,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::NotTflite { identifier } => write!(
                f,
                "not a TensorFlow Lite model: file identifier {:?}, expected \"TFL3\"",
                String::from_utf8_lossy(identifier)
            ),
            ImportError::Malformed { context, detail } => {
                write!(f, "malformed .tflite flatbuffer reading {context}: {detail}")
            }
            ImportError::Graph { problem } => write!(f, "unsupported graph: {problem}"),
            ImportError::Operator { index, operator, tensor, problem } => {
                write!(f, "operator {index} ({operator})")?;
                if let Some(t) = tensor {
                    write!(f, ", tensor `{t}`")?;
                }
                write!(f, ": {problem}")
            }
            ImportError::Input { problem } => write!(f, "bad input: {problem}"),
        }
    }
}

impl std::error::Error for ImportError {}
