//! `_stat` (CPython `Modules/_stat.c`): the file-mode constants and predicates that
//! `stat.py` takes over with `from _stat import *`. The values are Linux's, as CPython
//! 3.12 built for Linux has them (`S_IFDOOR`, `S_IFPORT` and `S_IFWHT` are 0 there, and
//! the Windows `FILE_ATTRIBUTE_*` names are absent).

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Value};
use super::super::PyResult;

const S_IFMT: u32 = 0o170000;
const S_IFDIR: u32 = 0o040000;
const S_IFCHR: u32 = 0o020000;
const S_IFBLK: u32 = 0o060000;
const S_IFREG: u32 = 0o100000;
const S_IFIFO: u32 = 0o010000;
const S_IFLNK: u32 = 0o120000;
const S_IFSOCK: u32 = 0o140000;

/// The integer constants, in `_stat.c`'s `stat_exec` order.
const CONSTANTS: &[(&str, i64)] = &[
    ("S_IFDIR", S_IFDIR as i64),
    ("S_IFCHR", S_IFCHR as i64),
    ("S_IFBLK", S_IFBLK as i64),
    ("S_IFREG", S_IFREG as i64),
    ("S_IFIFO", S_IFIFO as i64),
    ("S_IFLNK", S_IFLNK as i64),
    ("S_IFSOCK", S_IFSOCK as i64),
    ("S_IFDOOR", 0),
    ("S_IFPORT", 0),
    ("S_IFWHT", 0),
    ("S_ISUID", 0o4000),
    ("S_ISGID", 0o2000),
    ("S_ISVTX", 0o1000),
    ("S_ENFMT", 0o2000),
    ("S_IREAD", 0o400),
    ("S_IWRITE", 0o200),
    ("S_IEXEC", 0o100),
    ("S_IRWXU", 0o700),
    ("S_IRUSR", 0o400),
    ("S_IWUSR", 0o200),
    ("S_IXUSR", 0o100),
    ("S_IRWXG", 0o070),
    ("S_IRGRP", 0o040),
    ("S_IWGRP", 0o020),
    ("S_IXGRP", 0o010),
    ("S_IRWXO", 0o007),
    ("S_IROTH", 0o004),
    ("S_IWOTH", 0o002),
    ("S_IXOTH", 0o001),
    ("UF_NODUMP", 0x1),
    ("UF_IMMUTABLE", 0x2),
    ("UF_APPEND", 0x4),
    ("UF_OPAQUE", 0x8),
    ("UF_NOUNLINK", 0x10),
    ("UF_COMPRESSED", 0x20),
    ("UF_HIDDEN", 0x8000),
    ("SF_ARCHIVED", 0x10000),
    ("SF_IMMUTABLE", 0x20000),
    ("SF_APPEND", 0x40000),
    ("SF_NOUNLINK", 0x100000),
    ("SF_SNAPSHOT", 0x200000),
    ("ST_MODE", 0),
    ("ST_INO", 1),
    ("ST_DEV", 2),
    ("ST_NLINK", 3),
    ("ST_UID", 4),
    ("ST_GID", 5),
    ("ST_SIZE", 6),
    ("ST_ATIME", 7),
    ("ST_MTIME", 8),
    ("ST_CTIME", 9),
];

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(
        d,
        "_stat",
        &[
            ("S_ISDIR", is_dir),
            ("S_ISCHR", is_chr),
            ("S_ISBLK", is_blk),
            ("S_ISREG", is_reg),
            ("S_ISFIFO", is_fifo),
            ("S_ISLNK", is_lnk),
            ("S_ISSOCK", is_sock),
            ("S_ISDOOR", is_door),
            ("S_ISPORT", is_port),
            ("S_ISWHT", is_wht),
            ("S_IMODE", imode),
            ("S_IFMT", ifmt),
            ("filemode", filemode),
        ],
    );
    for &(name, value) in CONSTANTS {
        d.set_str(name, Value::Int(value));
    }
}

