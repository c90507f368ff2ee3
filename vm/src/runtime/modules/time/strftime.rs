//! glibc's `strftime` in the C locale, which CPython's `time.strftime` calls on Linux:
//! every conversion, the flags `-` `_` `0` `^` `#`, a field width, and the `E`/`O`
//! modifiers (which the C locale ignores). An unknown conversion is copied as it is, as
//! glibc does. The week numbers (`%U`, `%W`, `%V`, `%G`, `%g`) come from the tuple's
//! day of year and weekday, not from its date, as glibc computes them.

use super::Tm;

pub const WDAY_ABBR: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const WDAY_FULL: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
pub const MON_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MON_FULL: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// How a conversion pads: `None` for glibc's default.
#[derive(Clone, Copy, PartialEq)]
enum Pad {
    Default,
    None,
    Space,
    Zero,
}

/// `format` with `tm`'s fields; `Err` names a conversion the VM does not render.
pub fn format(format: &str, tm: &Tm) -> Result<String, String> {
    let mut out = String::new();
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let mut pad = Pad::Default;
        let mut upper = false;
        let mut swap = false;
        while let Some(&f) = chars.get(i) {
            match f {
                '-' => pad = Pad::None,
                '_' => pad = Pad::Space,
                '0' => pad = Pad::Zero,
                '^' => upper = true,
                '#' => swap = true,
                _ => break,
            }
            i += 1;
        }
        let mut width: Option<usize> = None;
        while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
            width = Some(width.unwrap_or(0) * 10 + d as usize);
            i += 1;
        }
        if matches!(chars.get(i), Some('E' | 'O')) {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else {
            // A trailing `%…`: copied as it is.
            out.extend(&chars[start..]);
            break;
        };
        i += 1;
        let field = Field {
            pad,
            width,
            upper,
            swap,
        };
        match render(conv, tm, &field)? {
            Some(s) => out.push_str(&s),
            None => out.extend(&chars[start..i]),
        }
    }
    Ok(out)
}

/// A conversion's flags and width.
struct Field {
    pad: Pad,
    width: Option<usize>,
    upper: bool,
    swap: bool,
}

impl Field {
    /// A number, at least `digits` wide by default, padded by `fill` by default.
    fn num(&self, n: i64, digits: usize, fill: char) -> String {
        // `-` drops the default padding; an explicit width still pads, with spaces.
        let fill = match (self.pad, self.width) {
            (Pad::Default, _) => fill,
            (Pad::Space, _) | (Pad::None, Some(_)) => ' ',
            (Pad::Zero, _) => '0',
            (Pad::None, None) => return n.to_string(),
        };
        let width = self.width.unwrap_or(digits);
        let body = n.unsigned_abs().to_string();
        let sign = if n < 0 { "-" } else { "" };
        let room = width.saturating_sub(body.len() + sign.len());
        if fill == '0' {
            format!("{sign}{}{body}", "0".repeat(room))
        } else {
            format!("{}{sign}{body}", " ".repeat(room))
        }
    }

    /// A name, in the case the flags ask for (`#` swaps to upper case for names, lower
    /// case for `%p` and `%Z`), padded to the width with spaces (zeros with `0`).
    fn text(&self, s: &str, swap_lower: bool) -> String {
        let s = if self.upper || (self.swap && !swap_lower) {
            s.to_uppercase()
        } else if self.swap && swap_lower {
            s.to_lowercase()
        } else {
            s.to_owned()
        };
        let room = self.width.unwrap_or(0).saturating_sub(s.chars().count());
        let fill = if self.pad == Pad::Zero { "0" } else { " " };
        format!("{}{s}", fill.repeat(room))
    }
}

/// C's weekday (Sunday 0) and 0-based day of the year, which glibc's week numbers use.
fn c_wday(tm: &Tm) -> i64 {
    (tm.wday + 1) % 7
}

