//! Each vendor's sandbox driven through the generated client, and its webhooks.

mod encrypted_results;
mod identify_videoident;
mod idfy_identification_v1;
mod idnow_platform;
mod signicat_authentication;
mod signicat_identification_v2;
mod waiters;
mod webhook_events;
mod webhooks;
