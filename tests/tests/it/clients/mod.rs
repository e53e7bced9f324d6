//! Each generated client, and the facade that re-exports them.

mod facade;
mod identify_videoident;
mod identity;
mod idfy_identification_v1;
mod idnow_platform;
mod migrate;
mod mocks;
mod paginators;
mod response_properties;
mod signicat_authentication;
mod signicat_identification_v2;
