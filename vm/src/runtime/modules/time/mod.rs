//! `time` (CPython `Modules/timemodule.c`): the clocks, `sleep`, `struct_time` and the
//! calendar functions `gmtime`, `localtime`, `mktime`, `asctime`, `ctime` and `strftime`
//! (glibc's C-locale conversions, here in `strftime`), with CPython's argument checks
//! (`gettmarg`, `checktm`) and messages.
//!
//! The VM's fixed environment has the time zone UTC (`TZ=UTC`, as the harness runs
//! CPython): local time is UTC, `timezone`/`altzone` are 0, `tzname` is ('UTC', 'UTC').
//! The clocks read the machine's (a program printing them differs between runs on CPython
//! too); `process_time` and `thread_time`, which need the process's CPU clock, and
//! `clock_settime` are present and unsupported. `strptime` runs `_strptime` (Python code,
//! as CPython calls it).

mod strftime;

use std::rc::Rc;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::{structseq, PyResult};

/// `timemodule.c`'s `module_doc`, first paragraph.
const DOC: &str = "This module provides various functions to manipulate time values.\n\nThere are two standard representations of time.  One is the number\nof seconds since the Epoch, in UTC (a.k.a. GMT).  It may be an integer\nor a floating point number (to represent fractions of seconds).\nThe epoch is the point where the time starts, the return value of time.gmtime(0).\nIt is January 1, 1970, 00:00:00 (UTC) on all platforms.\n\nThe other representation is a tuple of 9 integers giving local time.\nThe tuple items are:\n  year (including century, e.g. 1998)\n  month (1-12)\n  day (1-31)\n  hours (0-23)\n  minutes (0-59)\n  seconds (0-59)\n  weekday (0-6, Monday is 0)\n  Julian day (day in the year, 1-366)\n  DST (Daylight Savings Time) flag (-1, 0 or 1)\nIf the DST flag is 0, the time is given in the regular time zone;\nif it is 1, the time is given in the DST time zone;\nif it is -1, mktime() should guess based on the date and time.\n";

/// The `CLOCK_*` constants of Linux.
const CLOCKS: &[(&str, i64)] = &[
    ("CLOCK_BOOTTIME", 7),
    ("CLOCK_MONOTONIC", 1),
    ("CLOCK_MONOTONIC_RAW", 4),
    ("CLOCK_PROCESS_CPUTIME_ID", 2),
    ("CLOCK_REALTIME", 0),
    ("CLOCK_TAI", 11),
    ("CLOCK_THREAD_CPUTIME_ID", 3),
];

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    super::add_functions(d, "time", FUNCTIONS);
    for &(name, v) in CLOCKS {
        d.set_str(name, Value::Int(v));
    }
    d.set_str("_STRUCT_TM_ITEMS", Value::Int(11));
    d.set_str("struct_time", Value::Type(vm.ty("struct_time")));
    d.set_str("timezone", Value::Int(0));
    d.set_str("altzone", Value::Int(0));
    d.set_str("daylight", Value::Int(0));
    d.set_str(
        "tzname",
        Value::tuple(vec![Value::str("UTC"), Value::str("UTC")]),
    );
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("time", time),
    ("time_ns", time_ns),
    ("monotonic", monotonic),
    ("monotonic_ns", monotonic_ns),
    ("perf_counter", monotonic),
    ("perf_counter_ns", monotonic_ns),
    ("clock_gettime", clock_gettime),
    ("clock_gettime_ns", clock_gettime_ns),
    ("clock_getres", clock_getres),
    ("get_clock_info", get_clock_info),
    ("sleep", sleep),
    ("gmtime", gmtime),
    ("localtime", localtime),
    ("mktime", mktime),
    ("asctime", asctime),
    ("ctime", ctime),
    ("strftime", strftime),
    ("strptime", strptime),
    ("tzset", tzset),
];

/// Nanoseconds since the epoch.
fn now_ns() -> i128 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// Nanoseconds of the monotonic clock, from the first reading in this process.
fn monotonic_now_ns() -> i128 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as i128
}

fn no_args(vm: &Vm, args: &Args, name: &str) -> PyResult<()> {
    Spec::method("time", name, Style::NoArgs, &[], 0)
        .parse(vm, args, 0)
        .map(|_| ())
}

