//! The flatbuffer → layers walk: checks the graph is a chain, reads every
//! operator's tensors and maps it onto constnet layers. Every read is
//! checked (planus returns `Result`s, lengths and indices are compared
//! before use), so no input panics.

#[allow(unused_imports)]
use std::{format, prelude::rust_2024::*, vec};

use super::error::ImportError;
use super::layer::{Activation, DType, ImportedLayer, Io};
use super::ops::NAMES;
use super::schema::tflite as fb;
use crate::quant::{QLut, QuantParams};

type Result<T> = core::result::Result<T, ImportError>;

// TensorType codes (schema `TensorType`).
const FLOAT32: i8 = 0;
const INT32: i8 = 2;
const INT8: i8 = 9;
const TYPE_NAMES: [&str; 23] = [
    "FLOAT32",
    "FLOAT16",
    "INT32",
    "UINT8",
    "INT64",
    "STRING",
    "BOOL",
    "INT16",
    "COMPLEX64",
    "INT8",
    "FLOAT64",
    "COMPLEX128",
    "UINT64",
    "RESOURCE",
    "VARIANT",
    "UINT32",
    "UINT16",
    "INT4",
    "BFLOAT16",
    "INT2",
    "UINT4",
    "FLOAT8_E4M3FN",
    "FLOAT8_E5M2",
];

// BuiltinOperator codes.
const FULLY_CONNECTED: i32 = 9;
const DEQUANTIZE: i32 = 6;
const LOGISTIC: i32 = 14;
const RELU: i32 = 19;
const RESHAPE: i32 = 22;
const SOFTMAX: i32 = 25;
const TANH: i32 = 28;
const QUANTIZE: i32 = 114;
// The operators Keras' `Flatten` emits, with a dynamic batch size, to
// compute RESHAPE's new shape from the input's shape.
const STRIDED_SLICE: i32 = 45;
const SHAPE: i32 = 77;
const PACK: i32 = 83;

// ActivationFunctionType codes.
const ACT_NAMES: [&str; 6] = ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT"];

fn malformed(context: impl Into<String>) -> impl FnOnce(planus::Error) -> ImportError {
    let context = context.into();
    move |e| ImportError::Malformed { context, detail: e.to_string() }
}

fn type_name(t: i8) -> String {
    usize::try_from(t)
        .ok()
        .and_then(|i| TYPE_NAMES.get(i))
        .map_or_else(|| format!("tensor type {t}"), |s| (*s).to_string())
}

/// A tensor's facts, read once.
struct TensorFacts<'a> {
    name: String,
    dtype: i8,
    shape: Vec<i32>,
    /// The constant data, if the tensor has a non-empty buffer.
    data: Option<&'a [u8]>,
    scale: Vec<f32>,
    zero_point: Vec<i64>,
    quantized_dimension: i32,
    is_variable: bool,
}

impl TensorFacts<'_> {
    fn elements(&self) -> Option<usize> {
        self.shape.iter().try_fold(1usize, |n, &d| n.checked_mul(usize::try_from(d).ok()?))
    }
}

/// The file, read: its tensors, its operators and the graph's ends.
struct Graph<'a> {
    tensors: Vec<TensorFacts<'a>>,
    /// `(builtin code or -1 for custom, name, the operator)`.
    ops: Vec<(i32, String, fb::OperatorRef<'a>)>,
    input: usize,
    output: usize,
}

