//! The daemon's log: lines on stderr,
//! `<RFC 3339 UTC time with milliseconds> <LEVEL> <target>: <message>`, e.g.
//! `2026-12-05T21:17:02.123Z INFO defaas_provider::bidder: order 7: commit_bid submitted`.
//! Records of the daemon's own targets (`defaas*`) are shown from the chosen level, those of
//! its libraries only from `WARN`.

use chrono::{DateTime, SecondsFormat, Utc};
use std::time::SystemTime;

/// `time` as RFC 3339 in UTC with milliseconds: `2026-12-05T21:17:02.123Z`.
pub fn rfc3339_millis(time: SystemTime) -> String {
	DateTime::<Utc>::from(time).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The log line of a record at `time` (without the newline).
pub fn format_line(time: SystemTime, record: &log::Record) -> String {
	format!("{} {} {}: {}", rfc3339_millis(time), record.level(), record.target(), record.args())
}

/// Log lines to stderr, see the module documentation.
pub struct StderrLogger(log::LevelFilter);

impl StderrLogger {
	/// Installs the logger at `level` (does nothing if a logger is installed already).
	pub fn install(level: log::LevelFilter) {
		let logger: &'static StderrLogger = Box::leak(Box::new(StderrLogger(level)));
		if log::set_logger(logger).is_ok() {
			log::set_max_level(level);
		}
	}
}

impl log::Log for StderrLogger {
	fn enabled(&self, metadata: &log::Metadata) -> bool {
		metadata.level() <= self.0
			&& (metadata.target().starts_with("defaas") || metadata.level() <= log::Level::Warn)
	}

	fn log(&self, record: &log::Record) {
		if self.enabled(record.metadata()) {
			eprintln!("{}", format_line(SystemTime::now(), record));
		}
	}

	fn flush(&self) {}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::time::{Duration, UNIX_EPOCH};

	fn at(millis: u64) -> SystemTime {
		UNIX_EPOCH + Duration::from_millis(millis)
	}

	#[test]
	fn timestamps_are_rfc3339_utc_with_milliseconds() {
		assert_eq!(rfc3339_millis(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
		// The epoch-seconds stamp operators used to get, `1796502773.043`.
		assert_eq!(rfc3339_millis(at(1_796_502_773_043)), "2026-12-05T20:32:53.043Z");
		// A leap day, the last millisecond of a leap year, and sub-millisecond truncation.
		assert_eq!(rfc3339_millis(at(951_782_400_000)), "2000-02-29T00:00:00.000Z");
		assert_eq!(rfc3339_millis(at(1_735_689_599_999)), "2024-12-31T23:59:59.999Z");
		let nanos = UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_999_999);
		assert_eq!(rfc3339_millis(nanos), "2023-11-14T22:13:20.123Z");
	}

	#[test]
	fn a_line_is_time_level_target_message() {
		let args = format_args!("order {} deployed", 7);
		let record = log::Record::builder()
			.args(args)
			.level(log::Level::Info)
			.target("defaas_provider::deploy")
			.build();
		assert_eq!(
			format_line(at(1_796_502_773_043), &record),
			"2026-12-05T20:32:53.043Z INFO defaas_provider::deploy: order 7 deployed"
		);
	}
}
