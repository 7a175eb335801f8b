#!/usr/bin/env bash
# Regenerates src/import/tflite/schema.rs from src/import/tflite/schema.fbs
# with planus-cli 1.3 (`cargo install planus-cli --version 1.3.0`). planus
# derives serde traits the crate does not use; they are removed so no serde
# dependency is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
planus rust src/import/tflite/schema.fbs -o src/import/tflite/schema.rs
sed -i 's/, ::serde::Serialize, ::serde::Deserialize//' src/import/tflite/schema.rs