fn read_graph(bytes: &[u8]) -> Result<Graph<'_>> {
    match bytes.get(4..8) {
        Some(id) if id == b"TFL3" => {}
        id => {
            return Err(ImportError::NotTflite {
                identifier: id.unwrap_or(bytes.get(4..).unwrap_or(&[])).to_vec(),
            });
        }
    }
    let model = <fb::ModelRef<'_> as planus::ReadAsRoot>::read_as_root(bytes)
        .map_err(malformed("the model table"))?;
    let buffers = model.buffers().map_err(malformed("model buffers"))?;
    let codes = model.operator_codes().map_err(malformed("model operator_codes"))?;
    let subgraphs = model.subgraphs().map_err(malformed("model subgraphs"))?;
    let subgraphs =
        subgraphs.ok_or_else(|| ImportError::Graph { problem: "the model has no subgraph".into() })?;
    if subgraphs.len() != 1 {
        return Err(ImportError::Graph {
            problem: format!(
                "the model has {} subgraphs (control flow); constnet imports single-subgraph chains",
                subgraphs.len()
            ),
        });
    }
    let sg = match subgraphs.get(0) {
        Some(sg) => sg.map_err(malformed("subgraph 0"))?,
        None => return Err(ImportError::Graph { problem: "the model has no subgraph".into() }),
    };

    let mut tensors = Vec::new();
    if let Some(ts) = sg.tensors().map_err(malformed("subgraph 0 tensors"))? {
        for (i, t) in ts.iter().enumerate() {
            let ctx = |f: &str| format!("subgraph 0 tensor {i} {f}");
            let t = t.map_err(malformed(ctx("")))?;
            let name = t.name().map_err(malformed(ctx("name")))?.unwrap_or("").to_string();
            let dtype = t.type_().map_err(malformed(ctx("type")))?;
            let shape =
                t.shape().map_err(malformed(ctx("shape")))?.map(|v| v.iter().collect()).unwrap_or_default();
            let buffer = t.buffer().map_err(malformed(ctx("buffer")))? as usize;
            let data = match buffers {
                Some(bs) if buffer != 0 => {
                    let b = bs
                        .get(buffer)
                        .ok_or_else(|| ImportError::Graph {
                            problem: format!(
                                "tensor {i} `{name}` refers to buffer {buffer}, which does not exist"
                            ),
                        })?
                        .map_err(malformed(format!("buffer {buffer}")))?;
                    let inline = b.data().map_err(malformed(format!("buffer {buffer} data")))?;
                    let (offset, size) = (
                        b.offset().map_err(malformed(format!("buffer {buffer} offset")))?,
                        b.size().map_err(malformed(format!("buffer {buffer} size")))?,
                    );
                    match inline {
                        Some(d) if !d.is_empty() => Some(d),
                        // Large models keep buffers after the flatbuffer, at `offset` (1 means none).
                        _ if offset > 1 => {
                            let start = usize::try_from(offset).ok();
                            let end =
                                start.zip(usize::try_from(size).ok()).and_then(|(s, n)| s.checked_add(n));
                            match start.zip(end).and_then(|(s, e)| bytes.get(s..e)) {
                                Some(d) => Some(d),
                                None => {
                                    return Err(ImportError::Malformed {
                                        context: format!("buffer {buffer}"),
                                        detail: format!(
                                            "external data at offset {offset}, {size} bytes, lies outside the {}-byte file",
                                            bytes.len()
                                        ),
                                    });
                                }
                            }
                        }
                        _ => None,
                    }
                }
                Some(_) => None,
                None if buffer != 0 => {
                    return Err(ImportError::Graph {
                        problem: format!(
                            "tensor {i} `{name}` refers to buffer {buffer}, but the model has no buffers"
                        ),
                    });
                }
                None => None,
            };
            let q = t.quantization().map_err(malformed(ctx("quantization")))?;
            let (scale, zero_point, quantized_dimension) = match q {
                Some(q) => (
                    q.scale()
                        .map_err(malformed(ctx("scale")))?
                        .map(|v| v.iter().collect())
                        .unwrap_or_default(),
                    q.zero_point()
                        .map_err(malformed(ctx("zero_point")))?
                        .map(|v| v.iter().collect())
                        .unwrap_or_default(),
                    q.quantized_dimension().map_err(malformed(ctx("quantized_dimension")))?,
                ),
                None => (Vec::new(), Vec::new(), 0),
            };
            let is_variable = t.is_variable().map_err(malformed(ctx("is_variable")))?;
            tensors.push(TensorFacts {
                name,
                dtype,
                shape,
                data,
                scale,
                zero_point,
                quantized_dimension,
                is_variable,
            });
        }
    }

    let ends = |v: Option<planus::Vector<'_, i32>>, what: &str| -> Result<usize> {
        let v: Vec<i32> = v.map(|v| v.iter().collect()).unwrap_or_default();
        match v[..] {
            [t] => usize::try_from(t).ok().filter(|&t| t < tensors.len()).ok_or_else(|| ImportError::Graph {
                problem: format!("the subgraph's {what} is tensor {t}, which does not exist"),
            }),
            _ => Err(ImportError::Graph {
                problem: format!("the subgraph has {} {what}s; constnet networks have one", v.len()),
            }),
        }
    };
    let input = ends(sg.inputs().map_err(malformed("subgraph 0 inputs"))?, "input")?;
    let output = ends(sg.outputs().map_err(malformed("subgraph 0 outputs"))?, "output")?;

    let mut ops = Vec::new();
    if let Some(os) = sg.operators().map_err(malformed("subgraph 0 operators"))? {
        for (i, op) in os.iter().enumerate() {
            let op = op.map_err(malformed(format!("operator {i}")))?;
            let index = op.opcode_index().map_err(malformed(format!("operator {i} opcode_index")))? as usize;
            let code = codes
                .and_then(|c| c.get(index))
                .ok_or_else(|| ImportError::Graph {
                    problem: format!("operator {i} uses operator code {index}, which does not exist"),
                })?
                .map_err(malformed(format!("operator code {index}")))?;
            let deprecated =
                code.deprecated_builtin_code().map_err(malformed(format!("operator code {index}")))?;
            let builtin = code.builtin_code().map_err(malformed(format!("operator code {index}")))?;
            // TFLite's rule: the larger of the two fields (old files fill only the first).
            let builtin = builtin.max(deprecated as i32);
            let custom =
                code.custom_code().map_err(malformed(format!("operator code {index} custom_code")))?;
            let (builtin, name) = match custom {
                Some(c) if builtin == 32 => (-1, format!("custom operator \"{c}\"")),
                _ => (
                    builtin,
                    usize::try_from(builtin)
                        .ok()
                        .and_then(|b| NAMES.get(b))
                        .map_or_else(|| format!("builtin operator {builtin}"), |s| (*s).to_string()),
                ),
            };
            ops.push((builtin, name, op));
        }
    }
    if ops.is_empty() {
        return Err(ImportError::Graph { problem: "the subgraph has no operators".into() });
    }
    Ok(Graph { tensors, ops, input, output })
}

