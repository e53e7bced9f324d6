//! The vendor APIs the sandbox serves, one folder each.
//!
//! A vendor's folder has a `mod.rs` with its `NAME` (also its path prefix), a
//! `pub(crate) fn start(Arc<Shared>) -> Arc<dyn Vendor>`, and `impl SandboxApi` for its
//! generated client; it is served once it has a line in the list below, which also
//! makes its [`Api`] value, and a feature of the same name in the crate's `Cargo.toml`
//! (which builds its folder and its client crate).

use std::sync::Arc;

use crate::Shared;
use crate::vendor::Vendor;

/// Declares the vendor modules (each behind its feature), the [`Api`] enum with one
/// value each (whatever is built in), and [`all`].
macro_rules! vendors {
    ($($(#[$doc:meta])* $variant:ident => $module:ident = $name:literal),+ $(,)?) => {
        $(#[cfg(feature = $name)] pub mod $module;)+

        /// An API the sandbox knows; its [`name`](Api::name) is its path prefix, the
        /// `api` of the control API and the crate feature that builds it in (see
        /// [`is_built_in`](Api::is_built_in)).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Api {
            $($(#[$doc])* $variant),+
        }

        impl Api {
            /// Every API, in the order the binary prints them, built in or not.
            pub const ALL: &'static [Api] = &[$(Api::$variant),+];

            /// Its name and path prefix, e.g. `signicat-authentication`; also the
            /// feature of this crate that serves it.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Api::$variant => $name),+
                }
            }

            /// Whether this build serves it: its feature is on (all are by default).
            pub const fn is_built_in(self) -> bool {
                match self {
                    $(Api::$variant => cfg!(feature = $name)),+
                }
            }
        }

        /// Every vendor API built in, in the order of [`Api::ALL`] (`None` for one
        /// whose feature is off).
        pub(crate) fn all(shared: &Arc<Shared>) -> Vec<Option<Arc<dyn Vendor>>> {
            vec![$({
                #[cfg(feature = $name)]
                let vendor = Some($module::start(shared.clone()));
                #[cfg(not(feature = $name))]
                let vendor = { let _ = shared; None };
                vendor
            }),+]
        }
    };
}

vendors! {
    /// Signicat Authentication REST API v1.
    SignicatAuthentication => signicat_authentication = "signicat-authentication",
    /// Signicat Identification API v2.
    SignicatIdentificationV2 => signicat_identification_v2 = "signicat-identification-v2",
    /// Idfy Identification API v1.
    IdfyIdentificationV1 => idfy_identification_v1 = "idfy-identification-v1",
    /// IDnow platform API v1.
    IdnowPlatform => idnow_platform = "idnow-platform",
    /// Identify VideoIdent.
    IdentifyVideoident => identify_videoident = "identify-videoident",
}
