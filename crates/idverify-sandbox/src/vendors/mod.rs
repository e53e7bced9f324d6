//! The vendor APIs the sandbox serves, one folder each.
//!
//! A vendor's folder has a `mod.rs` with its `NAME` (also its path prefix), a
//! `pub(crate) fn start(Arc<Shared>) -> Arc<dyn Vendor>`, and `impl SandboxApi` for its
//! generated client; it is served once it has a line in the list below, which also
//! makes its [`Api`] value.

use std::sync::Arc;

use crate::Shared;
use crate::vendor::Vendor;

/// Declares the vendor modules, the [`Api`] enum with one value each, and [`all`].
macro_rules! vendors {
    ($($(#[$doc:meta])* $variant:ident => $module:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// An API the sandbox serves; its [`name`](Api::name) is its path prefix and the
        /// `api` of the control API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Api {
            $($(#[$doc])* $variant),+
        }

        impl Api {
            /// Every API, in the order the binary prints them.
            pub const ALL: &'static [Api] = &[$(Api::$variant),+];

            /// Its name and path prefix, e.g. `signicat-authentication`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Api::$variant => $module::NAME),+
                }
            }
        }

        /// Every vendor API, in the order of [`Api::ALL`].
        pub(crate) fn all(shared: &Arc<Shared>) -> Vec<Arc<dyn Vendor>> {
            vec![$($module::start(shared.clone())),+]
        }
    };
}

vendors! {
    /// Signicat Authentication REST API v1.
    SignicatAuthentication => signicat_authentication,
    /// Signicat Identification API v2.
    SignicatIdentificationV2 => signicat_identification_v2,
    /// Idfy Identification API v1.
    IdfyIdentificationV1 => idfy_identification_v1,
    /// IDnow platform API v1.
    IdnowPlatform => idnow_platform,
    /// Identify VideoIdent.
    IdentifyVideoident => identify_videoident,
}
