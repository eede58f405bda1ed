//! Every source with its health, as the crawler classified it.

use axum::extract::State;
use axum::response::Html;

use super::PageResult;
use super::fragments::sources_table;
use crate::serve::api;
use crate::serve::html::{Nav, page};
use crate::serve::{Shared, blocking};

pub async fn sources(State(state): State<Shared>) -> PageResult {
    let list = blocking(&state, |store, _| Ok(store.sources()?)).await?;
    let failing = list.iter().filter(|s| api::health(s) == "failing").count();
    let mut out = format!(
        "<h1>Sources</h1><p class=\"lede\">{} source{}, {} failing. A failing source keeps its history; its error is shown as the crawler classified it.</p>",
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        failing
    );
    out.push_str(&sources_table(&list, true));
    Ok(Html(page("Sources", Nav::Sources, &out)))
}
