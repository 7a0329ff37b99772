//! Reading the documents named on the command line: files, folders, standard input, labeled data.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use unspun::corpus::{self, Record};

/// One document to score.
pub(super) struct Doc {
    pub(super) id: String,
    pub(super) text: String,
}

pub(super) fn read_documents(paths: &[PathBuf]) -> Result<Vec<Doc>> {
    let paths: Vec<PathBuf> = if paths.is_empty() { vec![PathBuf::from("-")] } else { paths.to_vec() };
    let mut docs = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut bytes = Vec::new();
            io::stdin().read_to_end(&mut bytes).context("cannot read standard input")?;
            let (text, lossy) = corpus::decode_text(bytes);
            if lossy {
                warn!("unspun: warning: <stdin>: invalid UTF-8 replaced");
            }
            docs.push(Doc { id: "-".into(), text });
        } else if p.is_dir() {
            let files = corpus::text_files_in(&p)?;
            if files.is_empty() {
                warn!("unspun: warning: {}: no .txt, .md or .html files in this folder", p.display());
            }
            for f in files {
                docs.push(read_document(&f)?);
            }
        } else {
            docs.push(read_document(&p)?);
        }
    }
    Ok(docs)
}

fn read_document(p: &Path) -> Result<Doc> {
    let (text, lossy) = corpus::read_text_file(p)?;
    if lossy {
        warn!("unspun: warning: {}: invalid UTF-8 replaced", p.display());
    }
    Ok(Doc { id: p.display().to_string(), text })
}

pub(super) fn read_labeled(paths: &[PathBuf]) -> Result<Vec<Record>> {
    let recs = corpus::read_labeled(paths)?;
    Ok(recs)
}
