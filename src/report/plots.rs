//! The report folder's SVG plots: precision-recall and ROC curves with the operating point, the
//! score histogram and reliability (calibration) plots, drawn with plotters. Deterministic: the same
//! scores give the same bytes.

use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::eval::{self, CalibrationBin, Metrics};

/// Bins of the score histogram.
pub const HISTOGRAM_BINS: usize = 20;
/// Size of every plot, in pixels.
pub const PLOT_SIZE: (u32, u32) = (640, 480);

const SPUN_COLOR: RGBColor = RGBColor(200, 55, 55);
const ORIGINAL_COLOR: RGBColor = RGBColor(45, 100, 190);
const GUIDE_COLOR: RGBColor = RGBColor(150, 150, 150);

fn plot_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("cannot draw the {what}: {e}"))
}

/// Draws on an SVG canvas of [`PLOT_SIZE`] and returns the SVG text.
fn draw_svg(what: &str, draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<()>) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, PLOT_SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(what, e))?;
        draw(&root)?;
        root.present().map_err(|e| plot_error(what, e))?;
    }
    Ok(svg)
}

/// Marks the model's operating point on a curve, with a legend naming the threshold.
fn mark_operating_point<'a, 'b: 'a>(
    chart: &mut ChartContext<
        'a,
        SVGBackend<'b>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    what: &str,
    point: (f64, f64),
    threshold: f64,
    legend_at: SeriesLabelPosition,
) -> Result<()> {
    chart
        .draw_series(std::iter::once(Circle::new(point, 5, SPUN_COLOR.filled())))
        .map_err(|e| plot_error(what, e))?
        .label(format!("threshold {threshold:.4}"))
        .legend(|(x, y)| Circle::new((x + 8, y), 5, SPUN_COLOR.filled()));
    chart
        .configure_series_labels()
        .position(legend_at)
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()
        .map_err(|e| plot_error(what, e))?;
    Ok(())
}

/// A unit-square chart with a mesh, for curves and the reliability plot.
fn unit_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    what: &str,
    caption: &str,
    x_desc: &str,
    y_desc: &str,
) -> Result<ChartContext<'a, SVGBackend<'b>, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>> {
    let mut chart = ChartBuilder::on(root)
        .caption(caption, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(54)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)
        .map_err(|e| plot_error(what, e))?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(6)
        .y_labels(6)
        .max_light_lines(1)
        .x_label_formatter(&|v| format!("{v:.1}"))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .draw()
        .map_err(|e| plot_error(what, e))?;
    Ok(chart)
}

fn value(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{v:.3}"))
}

/// Precision against recall over all thresholds (steps, as average precision sums them), with the
/// operating point at the report's threshold.
pub fn pr_curve_svg(scores: &[f64], labels: &[bool], m: &Metrics) -> Result<String> {
    let what = "precision-recall curve";
    let n_pos = labels.iter().filter(|&&l| l).count();
    let mut steps: Vec<(f64, f64)> = Vec::new();
    if n_pos > 0 {
        let mut prev_recall = 0.0;
        for p in eval::curve(scores, labels) {
            let (recall, precision) = (p.tp as f64 / n_pos as f64, p.tp as f64 / (p.tp + p.fp) as f64);
            steps.push((prev_recall, precision));
            steps.push((recall, precision));
            prev_recall = recall;
        }
    }
    draw_svg(what, |root| {
        let mut chart =
            unit_chart(root, what, &format!("Precision-recall (average precision {})", value(m.pr_auc)), "recall", "precision")?;
        chart.draw_series(LineSeries::new(steps, ORIGINAL_COLOR.stroke_width(2))).map_err(|e| plot_error(what, e))?;
        if let (Some(r), Some(p)) = (m.recall, m.precision) {
            mark_operating_point(&mut chart, what, (r, p), m.threshold, SeriesLabelPosition::LowerLeft)?;
        }
        Ok(())
    })
}

/// True-positive rate (recall) against false-positive rate over all thresholds, with the diagonal
/// of a random ranking and the operating point.
pub fn roc_curve_svg(scores: &[f64], labels: &[bool], m: &Metrics) -> Result<String> {
    let what = "ROC curve";
    let n_pos = labels.iter().filter(|&&l| l).count();
    let n_neg = labels.len() - n_pos;
    let mut points = vec![(0.0, 0.0)];
    if n_pos > 0 && n_neg > 0 {
        points.extend(eval::curve(scores, labels).iter().map(|p| (p.fp as f64 / n_neg as f64, p.tp as f64 / n_pos as f64)));
    }
    let fpr = m.confusion.fp as f64 / (m.confusion.fp + m.confusion.tn).max(1) as f64;
    draw_svg(what, |root| {
        let mut chart =
            unit_chart(root, what, &format!("ROC (AUC {})", value(m.roc_auc)), "false-positive rate", "true-positive rate (recall)")?;
        chart.draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], GUIDE_COLOR.stroke_width(1))).map_err(|e| plot_error(what, e))?;
        chart.draw_series(LineSeries::new(points, ORIGINAL_COLOR.stroke_width(2))).map_err(|e| plot_error(what, e))?;
        if let Some(r) = m.recall.filter(|_| n_neg > 0) {
            mark_operating_point(&mut chart, what, (fpr, r), m.threshold, SeriesLabelPosition::LowerRight)?;
        }
        Ok(())
    })
}

