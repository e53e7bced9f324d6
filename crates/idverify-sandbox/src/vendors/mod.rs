//! The vendor APIs the sandbox serves, one module each.

use std::sync::Arc;

use crate::Shared;
use crate::vendor::Vendor;

pub mod signicat_authentication;

/// Every vendor API, in the order the binary prints them.
pub(crate) fn all(shared: &Arc<Shared>) -> Vec<Arc<dyn Vendor>> {
    let signicat_authentication: Arc<dyn Vendor> = Arc::new(
        signicat_authentication::SignicatAuthentication::new(shared.clone()),
    );
    vec![signicat_authentication]
}
