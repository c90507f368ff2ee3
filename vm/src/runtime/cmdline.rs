//! python3.12's command line (CPython `Python/getopt.c` and `Python/initconfig.c`), read
//! for a virtual child process (`runtime::process`): which program runs (`-c CODE`,
//! `-m MODULE`, a script), `sys.argv`, `sys.orig_argv`, `sys.flags` and `sys._xoptions`
//! as CPython sets them from the options and the child's environment. An option or
//! environment variable the VM cannot honour is named in `Err`, and the run that asked
//! for it is unsupported.

/// What the child runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    /// `-c CODE`.
    Command(String),
    /// `-m MODULE`.
    Module(String),
    /// A script file, as given.
    Script(String),
    /// `-V` / `--version`: prints the version and exits.
    Version,
    /// A command line CPython refuses (`usage` in Python/initconfig.c): this message, the
    /// usage line, exit status 2.
    Usage(String),
    /// A configuration CPython refuses at start-up (`Py_ExitStatusException` of a
    /// `_PyStatus_ERR`): the function and the message of its fatal error, exit status 1.
    Fatal(&'static str, String),
}

/// The fatal error python3.12 writes to stderr before its runtime is initialised.
pub fn fatal_text(func: &str, message: &str) -> String {
    format!("Fatal Python error: {func}: {message}\nPython runtime state: preinitialized\n\n")
}

/// `config_wstr_to_int` / `_Py_str_to_int`: strtol's base-10 reading (leading blanks, a
/// sign), all of the text, within a C int.
fn c_int_text(text: &str) -> Option<i64> {
    let t = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse::<i64>().ok().filter(|v| i32::try_from(*v).is_ok())
}

/// `config_init_int_max_str_digits`: the environment's limit, then -X's, each 0 or at
/// least 640 (`_PY_LONG_MAX_STR_DIGITS_THRESHOLD`).
fn int_max_str_digits(
    env: Option<&str>,
    xoption: Option<Option<&str>>,
) -> Result<Option<i64>, String> {
    let valid = |v: Option<i64>| v.filter(|&d| d == 0 || d >= 640);
    let mut digits = None;
    if let Some(e) = env {
        match valid(c_int_text(e)) {
            Some(d) => digits = Some(d),
            None => {
                return Err(
                    "PYTHONINTMAXSTRDIGITS: invalid limit; must be >= 640 or 0 for \
                            unlimited."
                        .to_owned(),
                )
            }
        }
    }
    if let Some(x) = xoption {
        match valid(x.and_then(c_int_text)) {
            Some(d) => digits = Some(d),
            None => {
                return Err(
                    "-X int_max_str_digits: invalid limit; must be >= 640 or 0 for \
                            unlimited."
                        .to_owned(),
                )
            }
        }
    }
    Ok(digits)
}

/// The usage error python3.12 writes to stderr for `message`, started as `program`.
pub fn usage_text(program: &str, message: &str) -> String {
    format!(
        "{message}\nusage: {program} [option] ... [-c cmd | -m mod | file | -] [arg] ...\n\
         Try `python -h' for more information.\n"
    )
}

/// The short options python3.12 knows (`PROGRAM_OPTS`), those taking an argument marked.
const SHORT_OPTIONS: &str = "bBc:dEhiIm:OPqRsStuvVW:xX:?";

/// The long options python3.12 knows.
const LONG_OPTIONS: &[&str] = &[
    "--check-hash-based-pycs",
    "--help",
    "--help-env",
    "--help-xoptions",
    "--help-all",
    "--version",
];

/// A python3.12 command line, read.
#[derive(Debug, Clone)]
pub struct CommandLine {
    pub program: Program,
    /// `sys.argv` (for `-m`, `-m` until runpy puts the module's path there).
    pub argv: Vec<String>,
    /// `sys.orig_argv`: every argument, the interpreter first.
    pub orig_argv: Vec<String>,
    /// `sys.flags`, in its field order.
    pub flags: [i64; 18],
    /// `sys._xoptions`: name and value (`None` for `True`), in the order given.
    pub xoptions: Vec<(String, Option<String>)>,
    /// `-X no_debug_ranges`: code objects keep no column positions.
    pub no_debug_ranges: bool,
    /// `-u` or PYTHONUNBUFFERED: stdout and stderr are unbuffered.
    pub unbuffered: bool,
}

// `sys.flags`' fields (`flags_fields` in Python/sysmodule.c).
const DONT_WRITE_BYTECODE: usize = 4;
const NO_USER_SITE: usize = 5;
const NO_SITE: usize = 6;
const IGNORE_ENVIRONMENT: usize = 7;
const QUIET: usize = 10;
const HASH_RANDOMIZATION: usize = 11;
const ISOLATED: usize = 12;
const UTF8_MODE: usize = 14;
pub const SAFE_PATH: usize = 16;
pub const INT_MAX_STR_DIGITS: usize = 17;