/// Counts of `p_spun` per class in [`HISTOGRAM_BINS`] equal bins over [0, 1], with the threshold.
pub fn histogram_svg(scores: &[f64], labels: &[bool], threshold: f64) -> Result<String> {
    let what = "score histogram";
    let mut counts = [[0usize; HISTOGRAM_BINS]; 2];
    for (&p, &spun) in scores.iter().zip(labels) {
        let bin = ((p * HISTOGRAM_BINS as f64) as usize).min(HISTOGRAM_BINS - 1);
        counts[spun as usize][bin] += 1;
    }
    let top = counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64 * 1.08;
    draw_svg(what, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption("p_spun per class", ("sans-serif", 20))
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..1.0, 0.0..top)
            .map_err(|e| plot_error(what, e))?;
        chart
            .configure_mesh()
            .x_desc("p_spun")
            .y_desc("documents")
            .x_labels(11)
            .y_labels(6)
            .max_light_lines(1)
            .x_label_formatter(&|v| format!("{v:.1}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .draw()
            .map_err(|e| plot_error(what, e))?;
        let width = 1.0 / HISTOGRAM_BINS as f64;
        for (class, color, name) in [(0, ORIGINAL_COLOR, "original"), (1, SPUN_COLOR, "spun")] {
            let bars = counts[class].iter().enumerate().filter(|(_, &c)| c > 0).map(move |(b, &c)| {
                Rectangle::new([(b as f64 * width, 0.0), ((b + 1) as f64 * width, c as f64)], color.mix(0.45).filled())
            });
            chart
                .draw_series(bars)
                .map_err(|e| plot_error(what, e))?
                .label(format!("{name} ({})", counts[class].iter().sum::<usize>()))
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.mix(0.45).filled()));
        }
        chart
            .draw_series(LineSeries::new([(threshold, 0.0), (threshold, top)], BLACK.stroke_width(1)))
            .map_err(|e| plot_error(what, e))?
            .label(format!("threshold {threshold:.4}"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], BLACK));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperMiddle)
            .border_style(BLACK)
            .background_style(WHITE)
            .draw()
            .map_err(|e| plot_error(what, e))?;
        Ok(())
    })
}

/// Reliability plot: share of spun documents against mean `p_spun` per calibration bin, with the
/// diagonal of perfect calibration.
pub fn calibration_svg(bins: &[CalibrationBin]) -> Result<String> {
    let what = "reliability plot";
    let points: Vec<(f64, f64)> = bins.iter().map(|b| (b.mean_p, b.fraction_spun)).collect();
    draw_svg(what, |root| {
        let mut chart = unit_chart(root, what, "Reliability (10 bins of p_spun)", "mean p_spun in bin", "share of spun documents")?;
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], GUIDE_COLOR.stroke_width(1)))
            .map_err(|e| plot_error(what, e))?
            .label("perfectly calibrated")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], GUIDE_COLOR));
        chart
            .draw_series(LineSeries::new(points.clone(), ORIGINAL_COLOR.stroke_width(2)))
            .map_err(|e| plot_error(what, e))?
            .label("model")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], ORIGINAL_COLOR.stroke_width(2)));
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, ORIGINAL_COLOR.filled()))).map_err(|e| plot_error(what, e))?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .border_style(BLACK)
            .background_style(WHITE)
            .draw()
            .map_err(|e| plot_error(what, e))?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Report;

    #[test]
    fn plots_are_svg_and_deterministic() {
        let r = Report::compute(&[0.9, 0.8, 0.7, 0.3, 0.2, 0.6], &[true, false, true, true, false, false], 0.5, &[]);
        let s = [0.9, 0.8, 0.7, 0.3, 0.2, 0.6];
        let l = [true, false, true, true, false, false];
        for svg in [
            pr_curve_svg(&s, &l, &r.all).unwrap(),
            roc_curve_svg(&s, &l, &r.all).unwrap(),
            histogram_svg(&s, &l, 0.5).unwrap(),
            calibration_svg(&r.calibration).unwrap(),
        ] {
            assert!(svg.trim_start().starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");
            assert!(svg.contains("<text"), "labels are SVG text");
        }
        assert_eq!(pr_curve_svg(&s, &l, &r.all).unwrap(), pr_curve_svg(&s, &l, &r.all).unwrap());
        // one class and no data draw too
        assert!(roc_curve_svg(&[0.5], &[true], &Metrics::compute(&[0.5], &[true], 0.5)).is_ok());
        assert!(histogram_svg(&[], &[], 0.5).is_ok());
    }
}