/// Reads `bytes` into layers and the network's input and output.
pub(super) fn read(bytes: &[u8]) -> Result<(Vec<ImportedLayer>, Io, Io)> {
    let g = read_graph(bytes)?;
    let mut layers = Vec::new();
    let mut current = g.input;
    // INT32 tensors that only compute a RESHAPE's new shape.
    let mut shape_tensors = Vec::new();
    check_activation_tensor(&g, current, None)?;
    for (index, (code, name, op)) in g.ops.iter().enumerate() {
        let cx = Cx { g: &g, index, operator: name };
        let inputs: Vec<i32> = op
            .inputs()
            .map_err(malformed(format!("operator {index} inputs")))?
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        let outputs: Vec<i32> = op
            .outputs()
            .map_err(malformed(format!("operator {index} outputs")))?
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        let out = match outputs[..] {
            [o] => cx.tensor_index(o)?,
            _ => return Err(cx.err(None, format!("has {} outputs; constnet layers have one", outputs.len()))),
        };
        let x = match inputs.first() {
            Some(&t) => cx.tensor_index(t)?,
            None => return Err(cx.err(None, "has no inputs".into())),
        };
        if matches!(*code, SHAPE | STRIDED_SLICE | PACK) {
            shape_arithmetic(&cx, *code, &inputs, out, &shape_tensors)?;
            shape_tensors.push(out);
            continue;
        }
        if x != current {
            return Err(cx.err(
                Some(x),
                format!(
                    "takes tensor {x} as its input, not tensor {current} (`{}`) that the network computed last: \
                     the graph branches or is out of order, and constnet networks are chains",
                    g.tensors.get(current).map_or("", |t| &t.name)
                ),
            ));
        }
        check_activation_tensor(&g, out, Some(&cx))?;
        if let Some(&t) =
            inputs.iter().skip(1).find(|&&t| usize::try_from(t).is_ok_and(|t| shape_tensors.contains(&t)))
            && *code != RESHAPE
        {
            return Err(cx.err(Some(t as usize), "takes a computed shape, which only RESHAPE may".into()));
        }
        let new = match *code {
            FULLY_CONNECTED => fully_connected(&cx, op, &inputs, out)?,
            QUANTIZE => quantize(&cx, x, out)?,
            DEQUANTIZE => dequantize(&cx, x, out)?,
            RESHAPE => reshape(&cx, &inputs, x, out, &shape_tensors)?,
            RELU => relu(&cx, x, out)?,
            LOGISTIC | TANH => lut(&cx, *code, x, out)?,
            SOFTMAX => softmax(&cx, op, x, out)?,
            _ => return Err(cx.err(None, "constnet has no layer for this operator".into())),
        };
        // Every operator's tensors must hold what its layers take and give
        // (the element-wise ones read only one side).
        if let (Some(first), Some(last)) = (new.first(), new.last()) {
            let (x_len, out_len) = (len_of(&cx, x)?, len_of(&cx, out)?);
            if first.input_len() != x_len {
                return Err(cx.err(
                    Some(x),
                    format!("holds {x_len} values; the operator takes {}", first.input_len()),
                ));
            }
            if last.output_len() != out_len {
                return Err(cx.err(
                    Some(out),
                    format!("holds {out_len} values; the operator gives {}", last.output_len()),
                ));
            }
        } else if len_of(&cx, x)? != len_of(&cx, out)? {
            return Err(cx.err(Some(out), "changes the number of values".into()));
        }
        layers.extend(new);
        current = out;
    }
    if current != g.output {
        return Err(ImportError::Graph {
            problem: format!(
                "the subgraph's output is tensor {}, but the last operator computes tensor {current}",
                g.output
            ),
        });
    }
    let io = |t: usize| -> Result<Io> {
        let t = g
            .tensors
            .get(t)
            .ok_or_else(|| ImportError::Graph { problem: format!("tensor {t} does not exist") })?;
        let len = t.elements().unwrap_or(0);
        Ok(match t.dtype {
            INT8 => Io { name: t.name.clone(), len, dtype: DType::I8, quantization: per_tensor(t).ok() },
            _ => Io { name: t.name.clone(), len, dtype: DType::F32, quantization: None },
        })
    };
    Ok((layers, io(g.input)?, io(g.output)?))
}