fn ns_value(ns: i128) -> Value {
    match i64::try_from(ns) {
        Ok(v) => Value::Int(v),
        Err(_) => Value::BigInt(Rc::new(num_bigint::BigInt::from(ns))),
    }
}

fn time(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "time")?;
    Ok(Value::Float(now_ns() as f64 / 1e9))
}

fn time_ns(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "time_ns")?;
    Ok(ns_value(now_ns()))
}

fn monotonic(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "monotonic")?;
    Ok(Value::Float(monotonic_now_ns() as f64 / 1e9))
}

fn monotonic_ns(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "monotonic_ns")?;
    Ok(ns_value(monotonic_now_ns()))
}

/// The clock `clk_id` names, read in nanoseconds.
fn read_clock(vm: &mut Vm, name: &str, args: &Args) -> PyResult<i128> {
    let [id] = Spec::function(name, Style::ParseTuple, &["clk_id"], 1).bind::<1>(vm, args, 0)?;
    let id = c_int(vm, &id.unwrap_or_default())?;
    match id {
        0 | 11 => Ok(now_ns()),
        1 | 4 | 7 => Ok(monotonic_now_ns()),
        2 | 3 => Err(vm.unsupported("the CPU-time clocks")),
        _ => Err(errno_error(vm, 22)),
    }
}

/// `OSError(errno, strerror)` for a C library failure.
fn errno_error(vm: &Vm, errno: i64) -> super::super::Throw {
    let exc = crate::runtime::oserror::from_errno(vm, errno, None);
    vm.raise(exc)
}

fn clock_gettime(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let ns = read_clock(vm, "clock_gettime", &args)?;
    Ok(Value::Float(ns as f64 / 1e9))
}

/// `clock_gettime_ns(clk_id)`, whose argument errors name `clock_gettime` as CPython's do.
fn clock_gettime_ns(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(ns_value(read_clock(vm, "clock_gettime", &args)?))
}

fn clock_getres(vm: &mut Vm, args: Args) -> PyResult<Value> {
    read_clock(vm, "clock_getres", &args)?;
    Ok(Value::Float(1e-9))
}

/// `get_clock_info(name)`: a namespace of how the clock is read, as CPython on Linux.
fn get_clock_info(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name] = Spec::function("get_clock_info", Style::ParseTuple, &["name"], 1)
        .bind::<1>(vm, &args, 0)?;
    let name = name.unwrap_or_default();
    let Value::Str(name) = name.builtin_value() else {
        let t = super::super::builtins::type_name_of_arg(vm, &name);
        return Err(vm.type_error(format!("get_clock_info() argument 1 must be str, not {t}")));
    };
    let (clock, monotonic, adjustable) = match &**name {
        "time" => ("CLOCK_REALTIME", false, true),
        "monotonic" | "perf_counter" => ("CLOCK_MONOTONIC", true, false),
        "process_time" => ("CLOCK_PROCESS_CPUTIME_ID", true, false),
        "thread_time" => ("CLOCK_THREAD_CPUTIME_ID", true, false),
        _ => return Err(vm.value_error("unknown clock")),
    };
    let t = vm.ty("SimpleNamespace");
    let kw: Vec<(Rc<str>, Value)> = vec![
        (
            Rc::from("implementation"),
            Value::str(&format!("clock_gettime({clock})")),
        ),
        (Rc::from("monotonic"), Value::Bool(monotonic)),
        (Rc::from("adjustable"), Value::Bool(adjustable)),
        (Rc::from("resolution"), Value::Float(1e-9)),
    ];
    super::super::sysmod::new_namespace(
        vm,
        &t,
        Args {
            pos: Vec::new(),
            kw,
        },
    )
}