/// The one argument of each function, as `_PyLong_AsMode_t` converts it: an int (no
/// `__index__`), not negative, and within `mode_t`'s 32 bits.
fn mode(vm: &mut Vm, args: &Args, name: &str) -> PyResult<u32> {
    let [m] = Spec::method("_stat", name, Style::O, &["mode"], 1).bind::<1>(vm, args, 0)?;
    let m = m.unwrap_or(Value::None);
    let unsigned = match m.builtin_value() {
        Value::Bool(b) => u64::from(*b),
        Value::Int(i) if *i < 0 => {
            return Err(vm.err(
                "OverflowError",
                "can't convert negative value to unsigned int",
            ))
        }
        Value::Int(i) => i.unsigned_abs(),
        Value::BigInt(b) if b.sign() == num_bigint::Sign::Minus => {
            return Err(vm.err(
                "OverflowError",
                "can't convert negative value to unsigned int",
            ))
        }
        Value::BigInt(_) => {
            return Err(vm.err(
                "OverflowError",
                "Python int too large to convert to C unsigned long",
            ))
        }
        _ => return Err(vm.type_error("an integer is required")),
    };
    u32::try_from(unsigned).map_err(|_| vm.err("OverflowError", "mode out of range"))
}

fn kind_is(vm: &mut Vm, args: &Args, name: &str, kind: u32) -> PyResult<Value> {
    Ok(Value::Bool(mode(vm, args, name)? & S_IFMT == kind))
}

fn is_dir(vm: &mut Vm, args: Args) -> PyResult<Value> {
    kind_is(vm, &args, "S_ISDIR", S_IFDIR)
}

fn is_chr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    kind_is(vm, &args, "S_ISCHR", S_IFCHR)
}

fn is_blk(vm: &mut Vm, args: Args) -> PyResult<Value> {
    kind_is(vm, &args, "S_ISBLK", S_IFBLK)
}

fn is_reg(vm: &mut Vm, args: Args) -> PyResult<Value> {
    kind_is(vm, &args, "S_ISREG", S_IFREG)
}

fn is_fifo(vm: &mut Vm, args: Args) -> PyResult<Value> {
    kind_is(vm, &args, "S_ISFIFO", S_IFIFO)
}

fn is_lnk(vm: &mut Vm, args: Args) -> PyResult<Value> {
    kind_is(vm, &args, "S_ISLNK", S_IFLNK)
}

fn is_sock(vm: &mut Vm, args: Args) -> PyResult<Value> {
    kind_is(vm, &args, "S_ISSOCK", S_IFSOCK)
}

/// Doors, event ports and whiteouts do not exist on Linux: `_stat.c` answers False
/// (after converting the argument).
fn never(vm: &mut Vm, args: &Args, name: &str) -> PyResult<Value> {
    mode(vm, args, name)?;
    Ok(Value::Bool(false))
}

fn is_door(vm: &mut Vm, args: Args) -> PyResult<Value> {
    never(vm, &args, "S_ISDOOR")
}

fn is_port(vm: &mut Vm, args: Args) -> PyResult<Value> {
    never(vm, &args, "S_ISPORT")
}

fn is_wht(vm: &mut Vm, args: Args) -> PyResult<Value> {
    never(vm, &args, "S_ISWHT")
}

fn imode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(Value::Int(i64::from(mode(vm, &args, "S_IMODE")? & 0o7777)))
}

fn ifmt(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(Value::Int(i64::from(mode(vm, &args, "S_IFMT")? & S_IFMT)))
}

/// `filemode(mode)`: `-rwxr-xr-x`, as `stat_filemode` and `filetype` write it.
fn filemode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let m = mode(vm, &args, "filemode")?;
    let kind = match m & S_IFMT {
        S_IFREG => '-',
        S_IFDIR => 'd',
        S_IFLNK => 'l',
        S_IFBLK => 'b',
        S_IFCHR => 'c',
        S_IFIFO => 'p',
        S_IFSOCK => 's',
        _ => '?',
    };
    let bit = |mask: u32, c: char| if m & mask != 0 { c } else { '-' };
    // The execute position shows the set-id or sticky bit: lower case when the
    // execute bit is also set, upper case when it is not.
    let exec = |x: u32, special: u32, set: char, unset: char| match (m & special != 0, m & x != 0) {
        (true, true) => set,
        (true, false) => unset,
        (false, true) => 'x',
        (false, false) => '-',
    };
    let s: String = [
        kind,
        bit(0o400, 'r'),
        bit(0o200, 'w'),
        exec(0o100, 0o4000, 's', 'S'),
        bit(0o040, 'r'),
        bit(0o020, 'w'),
        exec(0o010, 0o2000, 's', 'S'),
        bit(0o004, 'r'),
        bit(0o002, 'w'),
        exec(0o001, 0o1000, 't', 'T'),
    ]
    .iter()
    .collect();
    Ok(Value::str(&s))
}
