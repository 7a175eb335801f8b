// An int8 layer fed f32 values (a Quantize layer is missing in front of it).
use constnet::Layer;
use constnet::quant::QDense;

fn main() {
    let layer = QDense::<2, 1>::new([[1, -1]], [0], [1 << 30], [0], 0, 0, -128, 127);
    layer.forward(&[0.5f32, 0.25]);
}
