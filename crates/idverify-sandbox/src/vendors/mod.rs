//! The vendor APIs the sandbox serves, one module each.

use std::sync::Arc;

use crate::Shared;
use crate::vendor::Vendor;

pub mod identify_videoident;
pub mod idfy_identification_v1;
pub mod idnow_platform;
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
    let idnow_platform: Arc<dyn Vendor> =
        Arc::new(idnow_platform::IdnowPlatform::new(shared.clone()));
    let identify_videoident: Arc<dyn Vendor> =
        Arc::new(identify_videoident::IdentifyVideoident::new(shared.clone()));
    vec![
        signicat_authentication,
        signicat_identification_v2,
        idfy_identification_v1,
        idnow_platform,
        identify_videoident,
    ]
}
