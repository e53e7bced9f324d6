//! `cfg(all_vendors)`: every vendor API's feature is on (the whole sandbox, as by
//! default). Only that build has the all-vendor `scenario` module, and only there does
//! dead code in the vendors' shared toolkit mean code no vendor uses.

/// The features of `src/vendors/mod.rs`'s list, as cargo names them to build scripts.
const VENDOR_FEATURES: [&str; 5] = [
    "IDENTIFY_VIDEOIDENT",
    "IDFY_IDENTIFICATION_V1",
    "IDNOW_PLATFORM",
    "SIGNICAT_AUTHENTICATION",
    "SIGNICAT_IDENTIFICATION_V2",
];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(all_vendors)");
    if VENDOR_FEATURES
        .iter()
        .all(|feature| std::env::var_os(format!("CARGO_FEATURE_{feature}")).is_some())
    {
        println!("cargo::rustc-cfg=all_vendors");
    }
}
