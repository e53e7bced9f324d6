//! Listing across pages as one stream of items: what integrations otherwise write by
//! hand, and where they lose or repeat pages.
//!
//! A generated list operation whose `[pagination.<operationId>]` table is in
//! `codegen.toml` gets `into_stream()` on its builder, returning a [`Paginator`]: a
//! [`Stream`] of items, fetching the next page only when the items of the last one are
//! used up. Three kinds of paging are known:
//! - `cursor`: the page names the next cursor, sent back as a query parameter;
//! - `page`: pages are numbered, the page says its number and how many there are;
//! - `link`: the page carries the URL of the next one. It is followed only on the
//!   client's own origin (the access token goes nowhere else); a link to another origin
//!   is read for the query parameter that selects the page directly (such as `skip`),
//!   which is then set on the original request.
//!
//! A cursor, link or page number that repeats ends the stream with an error (a
//! misbehaving server would otherwise loop for ever), and so does reaching
//! [`Paginator::max_pages`] while the vendor says there is more: a listing is never cut
//! short silently.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use futures_core::Stream;
use progenitor_client::ResponseValue;

use crate::Error;

/// The default most pages a paginator fetches.
pub const DEFAULT_MAX_PAGES: usize = 1000;

/// The request for one page, as the paginator asks the generated code to send it.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageRequest {
    /// The request as the user built it.
    First,
    /// The request with its cursor parameter set.
    Cursor(String),
    /// The request with its page-number parameter set (or, for `link` paging, the
    /// parameter that selects a page directly).
    Number(u64),
    /// The URL a page linked to, on the client's origin.
    Link(reqwest::Url),
}

/// What a page says about the next one, read by the generated code.
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct PageInfo {
    /// `cursor`: the next cursor; `link`: the next link.
    pub next: Option<String>,
    /// `page`: the number the page says it has.
    pub number: Option<u64>,
    /// `page`: how many pages there are.
    pub total_pages: Option<u64>,
}

/// How an API pages one operation (from `[pagination.<operationId>]`).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum PageKind {
    Cursor,
    Page {
        /// The number of the first page (usually 1).
        first: u64,
    },
    Link {
        /// The query parameter of a link that selects its page directly, used when the
        /// link is on another origin.
        fallback_param: Option<&'static str>,
    },
}

/// For generated code: the pieces of one paginated operation.
#[doc(hidden)]
pub struct PageSpec<P, I> {
    pub operation: &'static str,
    pub kind: PageKind,
    /// The client's base URL, against which links are resolved.
    pub base_url: String,
    /// Splits a page into its items and what it says of the next page.
    pub parts: fn(P) -> (Vec<I>, PageInfo),
}

type PageFuture<'a, P, E> =
    Pin<Box<dyn Future<Output = Result<ResponseValue<P>, Error<E>>> + Send + 'a>>;
type Fetch<'a, P, E> = Box<dyn FnMut(PageRequest) -> PageFuture<'a, P, E> + Send + 'a>;

/// The items of a paginated list operation, across pages, as a [`Stream`] of
/// `Result<item, Error>`. An error comes after the items of the pages fetched before
/// it, and ends the stream.
///
/// ```no_run
/// # async fn example(paginator: idverify_runtime::pagination::Paginator<'_, u32, ()>) {
/// use futures_util::TryStreamExt;
/// let all: Vec<u32> = paginator.max_pages(50).try_collect().await.unwrap();
/// # }
/// ```
#[must_use = "a paginator fetches nothing until it is polled"]
pub struct Paginator<'a, I, E> {
    state: Option<State<'a, I, E>>,
    running: Option<Running<'a, I, E>>,
    /// The error that ends the stream once the buffered items are out.
    failed: Option<Box<Error<E>>>,
}

