#!/usr/bin/env python3
"""Checks that every floating-point tensor in .safetensors files is finite (no NaN, no infinity).

CI tooling, standard library only (CI machines have python3 but no numpy): reads the header as the format defines it
(8-byte little-endian header length, JSON header, raw little-endian tensor data) and tests each value's exponent bits.
Exits 1 naming the first problem of each file, 0 when every file is well-formed and finite.
Usage: check_safetensors_finite.py FILE [FILE ...]
"""
import json
import struct
import sys
from array import array

# dtype -> (array typecode of the same width, mask of the exponent bits): a value is NaN or infinite exactly when all
# its exponent bits are set.
FLOAT_DTYPES = {
    "F64": ("Q", 0x7FF0000000000000),
    "F32": ("I", 0x7F800000),
    "F16": ("H", 0x7C00),
    "BF16": ("H", 0x7F80),
}
# Integers and booleans are always finite.
EXACT_DTYPES = {"I64", "U64", "I32", "U32", "I16", "U16", "I8", "U8", "BOOL"}


def decoded(raw, dtype):
    """The raw values as unsigned integers of the dtype's width, in this machine's byte order."""
    values = array(FLOAT_DTYPES[dtype][0])
    values.frombytes(raw)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def check(path):
    """None when the file is well-formed and finite, else the first problem found."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return f"{path}: {e.strerror}"
    if len(data) < 8:
        return f"{path}: too short to be a safetensors file"
    (header_length,) = struct.unpack("<Q", data[:8])
    if 8 + header_length > len(data):
        return f"{path}: header length {header_length} runs past the end of the file"
    try:
        header = json.loads(data[8 : 8 + header_length])
    except ValueError as e:
        return f"{path}: the header is not JSON ({e})"
    body = memoryview(data)[8 + header_length :]
    tensors = {name: entry for name, entry in header.items() if name != "__metadata__"}
    if not tensors:
        return f"{path}: holds no tensors"
    values = 0
    for name, entry in sorted(tensors.items()):
        dtype, (begin, end) = entry["dtype"], entry["data_offsets"]
        if not 0 <= begin <= end <= len(body):
            return f"{path}: {name}: data offsets {begin}..{end} lie outside the {len(body)}-byte data section"
        if dtype in EXACT_DTYPES:
            continue
        if dtype not in FLOAT_DTYPES:
            return f"{path}: {name}: dtype {dtype} cannot be checked here"
        typecode, exponent = FLOAT_DTYPES[dtype]
        if (end - begin) % array(typecode).itemsize:
            return f"{path}: {name}: {end - begin} bytes is not a whole number of {dtype} values"
        tensor = decoded(body[begin:end], dtype)
        bad = sum(1 for v in tensor if v & exponent == exponent)
        if bad:
            return f"{path}: {name} ({dtype}, shape {entry['shape']}) has {bad} non-finite value(s)"
        values += len(tensor)
    print(f"{path}: {len(tensors)} tensors, {values} floating-point values, all finite")
    return None


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    problems = [problem for problem in map(check, paths) if problem]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
