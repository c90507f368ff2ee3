//! `_locale` (CPython `Modules/_localemodule.c`) in the sandbox's fixed environment: no
//! `LANG` or `LC_*` variables, so CPython 3.12 runs with LC_CTYPE coerced to `C.UTF-8`
//! (PEP 538) and every other category `C`, whatever the machine has installed. A query
//! answers that; setting a category to the value it has keeps it; any other change is
//! unsupported, since the answer would depend on the locales the machine has (and `""`,
//! on the environment CPython runs in). The `nl_langinfo` items and `localeconv` are glibc's C
//! locale's, the gettext functions those of a program with no message catalogue.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::PyResult;

const DOC: &str = "Support for POSIX locales.";

/// The categories (glibc's numbers) and their names.
const CATEGORIES: &[(&str, i64)] = &[
    ("LC_CTYPE", 0),
    ("LC_NUMERIC", 1),
    ("LC_TIME", 2),
    ("LC_COLLATE", 3),
    ("LC_MONETARY", 4),
    ("LC_MESSAGES", 5),
    ("LC_ALL", 6),
];

/// `nl_langinfo` keys and their values in the C locale (LC_CTYPE's CODESET in C.UTF-8).
const LANGINFO: &[(&str, i64, &str)] = &[
    ("CODESET", 14, "UTF-8"),
    ("D_T_FMT", 131112, "%a %b %e %H:%M:%S %Y"),
    ("D_FMT", 131113, "%m/%d/%y"),
    ("T_FMT", 131114, "%H:%M:%S"),
    ("T_FMT_AMPM", 131115, "%I:%M:%S %p"),
    ("AM_STR", 131110, "AM"),
    ("PM_STR", 131111, "PM"),
    ("DAY_1", 131079, "Sunday"),
    ("DAY_2", 131080, "Monday"),
    ("DAY_3", 131081, "Tuesday"),
    ("DAY_4", 131082, "Wednesday"),
    ("DAY_5", 131083, "Thursday"),
    ("DAY_6", 131084, "Friday"),
    ("DAY_7", 131085, "Saturday"),
    ("ABDAY_1", 131072, "Sun"),
    ("ABDAY_2", 131073, "Mon"),
    ("ABDAY_3", 131074, "Tue"),
    ("ABDAY_4", 131075, "Wed"),
    ("ABDAY_5", 131076, "Thu"),
    ("ABDAY_6", 131077, "Fri"),
    ("ABDAY_7", 131078, "Sat"),
    ("MON_1", 131098, "January"),
    ("MON_2", 131099, "February"),
    ("MON_3", 131100, "March"),
    ("MON_4", 131101, "April"),
    ("MON_5", 131102, "May"),
    ("MON_6", 131103, "June"),
    ("MON_7", 131104, "July"),
    ("MON_8", 131105, "August"),
    ("MON_9", 131106, "September"),
    ("MON_10", 131107, "October"),
    ("MON_11", 131108, "November"),
    ("MON_12", 131109, "December"),
    ("ABMON_1", 131086, "Jan"),
    ("ABMON_2", 131087, "Feb"),
    ("ABMON_3", 131088, "Mar"),
    ("ABMON_4", 131089, "Apr"),
    ("ABMON_5", 131090, "May"),
    ("ABMON_6", 131091, "Jun"),
    ("ABMON_7", 131092, "Jul"),
    ("ABMON_8", 131093, "Aug"),
    ("ABMON_9", 131094, "Sep"),
    ("ABMON_10", 131095, "Oct"),
    ("ABMON_11", 131096, "Nov"),
    ("ABMON_12", 131097, "Dec"),
    ("RADIXCHAR", 65536, "."),
    ("THOUSEP", 65537, ""),
    ("YESEXPR", 327680, "^[yY]"),
    ("NOEXPR", 327681, "^[nN]"),
    ("CRNCYSTR", 262159, "-"),
    ("ERA", 131116, ""),
    ("ERA_D_FMT", 131118, ""),
    ("ERA_D_T_FMT", 131120, ""),
    ("ERA_T_FMT", 131121, ""),
    ("ALT_DIGITS", 131119, ""),
    ("_DATE_FMT", 131180, "%a %b %e %H:%M:%S %Z %Y"),
];