struct State<'a, I, E> {
    fetch: Box<dyn FnMut(PageRequest) -> PageItems<'a, I, E> + Send + 'a>,
    kind: PageKind,
    operation: &'static str,
    base_url: String,
    next: Option<PageRequest>,
    seen: HashSet<String>,
    pages: usize,
    max_pages: usize,
    buffered: VecDeque<I>,
}

type PageItems<'a, I, E> =
    Pin<Box<dyn Future<Output = Result<(Vec<I>, PageInfo), Error<E>>> + Send + 'a>>;
type Step<'a, I, E> = (State<'a, I, E>, Result<(), Error<E>>);
type Running<'a, I, E> = Pin<Box<dyn Future<Output = Step<'a, I, E>> + Send + 'a>>;

impl<I, E> fmt::Debug for Paginator<'_, I, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Paginator");
        if let Some(state) = &self.state {
            out.field("operation", &state.operation)
                .field("kind", &state.kind)
                .field("pages", &state.pages)
                .field("max_pages", &state.max_pages);
        }
        out.finish_non_exhaustive()
    }
}

impl<'a, I, E> Paginator<'a, I, E>
where
    I: Send + 'a,
    E: Send + 'a,
{
    /// For generated code: a paginator sending each page's request with `fetch`.
    #[doc(hidden)]
    pub fn new<P, F, Fut>(spec: PageSpec<P, I>, mut fetch: F) -> Self
    where
        P: Send + 'a,
        F: FnMut(PageRequest) -> Fut + Send + 'a,
        Fut: Future<Output = Result<ResponseValue<P>, Error<E>>> + Send + 'a,
    {
        let parts = spec.parts;
        let mut fetch: Fetch<'a, P, E> = Box::new(move |request| Box::pin(fetch(request)));
        let fetch = Box::new(move |request| -> PageItems<'a, I, E> {
            let page = fetch(request);
            Box::pin(async move { page.await.map(|page| parts(page.into_inner())) })
        });
        Self {
            state: Some(State {
                fetch,
                kind: spec.kind,
                operation: spec.operation,
                base_url: spec.base_url,
                next: Some(PageRequest::First),
                seen: HashSet::new(),
                pages: 0,
                max_pages: DEFAULT_MAX_PAGES,
                buffered: VecDeque::new(),
            }),
            running: None,
            failed: None,
        }
    }

    /// The most pages to fetch (default [`DEFAULT_MAX_PAGES`]). When the vendor says
    /// there is more after that many, the stream ends with an error rather than cutting
    /// the list short silently.
    pub fn max_pages(mut self, max_pages: usize) -> Self {
        if let Some(state) = &mut self.state {
            state.max_pages = max_pages;
        }
        self
    }
}

