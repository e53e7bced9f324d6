//! What every vendor module is built from: ids, HTML text, the strict JSON reader, JSON
//! answers, the bounded session store with its clock and prune gate, and the OAuth2
//! token endpoint with its bearer check.

pub mod html;
pub mod http;
pub mod ids;
pub mod oauth;
pub mod store;
pub mod strict_json;