fn c_yday(tm: &Tm) -> i64 {
    tm.yday - 1
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// glibc's `iso_week_days`: the days since the start of the ISO year's first week.
fn iso_week_days(yday: i64, wday: i64) -> i64 {
    const BIG_ENOUGH_MULTIPLE_OF_7: i64 = (366 / 7 + 2) * 7;
    yday - (yday - wday + 4 + BIG_ENOUGH_MULTIPLE_OF_7) % 7 + 4 - 1
}

/// The ISO 8601 year and week of `tm` (glibc's `%G` and `%V`).
fn iso_week(tm: &Tm) -> (i64, i64) {
    let (yday, wday) = (c_yday(tm), c_wday(tm));
    let mut year = tm.year;
    let mut days = iso_week_days(yday, wday);
    if days < 0 {
        year -= 1;
        days = iso_week_days(yday + 365 + i64::from(is_leap(year)), wday);
    } else {
        let d = iso_week_days(yday - (365 + i64::from(is_leap(year))), wday);
        if d >= 0 {
            year += 1;
            days = d;
        }
    }
    (year, days / 7 + 1)
}

/// One conversion; `None` for one glibc does not know (copied as written).
fn render(conv: char, tm: &Tm, f: &Field) -> Result<Option<String>, String> {
    let hour12 = if tm.hour % 12 == 0 { 12 } else { tm.hour % 12 };
    let wday = tm.wday.rem_euclid(7) as usize;
    let mon = (tm.mon - 1).rem_euclid(12) as usize;
    let s = match conv {
        'a' => f.text(WDAY_ABBR[wday], false),
        'A' => f.text(WDAY_FULL[wday], false),
        'b' | 'h' => f.text(MON_ABBR[mon], false),
        'B' => f.text(MON_FULL[mon], false),
        'c' => f.text(&plain("%a %b %e %H:%M:%S %Y", tm)?, false),
        // glibc 2.36: the century rounded down, unpadded by default.
        'C' => f.num(tm.year.div_euclid(100), 1, '0'),
        'd' => f.num(tm.mday, 2, '0'),
        'D' | 'x' => f.text(&plain("%m/%d/%y", tm)?, false),
        'e' => f.num(tm.mday, 2, ' '),
        'F' => f.text(&format!("{}-{:02}-{:02}", tm.year, tm.mon, tm.mday), false),
        'g' => f.num(iso_week(tm).0.rem_euclid(100), 2, '0'),
        'G' => f.num(iso_week(tm).0, 1, '0'),
        'H' => f.num(tm.hour, 2, '0'),
        'I' => f.num(hour12, 2, '0'),
        'j' => f.num(c_yday(tm) + 1, 3, '0'),
        'k' => f.num(tm.hour, 2, ' '),
        'l' => f.num(hour12, 2, ' '),
        'm' => f.num(tm.mon, 2, '0'),
        'M' => f.num(tm.min, 2, '0'),
        'n' => "\n".to_owned(),
        'p' => f.text(if tm.hour > 11 { "PM" } else { "AM" }, true),
        'P' => f.text(if tm.hour > 11 { "pm" } else { "am" }, false),
        'r' => f.text(&plain("%I:%M:%S %p", tm)?, false),
        'R' => f.text(&plain("%H:%M", tm)?, false),
        's' => f.num(super::timegm(tm), 1, '0'),
        'S' => f.num(tm.sec, 2, '0'),
        't' => "\t".to_owned(),
        'T' | 'X' => f.text(&plain("%H:%M:%S", tm)?, false),
        'u' => f.num(tm.wday.rem_euclid(7) + 1, 1, '0'),
        'U' => f.num((c_yday(tm) - c_wday(tm) + 7) / 7, 2, '0'),
        'V' => f.num(iso_week(tm).1, 2, '0'),
        'w' => f.num(c_wday(tm), 1, '0'),
        'W' => f.num((c_yday(tm) - (c_wday(tm) - 1 + 7) % 7 + 7) / 7, 2, '0'),
        'y' => f.num(tm.year.rem_euclid(100), 2, '0'),
        'Y' => f.num(tm.year, 1, '0'),
        'z' if tm.isdst < 0 => String::new(),
        'z' => {
            let off = tm.gmtoff;
            let sign = if off < 0 { '-' } else { '+' };
            let m = off.abs() / 60;
            f.text(&format!("{sign}{:02}{:02}", m / 60, m % 60), false)
        }
        'Z' => {
            let zone = match &tm.zone {
                Some(z) => z.clone(),
                None if tm.isdst < 0 => String::new(),
                None => "UTC".to_owned(),
            };
            f.text(&zone, true)
        }
        '%' => "%".to_owned(),
        '+' => return Err("%+".to_owned()),
        _ => return Ok(None),
    };
    Ok(Some(s))
}

/// A composite conversion (`%c`, `%D`, …) spelled out, without flags.
fn plain(format_: &str, tm: &Tm) -> Result<String, String> {
    format(format_, tm)
}
