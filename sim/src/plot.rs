//! PNG figures: line charts drawn by plotters into an RGB buffer and encoded here (PNG with a
//! zlib stream from miniz_oxide, CRC-32 of its own).

use plotters::prelude::*;
use std::path::Path;

/// Width and height of every figure.
const SIZE: (u32, u32) = (960, 600);

/// One line of a chart: a name, points and optional 95 % half-widths (drawn as error bars).
#[derive(Clone, Debug)]
pub struct Series {
	pub name: String,
	pub points: Vec<(f64, f64)>,
	pub ci: Vec<f64>,
	/// Drawn dashed-looking (thin, without markers): reference lines such as a break-even.
	pub reference: bool,
}

impl Series {
	/// A line through `points` with error bars `ci` (empty: none).
	pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>, ci: Vec<f64>) -> Self {
		Self { name: name.into(), points, ci, reference: false }
	}

	/// A reference line (no markers).
	pub fn reference(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
		Self { name: name.into(), points, ci: Vec::new(), reference: true }
	}
}

/// One panel: title, axis labels and lines.
#[derive(Clone, Debug)]
pub struct Panel {
	pub title: String,
	pub x_label: String,
	pub y_label: String,
	pub series: Vec<Series>,
}

const COLORS: [RGBColor; 8] = [
	RGBColor(31, 119, 180),
	RGBColor(214, 39, 40),
	RGBColor(44, 160, 44),
	RGBColor(255, 127, 14),
	RGBColor(148, 103, 189),
	RGBColor(140, 86, 75),
	RGBColor(227, 119, 194),
	RGBColor(90, 90, 90),
];

/// Register the font shipped with the crate (DejaVu Sans, `assets/`) as "sans-serif", once.
fn fonts() {
	static ONCE: std::sync::Once = std::sync::Once::new();
	ONCE.call_once(|| {
		let font: &'static [u8] = include_bytes!("../assets/DejaVuSans.ttf");
		if plotters::style::register_font("sans-serif", FontStyle::Normal, font).is_err() {
			panic!("the shipped font is a valid TrueType font");
		}
	});
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
	let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
	for v in values.filter(|v| v.is_finite()) {
		lo = lo.min(v);
		hi = hi.max(v);
	}
	if !lo.is_finite() {
		return (0.0, 1.0);
	}
	if (hi - lo).abs() < 1e-9 {
		return (lo - 1.0, hi + 1.0);
	}
	let pad = (hi - lo) * 0.06;
	(lo - pad, hi + pad)
}

type DrawResult<T> = Result<T, Box<dyn std::error::Error>>;

fn draw_panel<DB: DrawingBackend>(
	area: &DrawingArea<DB, plotters::coord::Shift>,
	panel: &Panel,
) -> DrawResult<()>
where
	DB::ErrorType: 'static,
{
	let xs = panel.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
	let ys = panel.series.iter().flat_map(|s| {
		s.points.iter().enumerate().flat_map(move |(i, p)| {
			let ci = s.ci.get(i).copied().unwrap_or(0.0);
			[p.1 - ci, p.1 + ci]
		})
	});
	let (x0, x1) = range(xs);
	let (y0, y1) = range(ys);
	let mut chart = ChartBuilder::on(area)
		.caption(&panel.title, ("sans-serif", 22))
		.margin(14)
		.x_label_area_size(48)
		.y_label_area_size(72)
		.build_cartesian_2d(x0..x1, y0..y1)?;
	chart
		.configure_mesh()
		.x_desc(panel.x_label.as_str())
		.y_desc(panel.y_label.as_str())
		.label_style(("sans-serif", 15))
		.axis_desc_style(("sans-serif", 17))
		.light_line_style(RGBColor(235, 235, 235))
		.draw()?;
	for (i, series) in panel.series.iter().enumerate() {
		let color = COLORS[i % COLORS.len()];
		let width = if series.reference { 1 } else { 2 };
		let style = color.stroke_width(width);
		chart
			.draw_series(LineSeries::new(series.points.iter().copied(), style))?
			.label(series.name.as_str())
			.legend(move |(x, y)| {
				PathElement::new(vec![(x, y), (x + 22, y)], color.stroke_width(3))
			});
		if !series.reference {
			chart.draw_series(series.points.iter().map(|p| Circle::new(*p, 4, color.filled())))?;
			chart.draw_series(series.points.iter().enumerate().filter_map(|(j, p)| {
				let ci = *series.ci.get(j)?;
				(ci > 0.0).then(|| {
					ErrorBar::new_vertical(p.0, p.1 - ci, p.1, p.1 + ci, color.stroke_width(1), 8)
				})
			}))?;
		}
	}
	chart
		.configure_series_labels()
		.background_style(WHITE.mix(0.85))
		.border_style(RGBColor(180, 180, 180))
		.label_font(("sans-serif", 15))
		.position(SeriesLabelPosition::UpperRight)
		.draw()?;
	Ok(())
}

