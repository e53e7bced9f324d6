//! The vendor APIs the sandbox serves, one module each.

use std::sync::Arc;

use crate::Shared;
use crate::vendor::Vendor;

pub mod idfy_identification_v1;
pub mod signicat_authentication;
pub mod signicat_identification_v2;

/// Every vendor API, in the order the binary prints them.
pub(crate) fn all(shared: &Arc<Shared>) -> Vec<Arc<dyn Vendor>> {
    let signicat_authentication: Arc<dyn Vendor> = Arc::new(
        signicat_authentication::SignicatAuthentication::new(shared.clone()),
    );
    let signicat_identification_v2: Arc<dyn Vendor> = Arc::new(
        signicat_identification_v2::SignicatIdentificationV2::new(shared.clone()),
    );
    let idfy_identification_v1: Arc<dyn Vendor> = Arc::new(
        idfy_identification_v1::IdfyIdentificationV1::new(shared.clone()),
    );
    vec![
        signicat_authentication,
        signicat_identification_v2,
        idfy_identification_v1,
    ]
}
