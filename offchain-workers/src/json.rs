//! The one small JSON reader of the off-chain workers (no_std, no allocation, never panics):
//! just enough for the bodies the workers read — the provider's `/healthz` (capacity) and the
//! capacity-challenge request (which the provider daemon and the test endpoint parse with the
//! same code). Every method returns `None` on malformed input.

/// A cursor over the rest of a JSON text.
pub struct Reader<'a> {
	/// The bytes not read yet.
	pub rest: &'a [u8],
}

impl<'a> Reader<'a> {
	/// A reader at the start of `text`.
	pub fn new(text: &'a [u8]) -> Self {
		Self { rest: text }
	}

	/// Skips JSON whitespace.
	pub fn skip_whitespace(&mut self) {
		while let [b' ' | b'\t' | b'\n' | b'\r', tail @ ..] = self.rest {
			self.rest = tail;
		}
	}

	/// The next byte after whitespace, not consumed.
	pub fn peek(&mut self) -> Option<u8> {
		self.skip_whitespace();
		self.rest.first().copied()
	}

	/// Consumes `byte` (after whitespace) if it comes next.
	pub fn eat(&mut self, byte: u8) -> bool {
		if self.peek() == Some(byte) {
			self.rest = self.rest.get(1..).unwrap_or_default();
			true
		} else {
			false
		}
	}

	/// Consumes `byte` (after whitespace) or fails.
	pub fn require(&mut self, byte: u8) -> Option<()> {
		self.eat(byte).then_some(())
	}

	/// Consumes `word` (after whitespace).
	pub fn keyword(&mut self, word: &[u8]) -> Option<()> {
		self.skip_whitespace();
		self.rest = self.rest.strip_prefix(word)?;
		Some(())
	}

	/// A string's raw content (escapes left as they are; control characters refused).
	pub fn string(&mut self) -> Option<&'a [u8]> {
		self.require(b'"')?;
		let body = self.rest;
		let mut i = 0usize;
		loop {
			match body.get(i)? {
				b'"' => break,
				b'\\' => i = i.checked_add(2)?,
				byte if *byte < 0x20 => return None,
				_ => i = i.checked_add(1)?,
			}
		}
		let content = body.get(..i)?;
		self.rest = body.get(i.checked_add(1)?..)?;
		Some(content)
	}

	/// A non-negative integer that fits in `u64`: digits only, no leading zero, no fraction
	/// or exponent.
	pub fn integer(&mut self) -> Option<u64> {
		self.skip_whitespace();
		let digits = self.rest.iter().take_while(|b| b.is_ascii_digit()).count();
		let (text, tail) = self.rest.split_at_checked(digits)?;
		if text.is_empty() || (text.len() > 1 && text.first() == Some(&b'0')) {
			return None;
		}
		if let [b'.' | b'e' | b'E', ..] = tail {
			return None;
		}
		let value = text.iter().try_fold(0u64, |acc, d| {
			acc.checked_mul(10)?.checked_add(u64::from(d.checked_sub(b'0')?))
		})?;
		self.rest = tail;
		Some(value)
	}

	/// Skips any JSON value, with arrays and objects nested at most `depth` deep (`depth` 0:
	/// scalars only).
	pub fn skip_value(&mut self, depth: u32) -> Option<()> {
		match self.peek()? {
			b'"' => self.string().map(drop),
			b't' => self.keyword(b"true"),
			b'f' => self.keyword(b"false"),
			b'n' => self.keyword(b"null"),
			b'[' => {
				let depth = depth.checked_sub(1)?;
				self.require(b'[')?;
				if self.eat(b']') {
					return Some(());
				}
				loop {
					self.skip_value(depth)?;
					if self.eat(b']') {
						return Some(());
					}
					self.require(b',')?;
				}
			},
			b'{' => {
				let depth = depth.checked_sub(1)?;
				self.require(b'{')?;
				if self.eat(b'}') {
					return Some(());
				}
				loop {
					self.string()?;
					self.require(b':')?;
					self.skip_value(depth)?;
					if self.eat(b'}') {
						return Some(());
					}
					self.require(b',')?;
				}
			},
			b'-' | b'0'..=b'9' => {
				let len = self
					.rest
					.iter()
					.take_while(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
					.count();
				self.rest = self.rest.get(len..)?;
				Some(())
			},
			_ => None,
		}
	}

	/// The members of an object, `visit(key, reader)` reading each value; then nothing but
	/// whitespace may follow.
	pub fn object(
		mut self,
		mut visit: impl FnMut(&'a [u8], &mut Self) -> Option<()>,
	) -> Option<()> {
		self.require(b'{')?;
		if !self.eat(b'}') {
			loop {
				let key = self.string()?;
				self.require(b':')?;
				visit(key, &mut self)?;
				if self.eat(b'}') {
					break;
				}
				self.require(b',')?;
			}
		}
		self.skip_whitespace();
		self.rest.is_empty().then_some(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn integers_are_strict() {
		assert_eq!(Reader::new(b" 42,").integer(), Some(42));
		assert_eq!(Reader::new(b"0").integer(), Some(0));
		assert_eq!(Reader::new(b"007").integer(), None);
		assert_eq!(Reader::new(b"1.5").integer(), None);
		assert_eq!(Reader::new(b"1e3").integer(), None);
		assert_eq!(Reader::new(b"18446744073709551616").integer(), None);
		assert_eq!(Reader::new(b"-1").integer(), None);
	}

	#[test]
	fn values_are_skipped_to_the_allowed_depth() {
		let mut reader = Reader::new(br#"{"a":[1,{"b":null}]} x"#);
		assert_eq!(reader.skip_value(3), Some(()));
		assert_eq!(reader.rest, b" x");
		assert_eq!(Reader::new(b"[1]").skip_value(0), None);
		assert_eq!(Reader::new(b"\"s\\\"t\"").skip_value(0), Some(()));
	}

	#[test]
	fn objects_visit_their_members_and_refuse_trailing_bytes() {
		let mut seen = 0;
		let done = Reader::new(br#" {"n": 3, "x": true} "#).object(|key, r| {
			if key == b"n" {
				seen = r.integer()?;
				Some(())
			} else {
				r.skip_value(0)
			}
		});
		assert_eq!((done, seen), (Some(()), 3));
		assert_eq!(Reader::new(br#"{"n":3} x"#).object(|_, r| r.skip_value(0)), None);
		assert_eq!(Reader::new(br#"{"n":3,}"#).object(|_, r| r.skip_value(0)), None);
	}
}