/// The operator being read, for error messages.
struct Cx<'a> {
    g: &'a Graph<'a>,
    index: usize,
    operator: &'a str,
}

impl Cx<'_> {
    fn err(&self, tensor: Option<usize>, problem: String) -> ImportError {
        ImportError::Operator {
            index: self.index,
            operator: self.operator.to_string(),
            tensor: tensor.map(|t| self.g.tensors.get(t).map_or_else(|| format!("#{t}"), |t| t.name.clone())),
            problem,
        }
    }

    fn tensor_index(&self, t: i32) -> Result<usize> {
        usize::try_from(t)
            .ok()
            .filter(|&t| t < self.g.tensors.len())
            .ok_or_else(|| self.err(None, format!("refers to tensor {t}, which does not exist")))
    }

    fn tensor(&self, t: usize) -> Result<&TensorFacts<'_>> {
        self.g
            .tensors
            .get(t)
            .ok_or_else(|| self.err(None, format!("refers to tensor {t}, which does not exist")))
    }

    /// A constant tensor's data of exactly `n` elements of `width` bytes.
    fn constant(&self, t: usize, n: usize, width: usize, what: &str) -> Result<&[u8]> {
        let tensor = self.tensor(t)?;
        let data = tensor.data.ok_or_else(|| {
            self.err(Some(t), format!("the {what} is computed at run time; constnet needs it constant"))
        })?;
        let want = n.checked_mul(width);
        if want != Some(data.len()) {
            return Err(self.err(
                Some(t),
                format!(
                    "the {what} buffer holds {} bytes; its shape {:?} needs {n} × {width}",
                    data.len(),
                    tensor.shape
                ),
            ));
        }
        Ok(data)
    }
}