impl<'a, I, E> State<'a, I, E>
where
    I: Send + 'a,
    E: Send + 'a,
{
    /// Fetches the next page into the buffer; `Ok` with nothing buffered at the end.
    async fn fetch_next(mut self) -> Step<'a, I, E> {
        let Some(request) = self.next.take() else {
            return (self, Ok(()));
        };
        if self.pages >= self.max_pages {
            let error = Error::invalid_response(
                self.operation,
                format!(
                    "the list has more than {} pages (`max_pages`); stopped rather than \
                     return part of it",
                    self.max_pages
                ),
            );
            return (self, Err(error));
        }
        let requested = match (&request, self.kind) {
            (PageRequest::Number(n), PageKind::Page { .. }) => Some(*n),
            (PageRequest::First, PageKind::Page { first }) => Some(first),
            _ => None,
        };
        self.pages += 1;
        let (items, info) = match (self.fetch)(request).await {
            Ok(page) => page,
            Err(error) => return (self, Err(error)),
        };
        let empty = items.is_empty();
        // A page that is not the one asked for repeats or skips items: none of them.
        if let (Some(requested), Some(number)) = (requested, info.number)
            && number != requested
        {
            let error = Error::invalid_response(
                self.operation,
                format!(
                    "asked for page {requested}, the vendor answered page {number}; stopped \
                     rather than repeat or skip pages"
                ),
            );
            return (self, Err(error));
        }
        self.buffered.extend(items);
        let next = match self.kind {
            PageKind::Cursor => self.after_cursor(info),
            PageKind::Page { .. } => Ok(after_number(requested.unwrap_or(1), info, empty)),
            PageKind::Link { fallback_param } => self.after_link(info, fallback_param),
        };
        match next {
            Ok(next) => {
                self.next = next;
                (self, Ok(()))
            }
            Err(message) => {
                let error = Error::invalid_response(self.operation, message);
                (self, Err(error))
            }
        }
    }

    /// Why the paging stopped: the vendor repeated a cursor, link or page parameter.
    fn repeated(&self, what: &str) -> String {
        format!(
            "the vendor sent a {what} it had sent before (after {} pages); stopped rather than \
             loop",
            self.pages
        )
    }

    /// The next request after a `cursor` page; `Err` says why there is none to make.
    fn after_cursor(&mut self, info: PageInfo) -> Result<Option<PageRequest>, String> {
        match info.next.filter(|c| !c.is_empty()) {
            None => Ok(None),
            Some(cursor) if !self.seen.insert(cursor.clone()) => Err(self.repeated("cursor")),
            Some(cursor) => Ok(Some(PageRequest::Cursor(cursor))),
        }
    }

    /// The next request after a `link` page; `Err` says why there is none to make.
    fn after_link(
        &mut self,
        info: PageInfo,
        fallback_param: Option<&'static str>,
    ) -> Result<Option<PageRequest>, String> {
        let Some(link) = info.next.filter(|l| !l.trim().is_empty()) else {
            return Ok(None);
        };
        let (url, param) = match (same_origin_link(&self.base_url, &link), fallback_param) {
            (Ok(url), _) => {
                if !self.seen.insert(url.as_str().to_owned()) {
                    return Err(self.repeated("next-page link"));
                }
                return Ok(Some(PageRequest::Link(url)));
            }
            (Err(LinkError::OtherOrigin { url, .. }), Some(param)) => (url, param),
            (Err(LinkError::OtherOrigin { message, .. } | LinkError::Invalid(message)), _) => {
                return Err(message);
            }
        };
        let value = link_query_number(url.as_str(), param).ok_or_else(|| {
            format!(
                "the next page's link points to {} (not the client's origin) and has no \
                 numeric `{param}` to ask for the page directly",
                url.origin().ascii_serialization()
            )
        })?;
        if !self.seen.insert(format!("{param}={value}")) {
            return Err(self.repeated(&format!("`{param}`")));
        }
        Ok(Some(PageRequest::Number(value)))
    }
}

/// The next request after a `page` page (the number was checked to be the one asked
/// for): the next number while there are pages and items.
fn after_number(requested: u64, info: PageInfo, empty: bool) -> Option<PageRequest> {
    if empty {
        return None;
    }
    match (info.total_pages, info.number) {
        (Some(total), _) if requested >= total => None,
        (Some(_), _) | (None, Some(_)) => Some(PageRequest::Number(requested + 1)),
        // The page says nothing of pages (an API version that returns everything at once).
        (None, None) => None,
    }
}

impl<'a, I, E> Stream for Paginator<'a, I, E>
where
    I: Send + Unpin + 'a,
    E: Send + 'a,
{
    type Item = Result<I, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(running) = &mut self.running {
                let (state, outcome) = std::task::ready!(running.as_mut().poll(cx));
                self.running = None;
                self.state = Some(state);
                if let Err(error) = outcome {
                    self.failed = Some(Box::new(error));
                }
            }
            let this = &mut *self;
            let Some(state) = &mut this.state else {
                return Poll::Ready(None);
            };
            // The items of the last page come before an error found after it.
            if let Some(item) = state.buffered.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if let Some(error) = this.failed.take() {
                // An error ends the stream.
                this.state = None;
                return Poll::Ready(Some(Err(*error)));
            }
            if state.next.is_none() {
                return Poll::Ready(None);
            }
            let state = self.state.take().expect("checked above");
            self.running = Some(Box::pin(state.fetch_next()));
        }
    }
}