/// `setlocale(LC_ALL)`: glibc's composite name when the categories differ.
const ALL: &str = "LC_CTYPE=C.UTF-8;LC_NUMERIC=C;LC_TIME=C;LC_COLLATE=C;LC_MONETARY=C;LC_MESSAGES=C;LC_PAPER=C;LC_NAME=C;LC_ADDRESS=C;LC_TELEPHONE=C;LC_MEASUREMENT=C;LC_IDENTIFICATION=C";

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    super::add_functions(d, "_locale", FUNCTIONS);
    for &(name, v) in CATEGORIES {
        d.set_str(name, Value::Int(v));
    }
    for &(name, v, _) in LANGINFO {
        d.set_str(name, Value::Int(v));
    }
    d.set_str("CHAR_MAX", Value::Int(127));
    let error = super::super::classes::exception_class("Error", "locale", vec![vm.ty("Exception")]);
    d.set_str("Error", Value::Type(error));
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("setlocale", setlocale),
    ("localeconv", localeconv),
    ("nl_langinfo", nl_langinfo),
    ("strcoll", strcoll),
    ("strxfrm", strxfrm),
    ("getencoding", getencoding),
    ("gettext", gettext),
    ("dgettext", dgettext),
    ("dcgettext", dcgettext),
    ("textdomain", textdomain),
    ("bindtextdomain", bindtextdomain),
    ("bind_textdomain_codeset", bind_textdomain_codeset),
];

/// A C `int` argument (`_PyLong_AsInt`).
fn int_arg(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    let v = &vm.try_index(v)?.unwrap_or_else(|| v.clone());
    let i = match v.builtin_value() {
        Value::Float(_) => {
            return Err(vm.type_error("'float' object cannot be interpreted as an integer"))
        }
        Value::BigInt(_) => None,
        other => Some(super::super::argspec::index(vm, other)?),
    };
    match i {
        Some(i) if i32::try_from(i).is_ok() => Ok(i),
        _ => Err(vm.err("OverflowError", "Python int too large to convert to C int")),
    }
}

/// A `str` argument (`or None` when `none_ok`), Argument Clinic's message naming the
/// function and the argument (`arg` empty for a function of one argument).
fn str_arg(vm: &Vm, v: &Value, func: &str, arg: &str, none_ok: bool) -> PyResult<Option<Rc<str>>> {
    match v.builtin_value() {
        Value::Str(s) => Ok(Some(s.clone())),
        Value::None if none_ok => Ok(None),
        other => {
            let t = super::super::builtins::type_name_of_arg(vm, other);
            let which = if arg.is_empty() {
                "argument".to_owned()
            } else {
                format!("argument {arg}")
            };
            let or_none = if none_ok { " or None" } else { "" };
            Err(vm.type_error(format!("{func}() {which} must be str{or_none}, not {t}")))
        }
    }
}

/// The category's current name.
fn current(category: i64) -> &'static str {
    match category {
        0 => "C.UTF-8",
        6 => ALL,
        _ => "C",
    }
}

/// `setlocale(category, locale=None)`.
fn setlocale(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [category, locale] = Spec::method(
        "_locale",
        "setlocale",
        Style::Positional,
        &["category", "locale"],
        1,
    )
    .bind::<2>(vm, &args, 0)?;
    let category = int_arg(vm, &category.unwrap_or_default())?;
    let wanted = match locale {
        None => None,
        Some(l) => str_arg(vm, &l, "setlocale", "2", true)?,
    };
    if !(0..=12).contains(&category) {
        return Err(locale_error(vm, "unsupported locale setting"));
    }
    let now = current(category);
    let Some(wanted) = wanted else {
        return Ok(Value::str(now));
    };
    let same = match &*wanted {
        "C" | "POSIX" => now == "C",
        "C.UTF-8" | "C.utf8" => category == 0,
        _ => false,
    };
    if same {
        return Ok(Value::str(now));
    }
    Err(vm.unsupported(format!(
        "setlocale to {wanted:?} (the sandbox's locale is fixed: LC_CTYPE=C.UTF-8, the rest C)"
    )))
}

/// `locale.Error(msg)`.
fn locale_error(vm: &mut Vm, msg: &str) -> super::super::Throw {
    let cls = match vm.modules.get_str("_locale") {
        Some(Value::Module(m)) => m.dict.get_str("Error"),
        _ => None,
    };
    match cls {
        Some(Value::Type(t)) => {
            let exc = vm.new_exception(&t, vec![Value::str(msg)]);
            vm.raise(exc)
        }
        _ => vm.bug("_locale.Error without its module"),
    }
}

/// `localeconv()`: the C locale's conventions.
fn localeconv(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_locale", "localeconv", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    let d = Dict::new_rc();
    for k in [
        "int_curr_symbol",
        "currency_symbol",
        "mon_decimal_point",
        "mon_thousands_sep",
    ] {
        d.set_str(k, Value::str(""));
    }
    d.set_str("mon_grouping", Value::list(Vec::new()));
    d.set_str("positive_sign", Value::str(""));
    d.set_str("negative_sign", Value::str(""));
    for k in [
        "int_frac_digits",
        "frac_digits",
        "p_cs_precedes",
        "p_sep_by_space",
        "n_cs_precedes",
        "n_sep_by_space",
        "p_sign_posn",
        "n_sign_posn",
    ] {
        d.set_str(k, Value::Int(127));
    }
    d.set_str("decimal_point", Value::str("."));
    d.set_str("thousands_sep", Value::str(""));
    d.set_str("grouping", Value::list(Vec::new()));
    Ok(Value::Dict(d))
}