/// A network activation (not a constant): known dtype, a batch of 1.
fn check_activation_tensor(g: &Graph<'_>, t: usize, cx: Option<&Cx<'_>>) -> Result<()> {
    let err = |problem: String| match cx {
        Some(cx) => cx.err(Some(t), problem),
        None => ImportError::Graph { problem: format!("the input tensor: {problem}") },
    };
    let tensor = g.tensors.get(t).ok_or_else(|| err(format!("tensor {t} does not exist")))?;
    if tensor.is_variable {
        return Err(err("is a variable (state); constnet networks are stateless".into()));
    }
    if !matches!(tensor.dtype, FLOAT32 | INT8) {
        return Err(err(format!(
            "has type {}; constnet activations are FLOAT32 or INT8",
            type_name(tensor.dtype)
        )));
    }
    // Any shape of positive sizes: a sample is its values in row-major
    // order (Keras' `Input((28, 28))` is [1, 28, 28]); the FULLY_CONNECTED
    // checks that its input holds exactly one sample.
    if tensor.shape.iter().any(|&d| d < 1) {
        return Err(err(format!("has shape {:?}; constnet needs every dimension at least 1", tensor.shape)));
    }
    Ok(())
}

/// `(scale, zero point)` of a per-tensor-quantized int8 tensor.
fn per_tensor(t: &TensorFacts<'_>) -> core::result::Result<(f32, i8), String> {
    match (&t.scale[..], &t.zero_point[..]) {
        ([s], [z]) if s.is_finite() && *s > 0.0 => match i8::try_from(*z) {
            Ok(z) => Ok((*s, z)),
            Err(_) => Err(format!("zero point {z} is outside int8")),
        },
        ([s], [_]) => Err(format!("scale {s} is not finite and positive")),
        (s, z) => Err(format!(
            "has {} scales and {} zero points; an int8 activation has one of each",
            s.len(),
            z.len()
        )),
    }
}

fn activation_params(cx: &Cx<'_>, t: usize) -> Result<(f32, i8)> {
    let tensor = cx.tensor(t)?;
    if tensor.dtype != INT8 {
        return Err(cx.err(Some(t), format!("has type {}, expected INT8", type_name(tensor.dtype))));
    }
    per_tensor(tensor).map_err(|p| cx.err(Some(t), p))
}

fn len_of(cx: &Cx<'_>, t: usize) -> Result<usize> {
    cx.tensor(t)?.elements().ok_or_else(|| cx.err(Some(t), "has a shape with no element count".into()))
}

/// TFLite's quantization of an activation bound `f` at `(scale, zp)`:
/// `zp + round(f / scale)` in f32, as `CalculateActivationRangeQuantized`.
fn quantize_bound(f: f32, (scale, zp): (f32, i8)) -> i32 {
    (zp as i32).saturating_add(libm::roundf(f / scale) as i32)
}

