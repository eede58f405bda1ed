//! The HTML pages, one module per page. Server-rendered and complete without JavaScript; the
//! script only makes the search live and adds zoom keys. Each page reads through the same
//! loaders as the JSON API, and every scraped string goes through `html::text` on its way out.

mod compare;
mod event;
mod fragments;
mod help;
mod search;
mod sources;
mod timeline;
mod vendor;

pub use compare::compare;
pub use event::event;
pub use help::api_help;
pub use search::{search, search_fragment};
pub use sources::sources;
pub use timeline::timeline;
pub use vendor::{vendor, vendors};

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::model::slug;
use crate::serve::ServeError;
use crate::serve::html::{Nav, page, text};
use crate::serve::params::path_segment;

/// An error shown as a page, with the error's status.
pub struct PageError(ServeError);

impl From<ServeError> for PageError {
    fn from(e: ServeError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(error = %self.0, "page failed");
        }
        let heading = if status == StatusCode::NOT_FOUND {
            "Not found"
        } else if status.is_client_error() {
            "That request could not be read"
        } else {
            "Something went wrong"
        };
        let body = format!(
            "<h1>{heading}</h1>\n<p class=\"error\">{}</p>\n<p><a href=\"/\">Back to search</a></p>",
            text(&self.0.to_string())
        );
        let res = (status, Html(page(heading, Nav::None, &body))).into_response();
        self.0.finish(res)
    }
}

type PageResult = Result<Html<String>, PageError>;

pub async fn not_found() -> Response {
    PageError(ServeError::NotFound(
        "There is no page at this address.".into(),
    ))
    .into_response()
}

fn event_href(id: &str) -> String {
    format!("/events/{}", path_segment(id))
}

fn vendor_href(name: &str) -> String {
    format!("/vendors/{}", path_segment(name))
}

fn anchor(id: &str) -> String {
    format!("ev-{}", slug(id))
}
