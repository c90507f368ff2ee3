# Prints vm/src/unicode_printable.rs: the code points str.isprintable() rejects in
# CPython 3.12. Run by vm/tests/cpython_names.rs, which checks the committed file is what
# this prints.

import unicodedata

ranges = []
start = None
for c in range(0x110000):
    if not chr(c).isprintable():
        if start is None:
            start = c
    elif start is not None:
        ranges.append((start, c - 1))
        start = None
if start is not None:
    ranges.append((start, 0x10FFFF))

print("//! The code points CPython 3.12's `str.isprintable()` rejects (Unicode %s: categories"
      % unicodedata.unidata_version)
print("//! Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs other than space), which `repr` escapes. Generated")
print("//! by `vm/tests/cpython_names.rs` from `vm/tests/unicode_printable.py` under python3.12")
print("//! (it fails when this file is stale and says how to regenerate it); do not edit.")
print()
print("/// Inclusive ranges, sorted and disjoint.")
print("pub const NOT_PRINTABLE: &[(u32, u32)] = &[")
for r in ranges:
    print("    (0x%x, 0x%x)," % r)
print("];")