fn fully_connected(
    cx: &Cx<'_>,
    op: &fb::OperatorRef<'_>,
    inputs: &[i32],
    out: usize,
) -> Result<Vec<ImportedLayer>> {
    let (fused, weights_format, keep_num_dims) = match op.builtin_options() {
        Ok(Some(fb::BuiltinOptionsRef::FullyConnectedOptions(o))) => (
            o.fused_activation_function().map_err(malformed("FullyConnectedOptions"))?,
            o.weights_format().map_err(malformed("FullyConnectedOptions"))?,
            o.keep_num_dims().map_err(malformed("FullyConnectedOptions"))?,
        ),
        Ok(None) => (0, 0, false),
        Ok(Some(_)) => return Err(cx.err(None, "carries options of another operator".into())),
        Err(e) => return Err(malformed(format!("operator {} builtin_options", cx.index))(e)),
    };
    let _ = keep_num_dims; // one sample: [1, n] and [n] hold the same values
    if weights_format != 0 {
        return Err(cx.err(
            None,
            "has shuffled weights (weights_format SHUFFLED4x16INT8); constnet reads DEFAULT".into(),
        ));
    }
    let fused_name = usize::try_from(fused).ok().and_then(|i| ACT_NAMES.get(i)).copied().unwrap_or("unknown");
    let (x, w) = match inputs {
        [x, w] | [x, w, _] => (cx.tensor_index(*x)?, cx.tensor_index(*w)?),
        _ => return Err(cx.err(None, format!("has {} inputs; FULLY_CONNECTED takes 2 or 3", inputs.len()))),
    };
    let b = match inputs.get(2) {
        Some(&b) if b >= 0 => Some(cx.tensor_index(b)?),
        _ => None,
    };
    let wt = cx.tensor(w)?;
    let (outs, ins) = match wt.shape[..] {
        [o, i] if o > 0 && i > 0 => (o as usize, i as usize),
        _ => {
            return Err(
                cx.err(Some(w), format!("weights have shape {:?}; expected [outputs, inputs]", wt.shape))
            );
        }
    };
    let (x_len, out_len) = (len_of(cx, x)?, len_of(cx, out)?);
    if x_len != ins {
        return Err(cx.err(Some(x), format!("holds {x_len} values, but the weights take {ins} inputs")));
    }
    if out_len != outs {
        return Err(cx.err(Some(out), format!("holds {out_len} values, but the weights give {outs} outputs")));
    }
    let xt = cx.tensor(x)?;
    match (xt.dtype, wt.dtype) {
        (FLOAT32, FLOAT32) => {
            let weight = f32s(cx.constant(w, ins * outs, 4, "weights")?);
            let bias = match b {
                Some(b) => {
                    let bt = cx.tensor(b)?;
                    if bt.dtype != FLOAT32 {
                        return Err(cx.err(
                            Some(b),
                            format!("the bias has type {}, expected FLOAT32", type_name(bt.dtype)),
                        ));
                    }
                    f32s(cx.constant(b, outs, 4, "bias")?)
                }
                None => vec![0.0; outs],
            };
            let dense = ImportedLayer::FullyConnected { ins, outs, weight, bias };
            match fused_name {
                "NONE" => Ok(vec![dense]),
                "RELU" => {
                    Ok(vec![dense, ImportedLayer::Activation { kind: Activation::Rectifier, len: outs }])
                }
                other => {
                    Err(cx
                        .err(None, format!("fused activation {other} on an f32 layer has no constnet layer")))
                }
            }
        }
        (INT8, INT8) => {
            let input = activation_params(cx, x)?;
            let output = activation_params(cx, out)?;
            let weight: Vec<i8> =
                cx.constant(w, ins * outs, 1, "weights")?.iter().map(|&v| v as i8).collect();
            if wt.zero_point.iter().any(|&z| z != 0) {
                return Err(cx.err(
                    Some(w),
                    "weights have a non-zero zero point; TFLite's int8 weights are symmetric".into(),
                ));
            }
            let (weight_scale, per_channel) = match wt.scale.len() {
                1 => (vec![wt.scale[0]; outs], false),
                n if n == outs && wt.quantized_dimension == 0 => (wt.scale.clone(), true),
                n => {
                    return Err(cx.err(
                        Some(w),
                        format!(
                            "weights have {n} scales along dimension {}; expected 1 or {outs} along dimension 0",
                            wt.quantized_dimension
                        ),
                    ));
                }
            };
            if let Some(s) = weight_scale.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
                return Err(cx.err(Some(w), format!("a weight scale is {s}, not finite and positive")));
            }
            let bias = match b {
                Some(b) => {
                    let bt = cx.tensor(b)?;
                    if bt.dtype != INT32 {
                        return Err(cx.err(
                            Some(b),
                            format!("the bias has type {}, expected INT32", type_name(bt.dtype)),
                        ));
                    }
                    cx.constant(b, outs, 4, "bias")?
                        .chunks_exact(4)
                        .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect()
                }
                None => vec![0; outs],
            };
            let lo = -128i32;
            let hi = 127i32;
            let (min, max) = match fused_name {
                "NONE" => (lo, hi),
                "RELU" => (lo.max(quantize_bound(0.0, output)), hi),
                "RELU6" => (lo.max(quantize_bound(0.0, output)), hi.min(quantize_bound(6.0, output))),
                "RELU_N1_TO_1" => (lo.max(quantize_bound(-1.0, output)), hi.min(quantize_bound(1.0, output))),
                other => {
                    return Err(
                        cx.err(None, format!("fused activation {other} on an int8 layer is not supported"))
                    );
                }
            };
            if min > max {
                return Err(
                    cx.err(Some(out), format!("the fused {fused_name} clamp [{min}, {max}] is empty"))
                );
            }
            Ok(vec![ImportedLayer::FullyConnectedInt8 {
                ins,
                outs,
                weight,
                bias,
                input,
                weight_scale,
                per_channel,
                output,
                clamp: (min as i8, max as i8),
                fused: fused_name,
            }])
        }
        (FLOAT32, INT8) => Err(cx.err(
            Some(w),
            "hybrid layer (f32 activations, int8 weights: dynamic-range quantization); \
             convert with full-integer quantization or none"
                .into(),
        )),
        (a, wd) => Err(cx.err(
            Some(x),
            format!(
                "input {} with weights {}: constnet runs FLOAT32 or INT8 layers",
                type_name(a),
                type_name(wd)
            ),
        )),
    }
}