/// A page number as a request parameter or a response field of any integer type.
#[doc(hidden)]
pub trait PageNumber: Sized {
    fn to_page_number(&self) -> Option<u64>;
    fn from_page_number(number: u64) -> Option<Self>;
}

macro_rules! page_number {
    ($($t:ty),*) => {$(
        impl PageNumber for $t {
            fn to_page_number(&self) -> Option<u64> {
                u64::try_from(*self).ok()
            }
            fn from_page_number(number: u64) -> Option<Self> {
                <$t>::try_from(number).ok()
            }
        }
    )*};
}
page_number!(i32, i64, u32, u64, usize);

macro_rules! nonzero_page_number {
    ($($t:ty => $inner:ty),*) => {$(
        impl PageNumber for $t {
            fn to_page_number(&self) -> Option<u64> {
                u64::try_from(self.get()).ok()
            }
            fn from_page_number(number: u64) -> Option<Self> {
                <$inner>::try_from(number).ok().and_then(<$t>::new)
            }
        }
    )*};
}
nonzero_page_number!(
    std::num::NonZeroU32 => u32,
    std::num::NonZeroU64 => u64,
    std::num::NonZeroI32 => i32,
    std::num::NonZeroI64 => i64
);

/// Why a next-page link is not followed.
#[derive(Debug)]
pub(crate) enum LinkError {
    /// The base URL or the link is not a URL.
    Invalid(String),
    /// The link is on another origin, where the access token must not go.
    OtherOrigin { url: reqwest::Url, message: String },
}

/// `link` resolved against `base_url` (a relative link is on the client's origin), if
/// it is on the client's scheme, host and port: the only place a next-page request, and
/// so the access token, may go. Messages name origins only, never the query (which may
/// hold filters such as a person's name).
pub fn follow_link(base_url: &str, link: &str) -> Result<reqwest::Url, String> {
    same_origin_link(base_url, link).map_err(|e| match e {
        LinkError::Invalid(message) | LinkError::OtherOrigin { message, .. } => message,
    })
}

pub(crate) fn same_origin_link(base_url: &str, link: &str) -> Result<reqwest::Url, LinkError> {
    let base = reqwest::Url::parse(base_url)
        .map_err(|e| LinkError::Invalid(format!("the client's base URL is not a URL: {e}")))?;
    let url = base
        .join(link.trim())
        .map_err(|e| LinkError::Invalid(format!("the next page's link is not a URL: {e}")))?;
    if url.origin() == base.origin() {
        return Ok(url);
    }
    let message = format!(
        "the next page's link points to {}, not the client's {}; not sending the access \
         token there",
        url.origin().ascii_serialization(),
        base.origin().ascii_serialization()
    );
    Err(LinkError::OtherOrigin { url, message })
}

/// The number in query parameter `name` (any case) of `link`, which may be relative.
pub fn link_query_number<T: std::str::FromStr>(link: &str, name: &str) -> Option<T> {
    let url = reqwest::Url::parse("https://base.invalid/")
        .ok()?
        .join(link.trim())
        .ok()?;
    url.query_pairs()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .and_then(|(_, value)| value.parse().ok())
}

/// For generated code: the request for a next-page link (already checked to be on the
/// client's origin by the paginator).
#[doc(hidden)]
pub fn link_request(
    http: &reqwest::Client,
    url: reqwest::Url,
) -> Result<reqwest::Request, reqwest::Error> {
    http.get(url)
        .header(
            reqwest::header::ACCEPT,
            reqwest::header::HeaderValue::from_static("application/json"),
        )
        .build()
}