/// Index of `dev_mode` and `safe_path`, which `sys.flags` shows as bools.
pub const BOOL_FLAGS: [usize; 2] = [13, SAFE_PATH];

/// The environment variables CPython reads at start-up that change nothing the VM
/// shows, or that it honours below.
const HARMLESS_ENV: &[&str] = &[
    "PYTHONUTF8",
    "PYTHONHASHSEED",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONUNBUFFERED",
    "PYTHONNOUSERSITE",
    "PYTHONSAFEPATH",
    "PYTHONFAULTHANDLER",
    "PYTHONSTARTUP",
    "PYTHONBREAKPOINT",
    "PYTHONUSERBASE",
    "PYTHONCOERCECLOCALE",
    "PYTHONINTMAXSTRDIGITS",
];

/// Reads `argv` (the interpreter's path first) with the child's environment `env`.
pub fn parse(argv: &[String], env: &[(String, String)]) -> Result<CommandLine, String> {
    let mut flags = [0i64; 18];
    flags[INT_MAX_STR_DIGITS] = 4300;
    let mut xoptions: Vec<(String, Option<String>)> = Vec::new();
    let mut program = None;
    let mut unbuffered = false;
    let mut rest: &[String] = &[];
    // An option CPython knows and the VM does not honour: reported after the whole line
    // is read, since a usage error further on comes first.
    let mut unhonoured: Option<String> = None;
    let usage = |message: String| Program::Usage(message);
    let mut i = 1;
    'args: while i < argv.len() {
        let arg = &argv[i];
        i += 1;
        if arg == "--version" {
            program = Some(Program::Version);
            break;
        }
        if arg == "--" {
            break;
        }
        if !arg.starts_with('-') || arg == "-" {
            i -= 1;
            break;
        }
        if arg.starts_with("--") {
            let name = arg.split('=').next().unwrap_or(arg);
            if !LONG_OPTIONS.contains(&name) {
                program = Some(usage(format!("unknown option {arg}")));
                break;
            }
            unhonoured.get_or_insert(format!("the interpreter option {arg}"));
            if name == "--check-hash-based-pycs" && !arg.contains('=') {
                i += 1;
            }
            continue;
        }
        let chars: Vec<char> = arg.chars().skip(1).collect();
        let mut k = 0;
        while k < chars.len() {
            let c = chars[k];
            k += 1;
            let known = c != ':' && SHORT_OPTIONS.contains(c);
            if !known {
                program = Some(usage(format!("Unknown option: -{c}")));
                break 'args;
            }
            // The options with an argument take the rest of this word or the next one.
            if "cmWX".contains(c) {
                let value = if k < chars.len() {
                    chars[k..].iter().collect::<String>()
                } else if i < argv.len() {
                    i += 1;
                    argv[i - 1].clone()
                } else {
                    program = Some(usage(format!("Argument expected for the -{c} option")));
                    break 'args;
                };
                match c {
                    'c' => {
                        program = Some(Program::Command(value));
                        rest = &argv[i..];
                        break 'args;
                    }
                    'm' => {
                        program = Some(Program::Module(value));
                        rest = &argv[i..];
                        break 'args;
                    }
                    'W' => {
                        unhonoured.get_or_insert(format!("the option -W {value}"));
                    }
                    _ => {
                        let (name, v) = match value.split_once('=') {
                            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                            None => (value.clone(), None),
                        };
                        match (name.as_str(), v.as_deref()) {
                            ("faulthandler" | "no_debug_ranges", _) => {}
                            ("utf8", None | Some("1")) => flags[UTF8_MODE] = 1,
                            ("utf8", Some("0")) => flags[UTF8_MODE] = 0,
                            ("int_max_str_digits", _) => {}
                            _ => {
                                unhonoured.get_or_insert(format!("the option -X {value}"));
                            }
                        }
                        xoptions.retain(|(n, _)| *n != name);
                        xoptions.push((name, v));
                    }
                }
                break;
            }
            match c {
                'I' => {
                    flags[ISOLATED] = 1;
                    flags[IGNORE_ENVIRONMENT] = 1;
                    flags[NO_USER_SITE] = 1;
                    flags[SAFE_PATH] = 1;
                }
                'E' => flags[IGNORE_ENVIRONMENT] = 1,
                's' => flags[NO_USER_SITE] = 1,
                'S' => flags[NO_SITE] = 1,
                'B' => flags[DONT_WRITE_BYTECODE] = 1,
                'P' => flags[SAFE_PATH] = 1,
                'q' => flags[QUIET] = 1,
                'u' => unbuffered = true,
                'R' => {}
                'V' => {
                    program = Some(Program::Version);
                    break 'args;
                }
                _ => {
                    unhonoured.get_or_insert(format!("the interpreter option -{c}"));
                }
            }
        }
    }
    if let Some(Program::Usage(m)) = program {
        return Ok(CommandLine {
            program: Program::Usage(m),
            argv: Vec::new(),
            orig_argv: argv.to_vec(),
            flags,
            xoptions,
            no_debug_ranges: false,
            unbuffered,
        });
    }
    if let Some(what) = unhonoured {
        return Err(what);
    }
    let program = match program {
        Some(p) => p,
        None => match argv.get(i) {
            Some(s) if s != "-" => {
                rest = &argv[i + 1..];
                Program::Script(s.clone())
            }
            _ => return Err("a child python reading its program from stdin".to_owned()),
        },
    };
    let utf8_given = xoptions.iter().any(|(n, _)| n == "utf8");
    let mut hash_fixed = false;
    let get = |name: &str| {
        env.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if flags[IGNORE_ENVIRONMENT] == 0 {
        for (k, v) in env {
            if !k.starts_with("PYTHON") || v.is_empty() || HARMLESS_ENV.contains(&k.as_str()) {
                continue;
            }
            return Err(format!("the environment variable {k}={v:?}"));
        }
        let set = |name: &str| get(name).is_some_and(|v| !v.is_empty());
        if set("PYTHONDONTWRITEBYTECODE") {
            flags[DONT_WRITE_BYTECODE] = 1;
        }
        if set("PYTHONNOUSERSITE") {
            flags[NO_USER_SITE] = 1;
        }
        if set("PYTHONSAFEPATH") {
            flags[SAFE_PATH] = 1;
        }
        if set("PYTHONUNBUFFERED") {
            unbuffered = true;
        }
        hash_fixed = get("PYTHONHASHSEED") == Some("0");
        if !utf8_given {
            match get("PYTHONUTF8") {
                Some("1") => flags[UTF8_MODE] = 1,
                Some("0") => flags[UTF8_MODE] = 0,
                _ => {}
            }
        }
    }
    // Without a choice, the UTF-8 mode is on in the C or POSIX locale (the first of
    // LC_ALL, LC_CTYPE, LANG that is set names it; none is "C").
    let utf8_chosen = utf8_given
        || (flags[IGNORE_ENVIRONMENT] == 0 && matches!(get("PYTHONUTF8"), Some("0" | "1")));
    if !utf8_chosen {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|n| get(n).filter(|v| !v.is_empty()))
            .unwrap_or("C");
        flags[UTF8_MODE] = i64::from(locale == "C" || locale == "POSIX");
    }
    flags[HASH_RANDOMIZATION] = i64::from(!hash_fixed);
    let env_digits = match flags[IGNORE_ENVIRONMENT] {
        0 => get("PYTHONINTMAXSTRDIGITS").filter(|v| !v.is_empty()),
        _ => None,
    };
    let x_digits = xoptions
        .iter()
        .rev()
        .find(|(n, _)| n == "int_max_str_digits")
        .map(|(_, v)| v.as_deref());
    let mut fatal = None;
    match int_max_str_digits(env_digits, x_digits) {
        Ok(Some(d)) => flags[INT_MAX_STR_DIGITS] = d,
        Ok(None) => {}
        Err(message) => fatal = Some(Program::Fatal("config_init_int_max_str_digits", message)),
    }
    let first = match &program {
        Program::Command(_) => "-c".to_owned(),
        Program::Module(_) => "-m".to_owned(),
        Program::Script(s) => s.clone(),
        Program::Version | Program::Usage(_) | Program::Fatal(..) => String::new(),
    };
    let no_debug_ranges = xoptions.iter().any(|(n, _)| n == "no_debug_ranges");
    Ok(CommandLine {
        program: fatal.unwrap_or(program),
        argv: std::iter::once(first).chain(rest.iter().cloned()).collect(),
        orig_argv: argv.to_vec(),
        flags,
        xoptions,
        no_debug_ranges,
        unbuffered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn options_then_the_program() {
        let Ok(c) = parse(
            &args(&["py", "-IX", "faulthandler", "-c", "pass", "a"]),
            &[],
        ) else {
            panic!("-I -X faulthandler -c")
        };
        assert_eq!(c.program, Program::Command("pass".into()));
        assert_eq!(c.argv, ["-c", "a"]);
        assert_eq!(c.flags[ISOLATED], 1);
        assert_eq!(c.xoptions, [("faulthandler".to_owned(), None)]);
        let Ok(s) = parse(&args(&["py", "-E", "s.py", "-c"]), &[]) else {
            panic!("-E s.py")
        };
        assert_eq!(s.program, Program::Script("s.py".into()));
        assert_eq!(s.argv, ["s.py", "-c"]);
        let Ok(m) = parse(&args(&["py", "-mjson.tool", "x"]), &[]) else {
            panic!("-mjson.tool")
        };
        assert_eq!(m.program, Program::Module("json.tool".into()));
        assert!(parse(&args(&["py", "-O", "s.py"]), &[]).is_err());
        let Ok(u) = parse(&args(&["py", "-O", "-z"]), &[]) else {
            panic!("-O -z")
        };
        assert_eq!(u.program, Program::Usage("Unknown option: -z".into()));
        assert!(parse(&args(&["py"]), &[]).is_err());
    }
}
