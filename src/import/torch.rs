//! PyTorch `state_dict`s as safetensors (placeholder: being written).
