//! The response body of a function, cut off at a size cap.

use crate::metrics::{Metrics, RejectReason};
use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use std::{
	pin::Pin,
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc,
	},
	task::{Context, Poll},
};
use wasmtime_wasi_http::body::HyperOutgoingBody;

/// The error type of response bodies served by the daemon.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What happened to a response body and to the instance writing it, shared by the two.
#[derive(Debug, Default)]
pub struct BodyFate {
	/// The host cut the body off or the client went away before its end.
	pub abandoned: AtomicBool,
	/// The instance failed (trap, limit); set before the instance's store is dropped, so before
	/// the body can see its end.
	pub instance_failed: AtomicBool,
}

/// A function's response body that fails once more than `cap` bytes have been produced.
///
/// The failing frame makes hyper abort the response (the connection is closed without the final
/// chunk), so the client sees a truncated response rather than a silently shortened one; the
/// cut is counted as [`RejectReason::ResponseTooLarge`]. Dropping the body closes the channel
/// the function writes into, so the function's next write fails; [`BodyFate::abandoned`] is then
/// set, so the instance's resulting failure is not counted as a trap of its own. Conversely, if
/// the instance fails (trap, limit) before finishing the body, the body ends with an error rather
/// than a normal end, so the client can tell the response is incomplete.
pub struct CappedBody {
	inner: HyperOutgoingBody,
	remaining: u64,
	cap: u64,
	cut: bool,
	ended: bool,
	metrics: Arc<Metrics>,
	fate: Arc<BodyFate>,
}

impl CappedBody {
	/// Wraps `inner`, allowing at most `cap` bytes of data.
	pub fn new(
		inner: HyperOutgoingBody,
		cap: u64,
		metrics: Arc<Metrics>,
		fate: Arc<BodyFate>,
	) -> Self {
		Self { inner, remaining: cap, cap, cut: false, ended: false, metrics, fate }
	}
}

impl Body for CappedBody {
	type Data = Bytes;
	type Error = BoxError;

	fn poll_frame(
		mut self: Pin<&mut Self>,
		cx: &mut Context<'_>,
	) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
		if self.cut {
			return Poll::Ready(None);
		}
		let frame = match Pin::new(&mut self.inner).poll_frame(cx) {
			Poll::Pending => return Poll::Pending,
			Poll::Ready(None) => {
				self.ended = true;
				if self.fate.instance_failed.load(Ordering::SeqCst) {
					return Poll::Ready(Some(Err(
						"the function failed before finishing its response".into(),
					)));
				}
				return Poll::Ready(None);
			},
			Poll::Ready(Some(Err(code))) => {
				return Poll::Ready(Some(Err(format!("function body failed: {code:?}").into())))
			},
			Poll::Ready(Some(Ok(frame))) => frame,
		};
		if let Some(data) = frame.data_ref() {
			let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
			if len > self.remaining {
				self.cut = true;
				self.fate.abandoned.store(true, Ordering::SeqCst);
				self.metrics.reject(RejectReason::ResponseTooLarge);
				let cap = self.cap;
				return Poll::Ready(Some(Err(format!(
					"function response too large: more than {cap} bytes"
				)
				.into())));
			}
			self.remaining -= len;
		}
		Poll::Ready(Some(Ok(frame)))
	}

	fn is_end_stream(&self) -> bool {
		self.cut || self.inner.is_end_stream()
	}

	fn size_hint(&self) -> SizeHint {
		let hint = self.inner.size_hint();
		match hint.upper() {
			Some(upper) if upper <= self.remaining => hint,
			// More than the cap may come: promise nothing beyond it (no `Content-Length`).
			_ => {
				let mut capped = SizeHint::new();
				capped.set_lower(hint.lower().min(self.remaining));
				capped
			},
		}
	}
}

impl Drop for CappedBody {
	fn drop(&mut self) {
		if !self.ended {
			self.fate.abandoned.store(true, Ordering::SeqCst);
		}
	}
}
