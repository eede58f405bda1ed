//! `outages eval DIR`: scores the press extractor against a labelled set, so a change to the
//! extraction rules can be judged by numbers, field by field, rather than by a few examples.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::Exit;
use crate::cli::EvalArgs;
use crate::extract::press::{LabelledItem, evaluate, read_pages, score_pages};

pub fn eval(args: &EvalArgs) -> Result<Exit> {
    if args.dir.join("labels.jsonl").is_file() {
        return eval_pages(&args.dir);
    }
    let files = labelled_files(&args.dir)?;
    let mut items = Vec::new();
    for file in &files {
        items.extend(read_labelled(file, &args.corpus)?);
    }
    if items.is_empty() {
        bail!("{}: no labelled items", args.dir.display());
    }
    let report = evaluate(&items);
    // Written, not printed, so `outages eval DIR | head` ends quietly on a closed pipe.
    let mut w = std::io::stdout().lock();
    writeln!(w, "{report}")?;
    for title in &report.misclassified {
        writeln!(w, "misclassified: {title}")?;
    }
    for miss in &report.wrong_vendor {
        writeln!(w, "wrong vendor: {miss}")?;
    }
    for miss in &report.wrong_regions {
        writeln!(w, "wrong regions: {miss}")?;
    }
    for miss in &report.wrong_services {
        writeln!(w, "wrong services: {miss}")?;
    }
    for miss in &report.wrong_start {
        writeln!(w, "wrong start: {miss}")?;
    }
    for miss in &report.wrong_duration {
        writeln!(w, "wrong duration: {miss}")?;
    }
    Ok(Exit::Ok)
}

/// The `.jsonl` files of a folder in name order, or the one file given.
fn labelled_files(path: &Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("cannot read the folder {}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("{}: no .jsonl labelled set in this folder", path.display());
    }
    Ok(files)
}

/// One labelled item per non-empty line, its text read from the corpus where it names it
/// there; a bad line is an error naming its file and line.
fn read_labelled(file: &Path, corpus: &Path) -> Result<Vec<LabelledItem>> {
    let raw =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    raw.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            let at = || format!("{}:{}", file.display(), n + 1);
            let mut item: LabelledItem = serde_json::from_str(l)
                .with_context(|| format!("{}: not a labelled item", at()))?;
            item.resolve_text(corpus).map_err(|e| {
                anyhow::anyhow!("{}: {e} (the corpus folder is set with --corpus)", at())
            })?;
            if item.text.trim().is_empty() {
                bail!(
                    "{}: the item has no text and names none in the corpus",
                    at()
                );
            }
            Ok(item)
        })
        .collect()
}

/// A folder of real pages (`labels.jsonl` beside `<id>.txt` excerpts, as
/// `../shared/corpus/press-pages`): one score per field and page, then every miss.
fn eval_pages(dir: &Path) -> Result<Exit> {
    let pages = read_pages(dir).map_err(anyhow::Error::msg)?;
    if pages.is_empty() {
        bail!("{}: no labelled pages", dir.display());
    }
    let report = score_pages(&pages);
    let mut w = std::io::stdout().lock();
    writeln!(w, "{report}")?;
    for miss in &report.misses {
        writeln!(w, "{miss}")?;
    }
    Ok(Exit::Ok)
}