/// `sleep(secs)` (`_PyTime_FromSecondsObject`, rounding up as CPython's `sleep` does).
fn sleep(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [secs] = Spec::method("time", "sleep", Style::O, &["secs"], 1).bind::<1>(vm, &args, 0)?;
    let secs = secs.unwrap_or_default();
    // `_PyTime_FromSecondsObject`: a float, else `PyLong_AsLongLong` (`__index__`).
    let secs = match secs {
        Value::Float(_) => secs,
        _ => vm.try_index(&secs)?.unwrap_or(secs),
    };
    let seconds = match secs.builtin_value() {
        Value::Float(f) if f.is_nan() => {
            return Err(vm.value_error("Invalid value NaN (not a number)"))
        }
        Value::Float(f) if f.abs() >= 9.2e18 => {
            return Err(vm.err(
                "OverflowError",
                "timestamp out of range for platform time_t",
            ))
        }
        Value::Float(f) => *f,
        Value::Int(i) => *i as f64,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::BigInt(_) => {
            return Err(vm.err(
                "OverflowError",
                "timestamp too large to convert to C _PyTime_t",
            ))
        }
        other => {
            let t = vm.type_of(other).name().clone();
            return Err(vm.type_error(format!("'{t}' object cannot be interpreted as an integer")));
        }
    };
    if seconds < 0.0 {
        return Err(vm.value_error("sleep length must be non-negative"));
    }
    if seconds > 9.2e9 {
        return Err(vm.err(
            "OverflowError",
            "timestamp too large to convert to C _PyTime_t",
        ));
    }
    std::thread::sleep(Duration::from_secs_f64(seconds));
    // While the program sleeps, its child processes run (`process`).
    super::super::process::run_all(vm)?;
    Ok(Value::None)
}

