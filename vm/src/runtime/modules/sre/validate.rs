//! `_validate` of `Modules/_sre/sre.c`: the structural check `_sre.compile` makes of the
//! code before it keeps it (known opcodes, arguments in range, skips inside the code,
//! branches ending in a JUMP to one target, repeats ending in their UNTIL or SUCCESS),
//! so the engine only ever runs code of the shape `re._compiler` emits. Code that fails
//! is CPython's `RuntimeError: invalid SRE code`.

/// Opcode numbers of 3.12's `re._constants.OPCODES`.
mod op {
    pub const FAILURE: u32 = 0;
    pub const SUCCESS: u32 = 1;
    pub const ANY: u32 = 2;
    pub const ANY_ALL: u32 = 3;
    pub const ASSERT: u32 = 4;
    pub const ASSERT_NOT: u32 = 5;
    pub const AT: u32 = 6;
    pub const BRANCH: u32 = 7;
    pub const CATEGORY: u32 = 8;
    pub const CHARSET: u32 = 9;
    pub const BIGCHARSET: u32 = 10;
    pub const GROUPREF: u32 = 11;
    pub const GROUPREF_EXISTS: u32 = 12;
    pub const IN: u32 = 13;
    pub const INFO: u32 = 14;
    pub const JUMP: u32 = 15;
    pub const LITERAL: u32 = 16;
    pub const MARK: u32 = 17;
    pub const MAX_UNTIL: u32 = 18;
    pub const MIN_UNTIL: u32 = 19;
    pub const NOT_LITERAL: u32 = 20;
    pub const NEGATE: u32 = 21;
    pub const RANGE: u32 = 22;
    pub const REPEAT: u32 = 23;
    pub const REPEAT_ONE: u32 = 24;
    pub const MIN_REPEAT_ONE: u32 = 26;
    pub const ATOMIC_GROUP: u32 = 27;
    pub const POSSESSIVE_REPEAT: u32 = 28;
    pub const POSSESSIVE_REPEAT_ONE: u32 = 29;
    pub const GROUPREF_IGNORE: u32 = 30;
    pub const IN_IGNORE: u32 = 31;
    pub const LITERAL_IGNORE: u32 = 32;
    pub const NOT_LITERAL_IGNORE: u32 = 33;
    pub const GROUPREF_LOC_IGNORE: u32 = 34;
    pub const IN_LOC_IGNORE: u32 = 35;
    pub const LITERAL_LOC_IGNORE: u32 = 36;
    pub const NOT_LITERAL_LOC_IGNORE: u32 = 37;
    pub const GROUPREF_UNI_IGNORE: u32 = 38;
    pub const IN_UNI_IGNORE: u32 = 39;
    pub const LITERAL_UNI_IGNORE: u32 = 40;
    pub const NOT_LITERAL_UNI_IGNORE: u32 = 41;
    pub const RANGE_UNI_IGNORE: u32 = 42;
}

/// `SRE_MAXREPEAT` and `SRE_MAXGROUPS` on a 64-bit build.
pub const MAXREPEAT: u64 = u32::MAX as u64;
pub const MAXGROUPS: u64 = (u32::MAX / 4) as u64;

/// The AT codes of `\B`: AT_NON_BOUNDARY, AT_LOC_NON_BOUNDARY, AT_UNI_NON_BOUNDARY.
const NON_BOUNDARY: [u32; 3] = [4, 9, 11];

struct Fail;

/// A cursor over `code[..end]` as the C macros `GET_OP`, `GET_ARG` and `GET_SKIP` read it.
struct Reader<'a> {
    code: &'a [u32],
    at: usize,
    end: usize,
    /// Whether an AT with a non-boundary code was read.
    non_boundary: bool,
}

