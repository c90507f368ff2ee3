//! The marshal reader on input CPython did not write: framespec's own `.pyc` files read
//! back as written, and every malformed, truncated or unrepresentable input is a located
//! error, never a panic or a different value. (Files CPython writes are read in
//! `tests/pyc_vs_cpython.rs`.)

use framespec_vm::code::Constant;
use framespec_vm::marshal::{read_code, read_pyc, write_code, write_pyc, ErrorKind, FLAG_REF};

const PROGRAM: &str = "\
import sys
x = (1, 2.5, -3, 'abc', 'h\u{e9}llo', b'\\x00b', None, True, ..., 2**40, -2**62, 2**100, -(1 << 70), 2**64 - 1)
def f(a, /, b, *c, d=4, **e):
    def g():
        return a + b
    try:
        return g()
    except ValueError as exc:
        return exc
class C:
    def m(self):
        return [y for y in range(3)]
print(f(1, 2), x)
";

fn compiled(source: &str) -> std::rc::Rc<framespec_vm::code::CodeObject> {
    framespec_vm::compile(source, "main.py").expect("the program compiles")
}

#[test]
fn a_written_pyc_reads_back_as_the_same_code_object() {
    let code = compiled(PROGRAM);
    let data = write_pyc(&code, 1_700_000_000, PROGRAM.len() as u64);
    assert_eq!(&data[..4], &[0xcb, 0x0d, 0x0d, 0x0a]);
    assert_eq!(read_pyc(&data).expect("reads back"), code);
}

#[test]
fn every_truncation_is_a_located_malformed_error() {
    let data = write_pyc(&compiled(PROGRAM), 0, 0);
    for len in 0..data.len() {
        let err = read_pyc(&data[..len]).expect_err("a truncated file is an error");
        assert_eq!(err.kind, ErrorKind::Malformed, "at {len}: {err}");
        assert!(err.offset <= len, "at {len}: error at byte {}", err.offset);
    }
}

/// The marshal data of `code` with its one constant, the string `PLACE-HOLDER`, replaced by
/// `object` (given flagged, so the later references keep their indices).
fn with_constant(object: &[u8]) -> (Vec<u8>, usize) {
    let code = compiled("x = 'PLACE-HOLDER'\n");
    let data = write_code(&code);
    let needle = [&[b'z' | FLAG_REF, 12][..], b"PLACE-HOLDER"].concat();
    let at = data
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the placeholder is written as a short ASCII string");
    let patched = [&data[..at], object, &data[at + needle.len()..]].concat();
    (patched, at)
}

#[test]
fn an_integer_beyond_64_bits_reads_as_a_big_constant() {
    // marshal.dumps(1 << 70) by CPython 3.12: five 15-bit digits.
    let (data, _) = with_constant(b"\xec\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04");
    let code = read_code(&data, 0).expect("a big int");
    let two_70 = num_bigint::BigInt::from(1) << 70u32;
    assert_eq!(code.co_consts[0], Constant::BigInt(two_70.into()));
    // marshal.dumps(-2**31 - 1): a TYPE_LONG that fits 64 bits is an ordinary int.
    let (data, _) = with_constant(b"\xec\xfd\xff\xff\xff\x01\x00\x00\x00\x02\x00");
    let code = read_code(&data, 0).expect("fits");
    assert_eq!(code.co_consts[0], Constant::Int(-2_147_483_649));
}

#[test]
fn a_complex_constant_reads_as_its_parts() {
    // marshal.dumps(3j) by CPython 3.12 (TYPE_BINARY_COMPLEX), and the text form of
    // marshal versions 0 and 1 (TYPE_COMPLEX) of `(-1.5-0j)`.
    let (data, _) =
        with_constant(b"\xf9\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08@");
    let code = read_code(&data, 0).expect("a complex");
    assert_eq!(code.co_consts[0], Constant::Complex(0.0, 3.0));
    let (data, _) = with_constant(b"\xf8\x04-1.5\x02-0");
    let code = read_code(&data, 0).expect("a complex as text");
    match code.co_consts[0] {
        Constant::Complex(re, im) => assert_eq!((re, im.to_bits()), (-1.5, (-0.0f64).to_bits())),
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn a_list_constant_is_unsupported_at_its_offset() {
    // marshal.dumps([]) without FLAG_REF: marshal data, but no code object constant.
    let (data, at) = with_constant(b"[\x00\x00\x00\x00");
    let err = read_code(&data, 100).expect_err("no list constants");
    assert_eq!(
        (err.kind, err.offset),
        (ErrorKind::Unsupported, at + 100),
        "{err}"
    );
}

#[test]
fn malformed_objects_are_located() {
    for (object, what) in [
        (&b"\xff"[..], "unknown type code"),
        (b"\xf2\x07\x00\x00\x00", "invalid reference"),
        (b"\xec\x01\x00\x00\x00\x00\x00", "top digit"),
        (b"\xec\x01\x00\x00\x00\x00\x90", "out of range"),
        (b"\xf3\xff\xff\xff\xff", "negative"),
        (b"\xf5\x02\x00\x00\x00\xc3\x28", "not UTF-8"),
        (b"0", "NULL"),
    ] {
        let (data, at) = with_constant(object);
        let err = read_code(&data, 0).expect_err(what);
        assert_eq!(err.kind, ErrorKind::Malformed, "{what}: {err}");
        assert!(err.to_string().contains(what), "{what}: {err}");
        assert!(
            err.offset >= at && err.offset < at + object.len(),
            "{what}: {err}"
        );
    }
    // A lone surrogate is valid for CPython (surrogatepass): a str constant that holds one.
    let (data, _) = with_constant(b"\xf5\x03\x00\x00\x00\xed\xa0\x80");
    let code = read_code(&data, 0).expect("a str with a lone surrogate");
    assert_eq!(
        code.co_consts[0],
        Constant::StrSurrogates(b"\xed\xa0\x80".as_slice().into())
    );
}

#[test]
fn the_header_is_checked() {
    let good = write_pyc(&compiled("pass\n"), 0, 0);
    let mut old = good.clone();
    old[..2].copy_from_slice(&3495u16.to_le_bytes());
    let err = read_pyc(&old).expect_err("3.11's magic");
    assert!(err.to_string().contains("magic number 3495"), "{err}");
    let mut flags = good.clone();
    flags[4] = 4;
    assert_eq!(read_pyc(&flags).expect_err("flags").offset, 4);
    let mut hashed = good;
    hashed[4] = 1;
    read_pyc(&hashed).expect("a hash-based .pyc runs like a timestamp-based one");
}

#[test]
fn deep_nesting_is_refused_without_exhausting_the_stack() {
    // A million nested one-item tuples: CPython refuses past 2,000 levels; so does the
    // reader, on a thread with the stack of a test thread.
    let mut object = Vec::new();
    for _ in 0..1_000_000 {
        object.extend_from_slice(b")\x01");
    }
    object.push(b'N');
    let (data, _) = with_constant(&[&[b')' | FLAG_REF, 1][..], &object].concat());
    let err = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || read_code(&data, 0).expect_err("too deep"))
        .expect("thread")
        .join()
        .expect("no stack overflow");
    assert!(err.to_string().contains("nested more than 2000"), "{err}");
}