fn f32s(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

fn quantize(cx: &Cx<'_>, x: usize, out: usize) -> Result<Vec<ImportedLayer>> {
    let xt = cx.tensor(x)?;
    if xt.dtype != FLOAT32 {
        return Err(cx.err(
            Some(x),
            format!("requantizes {} to INT8; constnet's Quantize takes FLOAT32", type_name(xt.dtype)),
        ));
    }
    let params = activation_params(cx, out)?;
    Ok(vec![ImportedLayer::ToInt8 { len: len_of(cx, out)?, params }])
}

fn dequantize(cx: &Cx<'_>, x: usize, out: usize) -> Result<Vec<ImportedLayer>> {
    let params = activation_params(cx, x)?;
    let ot = cx.tensor(out)?;
    if ot.dtype != FLOAT32 {
        return Err(cx.err(Some(out), format!("dequantizes to {}, expected FLOAT32", type_name(ot.dtype))));
    }
    Ok(vec![ImportedLayer::ToF32 { len: len_of(cx, x)?, params }])
}

/// SHAPE, STRIDED_SLICE and PACK on shapes (what Keras' `Flatten` emits to
/// compute RESHAPE's new shape when the batch size is dynamic): skipped, as
/// the tensors' static shapes already give the result; checked to produce
/// INT32 from constants, the shape of a tensor or other such results.
fn shape_arithmetic(
    cx: &Cx<'_>,
    code: i32,
    inputs: &[i32],
    out: usize,
    shape_tensors: &[usize],
) -> Result<()> {
    if cx.tensor(out)?.dtype != INT32 {
        return Err(cx.err(
            Some(out),
            "computes something other than an INT32 shape; constnet has no layer for it".into(),
        ));
    }
    for (k, &t) in inputs.iter().enumerate() {
        let t = cx.tensor_index(t)?;
        let ok = (code == SHAPE && k == 0) || cx.tensor(t)?.data.is_some() || shape_tensors.contains(&t);
        if !ok {
            return Err(cx.err(
                Some(t),
                "takes a run-time value other than a shape; constnet has no layer for it".into(),
            ));
        }
    }
    Ok(())
}

fn reshape(
    cx: &Cx<'_>,
    inputs: &[i32],
    x: usize,
    out: usize,
    shape_tensors: &[usize],
) -> Result<Vec<ImportedLayer>> {
    if let Some(&s) = inputs.get(1) {
        let s = if s >= 0 { Some(cx.tensor_index(s)?) } else { None };
        if let Some(s) = s
            && cx.tensor(s)?.data.is_none()
            && !shape_tensors.contains(&s)
        {
            return Err(cx.err(
                Some(s),
                "takes its new shape from a run-time value; constnet needs it constant".into(),
            ));
        }
    }
    let (xt, ot) = (cx.tensor(x)?, cx.tensor(out)?);
    if xt.dtype != ot.dtype {
        return Err(cx.err(Some(out), "changes the element type".into()));
    }
    if xt.dtype == INT8 && activation_params(cx, x)? != activation_params(cx, out)? {
        return Err(cx.err(Some(out), "changes the quantization".into()));
    }
    // Row-major values either side: the same count is a flatten.
    if len_of(cx, x)? != len_of(cx, out)? {
        return Err(cx.err(Some(out), "changes the number of values".into()));
    }
    Ok(Vec::new())
}

fn relu(cx: &Cx<'_>, x: usize, out: usize) -> Result<Vec<ImportedLayer>> {
    let len = len_of(cx, x)?;
    match cx.tensor(x)?.dtype {
        FLOAT32 => Ok(vec![ImportedLayer::Activation { kind: Activation::Rectifier, len }]),
        _ => {
            let (pi, po) = (activation_params(cx, x)?, activation_params(cx, out)?);
            if pi != po {
                return Err(cx.err(
                    Some(out),
                    "an int8 RELU that also rescales (different input and output quantization) is not supported".into(),
                ));
            }
            Ok(vec![ImportedLayer::ReluInt8 { len, clamp: (po.1, 127) }])
        }
    }
}

fn lut(cx: &Cx<'_>, code: i32, x: usize, out: usize) -> Result<Vec<ImportedLayer>> {
    let len = len_of(cx, x)?;
    let (kind, operator) = if code == TANH {
        (Activation::HyperbolicTangent, "TANH")
    } else {
        (Activation::Logistic, "LOGISTIC")
    };
    match cx.tensor(x)?.dtype {
        FLOAT32 => Ok(vec![ImportedLayer::Activation { kind, len }]),
        _ => {
            let (pi, po) = (activation_params(cx, x)?, activation_params(cx, out)?);
            let (input, output) = (QuantParams::new(pi.0, pi.1), QuantParams::new(po.0, po.1));
            let table = if code == TANH {
                QLut::from_fn(input, output, libm::tanhf)
            } else {
                QLut::from_fn(input, output, |v| 1.0 / (1.0 + libm::expf(-v)))
            };
            Ok(vec![ImportedLayer::TableInt8 { len, operator, table: Box::new(*table.table()) }])
        }
    }
}

fn softmax(cx: &Cx<'_>, op: &fb::OperatorRef<'_>, x: usize, out: usize) -> Result<Vec<ImportedLayer>> {
    let _ = out;
    let beta = match op.builtin_options() {
        Ok(Some(fb::BuiltinOptionsRef::SoftmaxOptions(o))) => {
            o.beta().map_err(malformed("SoftmaxOptions"))?
        }
        Ok(_) => 1.0,
        Err(e) => return Err(malformed(format!("operator {} builtin_options", cx.index))(e)),
    };
    match cx.tensor(x)?.dtype {
        FLOAT32 if beta == 1.0 => {
            Ok(vec![ImportedLayer::Activation { kind: Activation::SoftMax, len: len_of(cx, x)? }])
        }
        FLOAT32 => Err(cx.err(None, format!("softmax with beta {beta}; constnet's Softmax has beta 1"))),
        _ => Err(cx.err(
            Some(x),
            "int8 SOFTMAX has no constnet layer; for a classifier, convert the model without the final \
             softmax (the argmax of the logits is the same class)"
                .into(),
        )),
    }
}