/// Draw `panels` side by side into a PNG at `path`.
pub fn chart(path: &Path, panels: &[Panel]) -> DrawResult<()> {
	fonts();
	let (w, h) = (SIZE.0 * panels.len().max(1) as u32 * 3 / 4 + SIZE.0 / 4, SIZE.1);
	let mut rgb = vec![255u8; (w * h * 3) as usize];
	{
		let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
		root.fill(&WHITE)?;
		let areas = root.split_evenly((1, panels.len().max(1)));
		for (area, panel) in areas.iter().zip(panels) {
			draw_panel(area, panel)?;
		}
		root.present()?;
	}
	std::fs::write(path, png(&rgb, w, h))?;
	Ok(())
}

/// CRC-32 (IEEE) of `bytes`, as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
	let mut table = [0u32; 256];
	for (n, entry) in table.iter_mut().enumerate() {
		let mut c = n as u32;
		for _ in 0..8 {
			c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
		}
		*entry = c;
	}
	let mut crc = 0xFFFF_FFFFu32;
	for b in bytes {
		crc = table[((crc ^ u32::from(*b)) & 0xFF) as usize] ^ (crc >> 8);
	}
	crc ^ 0xFFFF_FFFF
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
	out.extend_from_slice(&(data.len() as u32).to_be_bytes());
	let start = out.len();
	out.extend_from_slice(kind);
	out.extend_from_slice(data);
	let crc = crc32(&out[start..]);
	out.extend_from_slice(&crc.to_be_bytes());
}

/// Encode an 8-bit RGB image as PNG (every row with the `Up` filter, which turns a chart's
/// long runs of equal pixels into zeros for the deflate stream).
pub fn png(rgb: &[u8], width: u32, height: u32) -> Vec<u8> {
	let row = width as usize * 3;
	let mut raw = Vec::with_capacity((row + 1) * height as usize);
	for y in 0..height as usize {
		raw.push(2); // Up
		let line = &rgb[y * row..(y + 1) * row];
		if y == 0 {
			raw.extend_from_slice(line);
		} else {
			let above = &rgb[(y - 1) * row..y * row];
			raw.extend(line.iter().zip(above).map(|(a, b)| a.wrapping_sub(*b)));
		}
	}
	let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
	let mut ihdr = Vec::with_capacity(13);
	ihdr.extend_from_slice(&width.to_be_bytes());
	ihdr.extend_from_slice(&height.to_be_bytes());
	ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, RGB, deflate, adaptive filters, no interlace
	chunk(&mut out, b"IHDR", &ihdr);
	chunk(&mut out, b"IDAT", &miniz_oxide::deflate::compress_to_vec_zlib(&raw, 9));
	chunk(&mut out, b"IEND", &[]);
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn crc32_matches_the_standard_check_value() {
		assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
	}

	#[test]
	fn png_round_trips_through_the_zlib_stream() {
		let (w, h) = (3u32, 2u32);
		let rgb: Vec<u8> = (0..(w * h * 3) as u8).collect();
		let png = png(&rgb, w, h);
		assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
		// IHDR, then IDAT: inflate it and undo the Up filter.
		let idat_len = u32::from_be_bytes(png[33..37].try_into().unwrap()) as usize;
		assert_eq!(&png[37..41], b"IDAT");
		let raw = miniz_oxide::inflate::decompress_to_vec_zlib(&png[41..41 + idat_len]).unwrap();
		let row = (w * 3) as usize;
		let mut decoded = Vec::new();
		for y in 0..h as usize {
			assert_eq!(raw[y * (row + 1)], 2);
			for x in 0..row {
				let v = raw[y * (row + 1) + 1 + x];
				let above = if y == 0 { 0 } else { decoded[(y - 1) * row + x] };
				decoded.push(v.wrapping_add(above));
			}
		}
		assert_eq!(decoded, rgb);
	}
}
