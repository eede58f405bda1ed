//! Small charts of monthly counts: a terminal sparkline and an SVG bar chart (reused by the web
//! UI). Labels are escaped; the SVG has no scripts and no external references.

/// `▁▂▃▅█`-style sparkline, one character per value, scaled to the largest.
pub fn sparkline(values: &[usize]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if max == 0 || v == 0 {
                ' '
            } else {
                let i = (v * (BARS.len() - 1)).div_ceil(max);
                BARS[i.min(BARS.len() - 1)]
            }
        })
        .collect()
}

/// Sums consecutive values so at most `width` remain (months into quarters or years on a
/// terminal); returns the sums and how many values each holds.
pub fn bucket(values: &[usize], width: usize) -> (Vec<usize>, usize) {
    let per = values.len().div_ceil(width.max(1)).max(1);
    (values.chunks(per).map(|c| c.iter().sum()).collect(), per)
}

/// One series of an SVG chart.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: &'a [usize],
}

/// Grouped bar chart: one group per label (month), one bar per series.
pub fn svg_bars(title: &str, labels: &[String], series: &[Series]) -> String {
    const PALETTE: [&str; 6] = [
        "#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#718096",
    ];
    let width = 720.0_f64;
    let height = 240.0_f64;
    let (left, right, top, bottom) = (40.0, 10.0, 28.0, 40.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let groups = labels.len().max(1) as f64;
    let group_w = plot_w / groups;
    let bar_w = (group_w * 0.8 / series.len().max(1) as f64).max(1.0);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">\n",
        esc(title)
    );
    out.push_str(&format!("<title>{}</title>\n", esc(title)));
    out.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\"/>\n",
        top + plot_h,
        left + plot_w,
        top + plot_h
    ));
    out.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{max}</text>\n",
        left - 4.0,
        top + 8.0
    ));
    for (si, s) in series.iter().enumerate() {
        let color = PALETTE[si % PALETTE.len()];
        for (gi, &v) in s.values.iter().enumerate() {
            if v == 0 {
                continue;
            }
            let h = plot_h * v as f64 / max as f64;
            let x = left + gi as f64 * group_w + group_w * 0.1 + si as f64 * bar_w;
            let y = top + plot_h - h;
            let label = labels.get(gi).map_or("", String::as_str);
            out.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\" fill=\"{color}\"><title>{}: {} {v}</title></rect>\n",
                esc(s.name),
                esc(label)
            ));
        }
    }
    let step = (labels.len() / 12).max(1);
    for (gi, label) in labels.iter().enumerate().step_by(step) {
        let x = left + gi as f64 * group_w + group_w / 2.0;
        out.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{}\" font-size=\"9\" text-anchor=\"middle\">{}</text>\n",
            top + plot_h + 14.0,
            esc(label)
        ));
    }
    for (si, s) in series.iter().enumerate() {
        let x = left + si as f64 * 140.0;
        out.push_str(&format!(
            "<rect x=\"{x}\" y=\"6\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"15\" font-size=\"11\">{}</text>\n",
            PALETTE[si % PALETTE.len()],
            x + 14.0,
            esc(s.name)
        ));
    }
    out.push_str("</svg>\n");
    out
}

fn esc(s: &str) -> String {
    html_escape::encode_safe(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_to_the_largest() {
        assert_eq!(sparkline(&[0, 1, 2, 4, 8]), " ▂▃▅█");
        assert_eq!(sparkline(&[0, 0]), "  ");
    }

    #[test]
    fn buckets_cap_the_width() {
        assert_eq!(bucket(&[1, 2, 3, 4, 5], 2), (vec![6, 9], 3));
        assert_eq!(bucket(&[1, 2], 10), (vec![1, 2], 1));
    }

    #[test]
    fn svg_escapes_names() {
        let svg = svg_bars(
            "<b>",
            &["2024-01".to_string()],
            &[Series {
                name: "<script>x</script>",
                values: &[3],
            }],
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("<rect"));
    }
}