impl Reader<'_> {
    fn get(&mut self) -> Result<u32, Fail> {
        if self.at >= self.end {
            return Err(Fail);
        }
        let v = self.code[self.at];
        self.at += 1;
        Ok(v)
    }

    /// `GET_SKIP_ADJ(adj)`: a skip that stays inside the code.
    fn skip(&mut self, adj: usize) -> Result<usize, Fail> {
        if self.at >= self.end {
            return Err(Fail);
        }
        let skip = self.code[self.at] as usize;
        // Unsigned as in C: a skip below `adj` wraps round and fails too.
        if skip.wrapping_sub(adj) > self.end - self.at {
            return Err(Fail);
        }
        self.at += 1;
        Ok(skip)
    }

    fn sub(&mut self, from: usize, to: usize, groups: u64) -> Result<bool, Fail> {
        let mut r = Reader {
            code: self.code,
            at: from,
            end: to,
            non_boundary: false,
        };
        let jump = r.inner(groups)?;
        self.non_boundary |= r.non_boundary;
        Ok(jump)
    }

    fn charset(&mut self, from: usize, to: usize) -> Result<(), Fail> {
        let mut r = Reader {
            code: self.code,
            at: from,
            end: to,
            non_boundary: false,
        };
        r.charset_inner()
    }

    /// `_validate_charset`.
    fn charset_inner(&mut self) -> Result<(), Fail> {
        while self.at < self.end {
            match self.get()? {
                op::NEGATE => {}
                op::LITERAL => {
                    self.get()?;
                }
                op::RANGE | op::RANGE_UNI_IGNORE => {
                    self.get()?;
                    self.get()?;
                }
                op::CHARSET => {
                    // A 256-bit bitmap.
                    if 8 > self.end - self.at {
                        return Err(Fail);
                    }
                    self.at += 8;
                }
                op::BIGCHARSET => {
                    let blocks = self.get()?;
                    // A 256-byte table of block indices, then the blocks.
                    if 64 > self.end - self.at {
                        return Err(Fail);
                    }
                    for word in &self.code[self.at..self.at + 64] {
                        if word.to_ne_bytes().iter().any(|&b| u32::from(b) >= blocks) {
                            return Err(Fail);
                        }
                    }
                    self.at += 64;
                    let offset = blocks as usize * 8;
                    if offset > self.end - self.at {
                        return Err(Fail);
                    }
                    self.at += offset;
                }
                op::CATEGORY => {
                    if self.get()? > 17 {
                        return Err(Fail);
                    }
                }
                _ => return Err(Fail),
            }
        }
        Ok(())
    }

    /// `_validate_inner`: `Ok(true)` when the last op is a JUMP.
    fn inner(&mut self, groups: u64) -> Result<bool, Fail> {
        if self.at > self.end {
            return Err(Fail);
        }
        while self.at < self.end {
            match self.get()? {
                op::MARK => {
                    if u64::from(self.get()?) > 2 * groups + 1 {
                        return Err(Fail);
                    }
                }
                op::LITERAL
                | op::NOT_LITERAL
                | op::LITERAL_IGNORE
                | op::NOT_LITERAL_IGNORE
                | op::LITERAL_UNI_IGNORE
                | op::NOT_LITERAL_UNI_IGNORE
                | op::LITERAL_LOC_IGNORE
                | op::NOT_LITERAL_LOC_IGNORE => {
                    self.get()?;
                }
                op::SUCCESS | op::FAILURE | op::ANY | op::ANY_ALL => {}
                op::AT => {
                    let arg = self.get()?;
                    if arg > 11 {
                        return Err(Fail);
                    }
                    self.non_boundary |= NON_BOUNDARY.contains(&arg);
                }
                op::IN | op::IN_IGNORE | op::IN_UNI_IGNORE | op::IN_LOC_IGNORE => {
                    let skip = self.skip(0)?;
                    // Stop one before the end: the FAILURE is checked here.
                    if skip < 2 {
                        return Err(Fail);
                    }
                    self.charset(self.at, self.at + skip - 2)?;
                    if self.code[self.at + skip - 2] != op::FAILURE {
                        return Err(Fail);
                    }
                    self.at += skip - 1;
                }
                op::INFO => self.info()?,
                op::BRANCH => {
                    let mut target = None;
                    loop {
                        let skip = self.skip(0)?;
                        if skip == 0 {
                            break;
                        }
                        if skip < 3 {
                            return Err(Fail);
                        }
                        // Stop two before the end: the JUMP is checked here.
                        self.sub(self.at, self.at + skip - 3, groups)?;
                        self.at += skip - 3;
                        if self.get()? != op::JUMP {
                            return Err(Fail);
                        }
                        let skip = self.skip(0)?;
                        let t = (self.at + skip).checked_sub(1).ok_or(Fail)?;
                        match target {
                            None => target = Some(t),
                            Some(x) if x != t => return Err(Fail),
                            Some(_) => {}
                        }
                    }
                    if target.is_some_and(|t| t != self.at) {
                        return Err(Fail);
                    }
                }
                op::REPEAT_ONE | op::MIN_REPEAT_ONE | op::POSSESSIVE_REPEAT_ONE => {
                    let skip = self.skip(0)?;
                    self.min_max()?;
                    if skip < 4 {
                        return Err(Fail);
                    }
                    self.sub(self.at, self.at + skip - 4, groups)?;
                    self.at += skip - 4;
                    if self.get()? != op::SUCCESS {
                        return Err(Fail);
                    }
                }
                o @ (op::REPEAT | op::POSSESSIVE_REPEAT) => {
                    let skip = self.skip(0)?;
                    self.min_max()?;
                    if skip < 3 {
                        return Err(Fail);
                    }
                    self.sub(self.at, self.at + skip - 3, groups)?;
                    self.at += skip - 3;
                    let until = self.get()?;
                    let ok = if o == op::POSSESSIVE_REPEAT {
                        until == op::SUCCESS
                    } else {
                        until == op::MAX_UNTIL || until == op::MIN_UNTIL
                    };
                    if !ok {
                        return Err(Fail);
                    }
                }
                op::ATOMIC_GROUP => {
                    let skip = self.skip(0)?;
                    if skip < 2 {
                        return Err(Fail);
                    }
                    self.sub(self.at, self.at + skip - 2, groups)?;
                    self.at += skip - 2;
                    if self.get()? != op::SUCCESS {
                        return Err(Fail);
                    }
                }
                op::GROUPREF
                | op::GROUPREF_IGNORE
                | op::GROUPREF_UNI_IGNORE
                | op::GROUPREF_LOC_IGNORE => {
                    if u64::from(self.get()?) >= groups {
                        return Err(Fail);
                    }
                }
                op::GROUPREF_EXISTS => {
                    if u64::from(self.get()?) >= groups {
                        return Err(Fail);
                    }
                    let skip = self.skip(1)?;
                    // The skip is relative to the group argument.
                    self.at -= 1;
                    if skip < 2 {
                        return Err(Fail);
                    }
                    let mut jump = self.sub(self.at + 1, self.at + skip - 1, groups)?;
                    let mut skip = skip;
                    if jump {
                        // Then an else part: at <skipno>, after the JUMP.
                        self.at += skip - 2;
                        skip = self.skip(0)?;
                        if skip < 1 {
                            return Err(Fail);
                        }
                        jump = self.sub(self.at, self.at + skip - 1, groups)?;
                    }
                    if jump {
                        return Err(Fail);
                    }
                    self.at += skip - 1;
                }
                op::ASSERT | op::ASSERT_NOT => {
                    let skip = self.skip(0)?;
                    self.get()?;
                    // Back over the width argument.
                    self.at -= 1;
                    if skip < 2 {
                        return Err(Fail);
                    }
                    self.sub(self.at + 1, self.at + skip - 2, groups)?;
                    self.at += skip - 2;
                    if self.get()? != op::SUCCESS {
                        return Err(Fail);
                    }
                }
                op::JUMP => {
                    if self.at + 1 != self.end {
                        return Err(Fail);
                    }
                    return Ok(true);
                }
                _ => return Err(Fail),
            }
        }
        Ok(false)
    }

    /// The min and max of a repeat: min <= max <= MAXREPEAT.
    fn min_max(&mut self) -> Result<(), Fail> {
        let min = self.get()?;
        let max = self.get()?;
        if min > max || u64::from(max) > MAXREPEAT {
            return Err(Fail);
        }
        Ok(())
    }

    /// The INFO block: `<INFO> <skip> <flags> <min> <max>`, then a prefix or a charset.
    fn info(&mut self) -> Result<(), Fail> {
        let skip = self.skip(0)?;
        let newcode = (self.at + skip).checked_sub(1).ok_or(Fail)?;
        let flags = self.get()?;
        self.get()?;
        self.get()?;
        const PREFIX: u32 = 1;
        const LITERAL: u32 = 2;
        const CHARSET: u32 = 4;
        if flags & !(PREFIX | LITERAL | CHARSET) != 0
            || (flags & PREFIX != 0 && flags & CHARSET != 0)
            || (flags & LITERAL != 0 && flags & PREFIX == 0)
        {
            return Err(Fail);
        }
        if flags & PREFIX != 0 {
            let prefix_len = self.get()? as usize;
            self.get()?;
            if prefix_len > newcode.saturating_sub(self.at) || newcode < self.at {
                return Err(Fail);
            }
            self.at += prefix_len;
            if prefix_len > newcode.saturating_sub(self.at) || newcode < self.at {
                return Err(Fail);
            }
            if self.code[self.at..self.at + prefix_len]
                .iter()
                .any(|&c| c as usize >= prefix_len)
            {
                return Err(Fail);
            }
            self.at += prefix_len;
        }
        if flags & CHARSET != 0 {
            if newcode == 0 || newcode < self.at {
                return Err(Fail);
            }
            self.charset(self.at, newcode - 1)?;
            if self.code[newcode - 1] != op::FAILURE {
                return Err(Fail);
            }
            self.at = newcode;
        } else if self.at != newcode {
            return Err(Fail);
        }
        Ok(())
    }
}

/// `_validate_outer`: `Some(has \B)` for valid code, `None` for code CPython refuses.
pub fn validate(code: &[u32], groups: i64) -> Option<bool> {
    let groups = u64::try_from(groups).ok()?;
    if groups > MAXGROUPS || code.last() != Some(&op::SUCCESS) {
        return None;
    }
    let mut r = Reader {
        code,
        at: 0,
        end: code.len() - 1,
        non_boundary: false,
    };
    match r.inner(groups) {
        Ok(_) => Some(r.non_boundary),
        Err(Fail) => None,
    }
}