/// A broken-down time (C's `struct tm` with Python's field meanings where they differ
/// only by an offset: `year` is the full year, `mon` 1-12, `yday` 1-366, `wday` Monday 0).
#[derive(Debug, Clone, PartialEq)]
pub struct Tm {
    pub year: i64,
    pub mon: i64,
    pub mday: i64,
    pub hour: i64,
    pub min: i64,
    pub sec: i64,
    pub wday: i64,
    pub yday: i64,
    pub isdst: i64,
    /// `tm_zone`; `None` for a plain tuple (`strftime` then reads `tzname`).
    pub zone: Option<String>,
    pub gmtoff: i64,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (any month, normalised).
fn days_from_civil(year: i64, mon: i64, mday: i64) -> i64 {
    let year = year + (mon - 1).div_euclid(12);
    let m = (mon - 1).rem_euclid(12) + 1;
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + mday - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The UTC broken-down time of `secs` since the epoch (glibc `__offtime`); `None` when
/// the year does not fit C's `int` (EOVERFLOW).
fn breakdown(secs: i64, zone: &str) -> Option<Tm> {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let mday = doy - (153 * mp + 2) / 5 + 1;
    let mon = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(mon <= 2);
    i32::try_from(year - 1900).ok()?;
    Some(Tm {
        year,
        mon,
        mday,
        hour: rem / 3600,
        min: rem % 3600 / 60,
        sec: rem % 60,
        wday: (days + 3).rem_euclid(7),
        yday: days - days_from_civil(year, 1, 1) + 1,
        isdst: 0,
        zone: Some(zone.to_owned()),
        gmtoff: 0,
    })
}

/// A struct_time of `tm`.
fn struct_time(vm: &Vm, tm: &Tm) -> Value {
    let values = vec![
        Value::Int(tm.year),
        Value::Int(tm.mon),
        Value::Int(tm.mday),
        Value::Int(tm.hour),
        Value::Int(tm.min),
        Value::Int(tm.sec),
        Value::Int(tm.wday),
        Value::Int(tm.yday),
        Value::Int(tm.isdst),
        tm.zone.as_deref().map_or(Value::None, Value::str),
        Value::Int(tm.gmtoff),
    ];
    structseq::make(vm, "struct_time", values)
}

/// `_PyTime_ObjectToTime_t(obj, _PyTime_ROUND_FLOOR)`, or now for None or no argument.
fn seconds_arg(vm: &mut Vm, v: Option<Value>) -> PyResult<i64> {
    let out_of_range = |vm: &Vm| {
        vm.err(
            "OverflowError",
            "timestamp out of range for platform time_t",
        )
    };
    match v.as_ref().map(Value::builtin_value) {
        None | Some(Value::None) => Ok(now_ns().div_euclid(1_000_000_000) as i64),
        Some(Value::Float(f)) if f.is_nan() => {
            Err(vm.value_error("Invalid value NaN (not a number)"))
        }
        Some(Value::Float(f)) => {
            let f = f.floor();
            if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
                Ok(f as i64)
            } else {
                Err(out_of_range(vm))
            }
        }
        Some(Value::Int(i)) => Ok(*i),
        Some(Value::Bool(b)) => Ok(i64::from(*b)),
        Some(Value::BigInt(_)) => Err(out_of_range(vm)),
        Some(Value::Object(_)) => {
            Err(vm.unsupported("a time given by an object's __index__ or __float__"))
        }
        Some(other) => {
            let t = vm.type_of(other).name().clone();
            Err(vm.type_error(format!("'{t}' object cannot be interpreted as an integer")))
        }
    }
}

/// `gmtime([seconds])` / `localtime([seconds])` (local time is UTC in the sandbox).
fn broken_down(vm: &mut Vm, args: &Args, name: &str, zone: &str) -> PyResult<Value> {
    let [secs] = Spec::function(name, Style::ParseTuple, &["seconds"], 0).bind::<1>(vm, args, 0)?;
    let secs = seconds_arg(vm, secs)?;
    match breakdown(secs, zone) {
        Some(tm) => Ok(struct_time(vm, &tm)),
        None => Err(errno_error(vm, 75)),
    }
}

fn gmtime(vm: &mut Vm, args: Args) -> PyResult<Value> {
    broken_down(vm, &args, "gmtime", "GMT")
}

fn localtime(vm: &mut Vm, args: Args) -> PyResult<Value> {
    broken_down(vm, &args, "localtime", "UTC")
}

/// One item of a time tuple (`PyArg_Parse`'s `i`: a C int).
fn c_int(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    // `_PyLong_AsInt`: `__index__` first.
    let v = &vm.try_index(v)?.unwrap_or_else(|| v.clone());
    match v.builtin_value() {
        Value::Int(i) if *i > i64::from(i32::MAX) => {
            Err(vm.err("OverflowError", "signed integer is greater than maximum"))
        }
        Value::Int(i) if *i < i64::from(i32::MIN) => {
            Err(vm.err("OverflowError", "signed integer is less than minimum"))
        }
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::BigInt(b) if b.sign() == num_bigint::Sign::Minus => {
            Err(vm.err("OverflowError", "signed integer is less than minimum"))
        }
        Value::BigInt(_) => Err(vm.err("OverflowError", "signed integer is greater than maximum")),
        other => {
            let t = vm.type_of(other).name().clone();
            Err(vm.type_error(format!("'{t}' object cannot be interpreted as an integer")))
        }
    }
}

/// `gettmarg`: a 9-tuple or struct_time as a [`Tm`] (the weekday made C's and back, so
/// an out-of-range one is reduced modulo 7 as CPython does).
fn gettmarg(vm: &mut Vm, v: &Value, func: &str) -> PyResult<Tm> {
    let items: Vec<Value> = match v.builtin_value() {
        Value::Tuple(t) => t.to_vec(),
        _ => return Err(vm.type_error("Tuple or struct_time argument required")),
    };
    if items.len() != 9 {
        return Err(vm.type_error(format!("{func}(): illegal time tuple argument")));
    }
    let mut n = [0i64; 9];
    for (slot, item) in n.iter_mut().zip(&items) {
        *slot = c_int(vm, item)?;
    }
    // C's `(tm_wday + 1) % 7` (truncating), then back to Monday = 0 for `Tm`.
    let c_wday = (n[6] + 1) % 7;
    let mut tm = Tm {
        year: n[0],
        mon: n[1],
        mday: n[2],
        hour: n[3],
        min: n[4],
        sec: n[5],
        wday: if c_wday < 0 { c_wday } else { (c_wday + 6) % 7 },
        yday: n[7],
        isdst: n[8],
        zone: None,
        gmtoff: 0,
    };
    // A struct_time carries its zone and offset.
    if let Value::Object(o) = v {
        if o.class.borrow().is_subtype(&vm.ty("struct_time")) {
            let slots = o.slots.borrow();
            if let Some(Some(Value::Str(z))) = slots.get(9) {
                tm.zone = Some(z.to_string());
            }
            if let Some(Some(off)) = slots.get(10) {
                if !off.is_none() {
                    tm.gmtoff = c_int(vm, off)?;
                }
            }
        }
    }
    Ok(tm)
}

/// `checktm`: the ranges `asctime` and `strftime` index names by, zero month, day and
/// day of year taken as the first.
fn checktm(vm: &Vm, tm: &mut Tm) -> PyResult<()> {
    let bad = |what: &str| Err(vm.value_error(format!("{what} out of range")));
    if tm.mon == 0 {
        tm.mon = 1;
    } else if !(1..=12).contains(&tm.mon) {
        return bad("month");
    }
    if tm.mday == 0 {
        tm.mday = 1;
    } else if !(0..=31).contains(&tm.mday) {
        return bad("day of month");
    }
    if !(0..=23).contains(&tm.hour) {
        return bad("hour");
    }
    if !(0..=59).contains(&tm.min) {
        return bad("minute");
    }
    if !(0..=61).contains(&tm.sec) {
        return bad("seconds");
    }
    if tm.wday < 0 {
        return bad("day of week");
    }
    if tm.yday == 0 {
        tm.yday = 1;
    } else if !(0..=366).contains(&tm.yday) {
        return bad("day of year");
    }
    Ok(())
}

/// `mktime(t)`: the seconds since the epoch of a local (here UTC) time, every field
/// normalised as C's `mktime` does.
fn mktime(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [t] = Spec::method("time", "mktime", Style::O, &["t"], 1).bind::<1>(vm, &args, 0)?;
    let tm = gettmarg(vm, &t.unwrap_or_default(), "mktime")?;
    Ok(Value::Float(timegm(&tm) as f64))
}

/// The seconds since the epoch of `tm` read as UTC.
pub fn timegm(tm: &Tm) -> i64 {
    days_from_civil(tm.year, tm.mon, tm.mday) * 86400 + tm.hour * 3600 + tm.min * 60 + tm.sec
}

/// `_asctime`: `Sun Sep  9 01:46:40 2001`.
fn asctime_text(tm: &Tm) -> String {
    format!(
        "{} {}{:3} {:02}:{:02}:{:02} {}",
        strftime::WDAY_ABBR[tm.wday.rem_euclid(7) as usize],
        strftime::MON_ABBR[(tm.mon - 1).rem_euclid(12) as usize],
        tm.mday,
        tm.hour,
        tm.min,
        tm.sec,
        tm.year
    )
}

/// The current local time (UTC).
fn now_tm() -> Option<Tm> {
    breakdown(now_ns().div_euclid(1_000_000_000) as i64, "UTC")
}

fn asctime(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [t] =
        Spec::method("time", "asctime", Style::Positional, &["t"], 0).bind::<1>(vm, &args, 0)?;
    let mut tm = match t {
        None => now_tm().ok_or_else(|| errno_error(vm, 75))?,
        Some(t) => gettmarg(vm, &t, "asctime")?,
    };
    checktm(vm, &mut tm)?;
    Ok(Value::str(&asctime_text(&tm)))
}

fn ctime(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [secs] =
        Spec::function("ctime", Style::ParseTuple, &["seconds"], 0).bind::<1>(vm, &args, 0)?;
    let secs = seconds_arg(vm, secs)?;
    match breakdown(secs, "UTC") {
        Some(tm) => Ok(Value::str(&asctime_text(&tm))),
        None => Err(errno_error(vm, 75)),
    }
}

/// `strftime(format[, tuple])`.
fn strftime(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [format, t] = Spec::function("strftime", Style::ParseTuple, &["format", "tuple"], 1)
        .bind::<2>(vm, &args, 0)?;
    let format = format.unwrap_or_default();
    let mut tm = match t {
        None => now_tm().ok_or_else(|| errno_error(vm, 75))?,
        Some(t) => gettmarg(vm, &t, "strftime")?,
    };
    checktm(vm, &mut tm)?;
    tm.isdst = tm.isdst.clamp(-1, 1);
    let Value::Str(f) = format.builtin_value() else {
        let t = vm.type_of(&format).name().clone();
        return Err(vm.type_error(format!("strftime() argument 1 must be str, not {t}")));
    };
    if f.contains('\0') {
        return Err(vm.value_error("embedded null character"));
    }
    match strftime::format(f, &tm) {
        Ok(s) => Ok(Value::str(&s)),
        Err(what) => Err(vm.unsupported(format!("the strftime conversion {what}"))),
    }
}

/// `strptime(string, format)`: `_strptime._strptime_time`, as CPython calls it.
fn strptime(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let m = super::super::import::import_name(vm, "_strptime", None, &Value::None, 0)?;
    let f = vm.getattr(&m, "_strptime_time")?;
    vm.call(&f, args)
}

fn tzset(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "tzset")?;
    Ok(Value::None)
}
