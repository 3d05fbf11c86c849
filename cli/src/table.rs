//! Aligned plain-text tables and key/value listings for human-readable output.

/// Renders `rows` under `header` with columns padded to their widest cell (two spaces
/// between columns, no trailing spaces).
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
	let columns = header.len();
	let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
	for row in rows {
		for (width, cell) in widths.iter_mut().zip(row) {
			*width = (*width).max(cell.chars().count());
		}
	}
	let line = |cells: Vec<&str>| {
		let mut out = String::new();
		for (i, cell) in cells.iter().enumerate().take(columns) {
			if i + 1 == columns {
				out.push_str(cell);
			} else {
				let pad = widths[i] - cell.chars().count();
				out.push_str(cell);
				out.push_str(&" ".repeat(pad + 2));
			}
		}
		out.trim_end().to_string()
	};
	let mut out = line(header.to_vec());
	for row in rows {
		out.push('\n');
		out.push_str(&line(row.iter().map(String::as_str).collect()));
	}
	out
}

/// Renders `key  value` lines with the keys padded to the longest one.
pub fn render_pairs(pairs: &[(&str, String)]) -> String {
	let width = pairs.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
	pairs
		.iter()
		.map(|(k, v)| format!("{k:width$}  {v}").trim_end().to_string())
		.collect::<Vec<_>>()
		.join("\n")
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn columns_align() {
		let table = render(
			&["id", "tag"],
			&[vec!["0".into(), "normal".into()], vec!["10".into(), "ai".into()]],
		);
		assert_eq!(table, "id  tag\n0   normal\n10  ai");
		assert_eq!(render_pairs(&[("a", "1".into()), ("bcd", "2".into())]), "a    1\nbcd  2");
	}
}
