//! What a pool's gateway and workers send each other over NATS (docs/architecture.md §13).
//!
//! **A request** (gateway → the deployment's queue group, one NATS message with a reply
//! subject): one kind byte, then
//! - [`KIND_REQUEST`]: the SCALE-encoded [`RequestHead`] (method, path and query, every header,
//!   values as bytes), then the whole request body;
//! - [`KIND_CHALLENGE`]: the capacity challenge's request body (`challenge::decode_request`).
//!
//! **The answer** (worker → the reply subject, one or more NATS messages in order): frames of
//! one kind byte and their content:
//! - [`Frame::Head`]: status, headers and the worker's name, SCALE-encoded;
//! - [`Frame::Data`]: a piece of the body (at most the connection's payload limit);
//! - [`Frame::End`]: the body is complete;
//! - [`Frame::Failed`]: the request failed — before the head (a status and a sentence the
//!   gateway answers with) or during the body (the gateway aborts the response).
//!
//! A NATS message keeps its order between one publisher and one subscriber, so the frames of
//! one answer arrive as sent.

use bytes::Bytes;
use codec::{Decode, Encode};

/// A function request.
pub const KIND_REQUEST: u8 = b'R';
/// A capacity challenge.
pub const KIND_CHALLENGE: u8 = b'C';

const FRAME_HEAD: u8 = b'H';
const FRAME_DATA: u8 = b'D';
const FRAME_END: u8 = b'E';
const FRAME_FAILED: u8 = b'X';

/// A function request's head.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct RequestHead {
	/// The HTTP method.
	pub method: String,
	/// Path and query, as the client sent them (`/o/7/hello?x=1`).
	pub uri: String,
	/// Every header, in order, repeated names included; values as bytes (not all are UTF-8).
	pub headers: Vec<(String, Vec<u8>)>,
}

/// A function response's head.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ResponseHead {
	/// The HTTP status.
	pub status: u16,
	/// Every header, in order.
	pub headers: Vec<(String, Vec<u8>)>,
	/// The name of the worker that ran the function.
	pub worker: String,
}

/// One message of an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
	/// The response head.
	Head(ResponseHead),
	/// A piece of the body.
	Data(Bytes),
	/// The body is complete.
	End,
	/// The request failed: before the head, answer `status` with `message`; after it, abort.
	Failed {
		/// The HTTP status to answer with (before the head).
		status: u16,
		/// Why.
		message: String,
	},
}

/// A request message: the kind byte, the head, the body.
pub fn encode_request(head: &RequestHead, body: &[u8]) -> Vec<u8> {
	let head = head.encode();
	let mut message =
		Vec::with_capacity(1usize.saturating_add(head.len()).saturating_add(body.len()));
	message.push(KIND_REQUEST);
	message.extend_from_slice(&head);
	message.extend_from_slice(body);
	message
}

/// A capacity-challenge message.
pub fn encode_challenge(request: &[u8]) -> Vec<u8> {
	let mut message = Vec::with_capacity(request.len().saturating_add(1));
	message.push(KIND_CHALLENGE);
	message.extend_from_slice(request);
	message
}

/// What a request message asks.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
	/// Run the function.
	Request(RequestHead, Bytes),
	/// Answer the capacity challenge (its request body).
	Challenge(Bytes),
}

/// Reads a request message; `None` if it is malformed.
pub fn decode_request(message: &Bytes) -> Option<Incoming> {
	let (&kind, rest) = message.split_first()?;
	match kind {
		KIND_REQUEST => {
			let mut input = rest;
			let head = RequestHead::decode(&mut input).ok()?;
			let offset = message.len().checked_sub(input.len())?;
			Some(Incoming::Request(head, message.slice(offset..)))
		},
		KIND_CHALLENGE => Some(Incoming::Challenge(message.slice(1..))),
		_ => None,
	}
}

/// The bytes of a frame.
pub fn encode_frame(frame: &Frame) -> Bytes {
	let mut bytes = Vec::new();
	match frame {
		Frame::Head(head) => {
			bytes.push(FRAME_HEAD);
			head.encode_to(&mut bytes);
		},
		Frame::Data(data) => {
			bytes.reserve(data.len().saturating_add(1));
			bytes.push(FRAME_DATA);
			bytes.extend_from_slice(data);
		},
		Frame::End => bytes.push(FRAME_END),
		Frame::Failed { status, message } => {
			bytes.push(FRAME_FAILED);
			(status, message).encode_to(&mut bytes);
		},
	}
	bytes.into()
}

/// Reads a frame; `None` if it is malformed.
pub fn decode_frame(bytes: &Bytes) -> Option<Frame> {
	let (&kind, mut rest) = bytes.split_first()?;
	match kind {
		FRAME_HEAD => ResponseHead::decode(&mut rest).ok().map(Frame::Head),
		FRAME_DATA => Some(Frame::Data(bytes.slice(1..))),
		FRAME_END => Some(Frame::End),
		FRAME_FAILED => {
			let (status, message) = <(u16, String)>::decode(&mut rest).ok()?;
			Some(Frame::Failed { status, message })
		},
		_ => None,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn requests_and_challenges_survive_the_trip() {
		let head = RequestHead {
			method: "POST".into(),
			uri: "/o/7/echo?x=1".into(),
			headers: vec![
				("content-type".into(), b"text/plain".to_vec()),
				("x-bytes".into(), vec![0xff, 0x00, b'a']),
				("x-bytes".into(), b"again".to_vec()),
			],
		};
		let body = b"\x00\x01binary body\xff";
		let message = Bytes::from(encode_request(&head, body));
		assert_eq!(
			decode_request(&message),
			Some(Incoming::Request(head.clone(), Bytes::from_static(body)))
		);
		let empty = Bytes::from(encode_request(&head, b""));
		assert_eq!(decode_request(&empty), Some(Incoming::Request(head, Bytes::new())));
		let challenge = Bytes::from(encode_challenge(b"seed and size"));
		assert_eq!(
			decode_request(&challenge),
			Some(Incoming::Challenge(Bytes::from_static(b"seed and size")))
		);
		for bad in [&b""[..], b"Z", b"R\xff\xff\xff\xff"] {
			assert_eq!(decode_request(&Bytes::copy_from_slice(bad)), None, "{bad:?}");
		}
	}

	#[test]
	fn frames_survive_the_trip() {
		let frames = [
			Frame::Head(ResponseHead {
				status: 200,
				headers: vec![("content-type".into(), b"text/plain".to_vec())],
				worker: "w1".into(),
			}),
			Frame::Data(Bytes::from_static(b"Hello")),
			Frame::Data(Bytes::new()),
			Frame::End,
			Frame::Failed { status: 503, message: "busy".into() },
		];
		for frame in frames {
			assert_eq!(decode_frame(&encode_frame(&frame)), Some(frame));
		}
		for bad in [&b""[..], b"Q", b"H\x01", b"X\x01"] {
			assert_eq!(decode_frame(&Bytes::copy_from_slice(bad)), None, "{bad:?}");
		}
	}
}