fn nl_langinfo(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [key] =
        Spec::method("_locale", "nl_langinfo", Style::O, &["key"], 1).bind::<1>(vm, &args, 0)?;
    let key = int_arg(vm, &key.unwrap_or_default())?;
    match LANGINFO.iter().find(|(_, k, _)| *k == key) {
        Some((_, _, v)) => Ok(Value::str(v)),
        None => Err(vm.value_error("unsupported langinfo constant")),
    }
}

/// `strcoll(os1, os2)`: the C collation, by code point.
fn strcoll(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a, b] = Spec::method("_locale", "strcoll", Style::Positional, &["os1", "os2"], 2)
        .bind::<2>(vm, &args, 0)?;
    let a = str_arg(vm, &a.unwrap_or_default(), "strcoll", "1", false)?.unwrap_or_default();
    let b = str_arg(vm, &b.unwrap_or_default(), "strcoll", "2", false)?.unwrap_or_default();
    Ok(Value::Int(match a.cmp(&b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
}

/// `strxfrm(string)`: the C collation's key is the string itself.
fn strxfrm(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [s] =
        Spec::method("_locale", "strxfrm", Style::O, &["string"], 1).bind::<1>(vm, &args, 0)?;
    let s = str_arg(vm, &s.unwrap_or_default(), "strxfrm", "", false)?.unwrap_or_default();
    if s.contains('\0') {
        return Err(vm.value_error("embedded null character"));
    }
    Ok(Value::Str(s))
}

fn getencoding(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_locale", "getencoding", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::str("UTF-8"))
}

fn gettext(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [msg] =
        Spec::method("_locale", "gettext", Style::O, &["msg"], 1).bind::<1>(vm, &args, 0)?;
    let msg = msg.unwrap_or_default();
    str_arg(vm, &msg, "gettext", "", false)?;
    Ok(msg)
}

/// `dgettext(domain, msg)`: the message untranslated (no catalogue is installed).
fn dgettext(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [domain, msg] = Spec::method(
        "_locale",
        "dgettext",
        Style::Positional,
        &["domain", "msg"],
        2,
    )
    .bind::<2>(vm, &args, 0)?;
    str_arg(vm, &domain.unwrap_or_default(), "dgettext", "1", true)?;
    let msg = msg.unwrap_or_default();
    str_arg(vm, &msg, "dgettext", "2", false)?;
    Ok(msg)
}

fn dcgettext(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [domain, msg, category] = Spec::method(
        "_locale",
        "dcgettext",
        Style::Positional,
        &["domain", "msg", "category"],
        3,
    )
    .bind::<3>(vm, &args, 0)?;
    str_arg(vm, &domain.unwrap_or_default(), "dcgettext", "1", true)?;
    let msg = msg.unwrap_or_default();
    str_arg(vm, &msg, "dcgettext", "2", false)?;
    int_arg(vm, &category.unwrap_or_default())?;
    Ok(msg)
}

/// `textdomain(None)`: the default domain; changing it is unsupported.
fn textdomain(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [domain] =
        Spec::method("_locale", "textdomain", Style::O, &["domain"], 1).bind::<1>(vm, &args, 0)?;
    match str_arg(vm, &domain.unwrap_or_default(), "textdomain", "", true)? {
        None => Ok(Value::str("messages")),
        Some(_) => Err(vm.unsupported("changing the gettext text domain")),
    }
}

/// `bindtextdomain(domain, None)`: glibc's default directory; binding is unsupported.
fn bindtextdomain(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [domain, dir] = Spec::method(
        "_locale",
        "bindtextdomain",
        Style::Positional,
        &["domain", "dir"],
        2,
    )
    .bind::<2>(vm, &args, 0)?;
    str_arg(
        vm,
        &domain.unwrap_or_default(),
        "bindtextdomain",
        "1",
        false,
    )?;
    match dir.unwrap_or_default() {
        Value::None => Ok(Value::str("/usr/share/locale")),
        _ => Err(vm.unsupported("binding a gettext text domain to a directory")),
    }
}

fn bind_textdomain_codeset(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [domain, codeset] = Spec::method(
        "_locale",
        "bind_textdomain_codeset",
        Style::Positional,
        &["domain", "codeset"],
        2,
    )
    .bind::<2>(vm, &args, 0)?;
    let f = "bind_textdomain_codeset";
    str_arg(vm, &domain.unwrap_or_default(), f, "1", false)?;
    match str_arg(vm, &codeset.unwrap_or_default(), f, "2", true)? {
        None => Ok(Value::None),
        Some(_) => Err(vm.unsupported("setting a gettext domain's code set")),
    }
}
