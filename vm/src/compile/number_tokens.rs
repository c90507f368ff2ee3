//! CPython 3.12's tokenizer on number literals (`tok_get`'s number branch,
//! `tok_decimal_tail` and `verify_end_of_number` in `Parser/tokenizer.c`): the errors it
//! raises ("invalid hexadecimal literal", "invalid digit '8' in octal literal", leading
//! zeros, ...) and the SyntaxWarning for a number glued to a keyword (`1if x else y`).
//! ruff lexes such text differently, so a number is re-read here as CPython reads it.

/// What reading one number gave.
pub(super) enum NumberIssue {
    /// A SyntaxError: message, byte offset of the tokenizer's position (CPython's offset
    /// is the count of characters before it) and, for a known range, the byte offset
    /// whose character count is the end offset.
    Error {
        message: String,
        at: usize,
        end: Option<usize>,
    },
    /// `verify_end_of_number`'s warning ("invalid decimal literal" before a keyword).
    Warning { message: String },
}

struct Cursor<'s> {
    bytes: &'s [u8],
    pos: usize,
}

impl Cursor<'_> {
    /// `tok_nextc`: the next byte, 0 past the end.
    fn next(&mut self) -> u8 {
        let c = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        c
    }

    fn backup(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    fn error(&self, message: impl Into<String>) -> NumberIssue {
        NumberIssue::Error {
            message: message.into(),
            at: self.pos,
            end: None,
        }
    }

    /// `tok_decimal_tail`: digits with single underscores between them.
    fn decimal_tail(&mut self) -> Result<u8, NumberIssue> {
        loop {
            let mut c = self.next();
            while c.is_ascii_digit() {
                c = self.next();
            }
            if c != b'_' {
                return Ok(c);
            }
            let c = self.next();
            if !c.is_ascii_digit() {
                self.backup();
                return Err(self.error("invalid decimal literal"));
            }
        }
    }

    /// `verify_end_of_number`: a number may not run into a name; running into one of
    /// the keywords that can follow a number is only a warning.
    fn verify_end(&mut self, c: u8, kind: &str) -> Result<(), NumberIssue> {
        let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
        let keyword = match c {
            b'a' => rest.starts_with(b"nd"),
            b'e' => rest.starts_with(b"lse"),
            b'f' => rest.starts_with(b"or"),
            b'i' => matches!(rest.first(), Some(b'f' | b'n' | b's')),
            b'o' => rest.starts_with(b"r"),
            b'n' => rest.starts_with(b"ot"),
            _ => false,
        };
        if keyword {
            return Err(NumberIssue::Warning {
                message: format!("invalid {kind} literal"),
            });
        }
        if c.is_ascii_alphanumeric() || c == b'_' {
            self.backup();
            return Err(self.error(format!("invalid {kind} literal")));
        }
        Ok(())
    }

    /// The digits of a hexadecimal, octal or binary literal after its prefix.
    fn radix_digits(
        &mut self,
        kind: &str,
        valid: fn(u8) -> bool,
        digit_error: bool,
    ) -> Result<u8, NumberIssue> {
        let mut c = self.next();
        loop {
            if c == b'_' {
                c = self.next();
            }
            if !valid(c) {
                if digit_error && c.is_ascii_digit() {
                    return Err(
                        self.error(format!("invalid digit '{}' in {kind} literal", c as char))
                    );
                }
                self.backup();
                return Err(self.error(format!("invalid {kind} literal")));
            }
            c = self.next();
            while valid(c) {
                c = self.next();
            }
            if c != b'_' {
                break;
            }
        }
        if digit_error && c.is_ascii_digit() {
            return Err(self.error(format!("invalid digit '{}' in {kind} literal", c as char)));
        }
        Ok(c)
    }
}

/// Reads the number starting at `start` (its first character is a digit) as CPython's
/// tokenizer does; `None` when CPython reads it without complaint.
pub(super) fn check(source: &str, start: usize) -> Option<NumberIssue> {
    let mut t = Cursor {
        bytes: source.as_bytes(),
        pos: start,
    };
    let result = read(&mut t, start);
    result.err()
}

fn read(t: &mut Cursor<'_>, start: usize) -> Result<(), NumberIssue> {
    let first = t.next();
    let mut c;
    if first == b'0' {
        c = t.next();
        match c {
            b'x' | b'X' => {
                let c = t.radix_digits("hexadecimal", |c| c.is_ascii_hexdigit(), false)?;
                return t.verify_end(c, "hexadecimal");
            }
            b'o' | b'O' => {
                let c = t.radix_digits("octal", |c| (b'0'..b'8').contains(&c), true)?;
                return t.verify_end(c, "octal");
            }
            b'b' | b'B' => {
                let c = t.radix_digits("binary", |c| c == b'0' || c == b'1', true)?;
                return t.verify_end(c, "binary");
            }
            _ => {}
        }
        loop {
            if c == b'_' {
                c = t.next();
                if !c.is_ascii_digit() {
                    t.backup();
                    return Err(t.error("invalid decimal literal"));
                }
            }
            if c != b'0' {
                break;
            }
            c = t.next();
        }
        let zeros_end = t.pos;
        let nonzero = c.is_ascii_digit();
        if nonzero {
            c = t.decimal_tail()?;
        }
        match c {
            b'.' => {
                c = t.next();
                return fraction(t, c);
            }
            b'e' | b'E' => return exponent(t, c),
            b'j' | b'J' => return imaginary(t),
            _ if nonzero => {
                t.backup();
                return Err(NumberIssue::Error {
                    message: "leading zeros in decimal integer literals are not permitted; \
                              use an 0o prefix for octal integers"
                        .to_owned(),
                    at: start + 1,
                    end: Some(zeros_end),
                });
            }
            _ => return t.verify_end(c, "decimal"),
        }
    }
    t.backup();
    c = t.decimal_tail()?;
    if c == b'.' {
        c = t.next();
        return fraction(t, c);
    }
    after_fraction(t, c)
}

fn fraction(t: &mut Cursor<'_>, mut c: u8) -> Result<(), NumberIssue> {
    if c.is_ascii_digit() {
        c = t.decimal_tail()?;
    }
    after_fraction(t, c)
}

fn after_fraction(t: &mut Cursor<'_>, c: u8) -> Result<(), NumberIssue> {
    if c == b'e' || c == b'E' {
        return exponent(t, c);
    }
    if c == b'j' || c == b'J' {
        return imaginary(t);
    }
    t.verify_end(c, "decimal")
}

fn exponent(t: &mut Cursor<'_>, e: u8) -> Result<(), NumberIssue> {
    let mut c = t.next();
    if c == b'+' || c == b'-' {
        c = t.next();
        if !c.is_ascii_digit() {
            t.backup();
            return Err(t.error("invalid decimal literal"));
        }
    } else if !c.is_ascii_digit() {
        t.backup();
        t.verify_end(e, "decimal")?;
        return Ok(());
    }
    let c = t.decimal_tail()?;
    if c == b'j' || c == b'J' {
        return imaginary(t);
    }
    t.verify_end(c, "decimal")
}

fn imaginary(t: &mut Cursor<'_>) -> Result<(), NumberIssue> {
    let c = t.next();
    t.verify_end(c, "imaginary")
}
