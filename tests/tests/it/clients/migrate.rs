//! `idverify::migrate` against the vendor's v1 → v2 migration guide: every row of its
//! status table, and its three request examples (redirect, iframe, headless) converted
//! to the v2 bodies it shows; what v1 members v2 cannot carry are reported.

use idverify::migrate;
use idverify_idfy_identification_v1::types as v1;
use idverify_signicat_identification_v2::types as v2;
use serde_json::{Value, json};

#[test]
fn every_status_row_of_the_guide() {
    let rows = [
        ("SUCCESS", "success"),
        ("ERROR", "failed"),
        ("USERABORTED", "user_aborted"),
        ("INVALIDATED", "invalidated"),
        ("TIMEOUT", "timed_out"),
        ("CREATED", "created"),
        ("USERINITIATED", "user_initiated"),
    ];
    for (v1_status, v2_status) in rows {
        let status: v1::Status = serde_json::from_value(json!(v1_status)).unwrap();
        let migrated = migrate::status(&status).unwrap_or_else(|| panic!("{v1_status}"));
        assert_eq!(migrated.as_str(), v2_status);
        assert!(
            !migrated.is_unknown(),
            "{v2_status} is a documented v2 status"
        );
    }
    assert_eq!(migrate::status(&v1::Status::UnknownValue), None);
    assert_eq!(migrate::status(&v1::Status::from("PENDING_REVIEW")), None);
}

fn v2_json(request: &v2::CreateSessionRequest) -> Value {
    let mut value = serde_json::to_value(request).unwrap();
    // Absent and empty members are the same request.
    if let Value::Object(map) = &mut value {
        map.retain(|_, v| !v.is_null() && v != &json!([]));
    }
    value
}

#[test]
fn the_guides_redirect_example() {
    let request: v1::CreateIdentificationRequest = serde_json::from_value(json!({
        "IdentityProvider": "NO_BANKID_MOBILE",
        "ReturnUrls": {
            "Error": "https://secure.wayneenterprises.com/error",
            "Abort": "https://secure.wayneenterprises.com/abort",
            "Success": "https://secure.wayneenterprises.com/success"
        },
        "Language": "NO",
        "GetSocialSecurityNumber": true,
        "ExternalReference": "123456789"
    }))
    .unwrap();
    let migrated = migrate::create_request(&request);
    // The guide's v2 body (its abort and error URLs carry a stray leading space).
    assert_eq!(
        v2_json(&migrated.value),
        json!({
            "allowedProviders": ["no_bankid_mobile"],
            "language": "no",
            "flow": "redirect",
            "include": ["name", "nin"],
            "redirectSettings": {
                "successUrl": "https://secure.wayneenterprises.com/success",
                "abortUrl": "https://secure.wayneenterprises.com/abort",
                "errorUrl": "https://secure.wayneenterprises.com/error"
            },
            "externalReference": "123456789"
        })
    );
    assert!(migrated.losses.is_empty(), "{:?}", migrated.losses);
}

#[test]
fn the_guides_iframe_example() {
    let request: v1::CreateIdentificationRequest = serde_json::from_value(json!({
        "IdentityProvider": "NO_BANKID_MOBILE",
        "iFrame": { "Domain": "https://secure.wayneenterprises.com", "WebMessaging": true },
        "Language": "NO",
        "GetSocialSecurityNumber": true,
        "ExternalReference": "123456789"
    }))
    .unwrap();
    // The guide's v1 example names `https://example.com` as the domain and its v2 one
    // `https://secure.wayneenterprises.com`: the same site is used for both here.
    let migrated = migrate::create_request(&request);
    assert_eq!(
        v2_json(&migrated.value),
        json!({
            "allowedProviders": ["no_bankid_mobile"],
            "language": "no",
            "flow": "iframe",
            "include": ["name", "nin"],
            "iframeSettings": {
                "parentDomains": ["https://secure.wayneenterprises.com"],
                "postMessageTargetOrigin": "https://secure.wayneenterprises.com"
            },
            "externalReference": "123456789"
        })
    );
    assert!(migrated.losses.is_empty(), "{:?}", migrated.losses);
}

#[test]
fn the_guides_headless_example() {
    let request: v1::CreateBankIdMobileRequest = serde_json::from_value(json!({
        "MobileNumber": "99887766",
        "DateOfBirth": "071283",
        "GetSocialSecurityNumber": true,
        "ExternalReference": "123456789"
    }))
    .unwrap();
    let migrated = migrate::headless_request(&request);
    assert_eq!(
        v2_json(&migrated.value),
        json!({
            "allowedProviders": ["no_bankid_mobile"],
            "flow": "headless",
            "include": ["name", "nin"],
            "externalReference": "123456789",
            "prefilledInput": { "phoneNumber": "+4799887766", "dateOfBirth": "1983-12-07" }
        })
    );
    assert!(migrated.losses.is_empty(), "{:?}", migrated.losses);
}

#[test]
fn v1_members_without_a_v2_home_are_reported_not_dropped() {
    let request: v1::CreateIdentificationRequest = serde_json::from_value(json!({
        "IdentityProvider": "UNKNOWN",
        "ReturnUrls": {
            "Error": "https://shop.example/error?status=[0]",
            "Abort": "https://shop.example/abort",
            "Success": "https://shop.example/ok?id=[1]&ref=[2]"
        },
        "iFrame": { "Domain": "https://shop.example", "Height": 600 },
        "PageTitle": "Log in",
        "PreFilledSocialSecurityNumber": "99018012345",
        "Addonservices": { "no.personal.info": "address" }
    }))
    .unwrap();
    let migrated = migrate::create_request(&request);
    let members: Vec<&str> = migrated.losses.iter().map(|l| l.member).collect();
    assert_eq!(
        members,
        [
            "IdentityProvider",
            "ReturnUrls.Success",
            "ReturnUrls.Error",
            "iFrame.Height",
            "iFrame.WebMessaging",
            "PageTitle",
            "Addonservices"
        ]
    );
    // What has a home keeps it.
    let value = migrated.value;
    assert_eq!(value.flow, v2::Flow::Iframe);
    assert_eq!(
        value.prefilled_input.and_then(|p| p.nin).as_deref(),
        Some("99018012345")
    );
    assert_eq!(
        value.iframe_settings.map(|f| f.post_message_target_origin),
        Some(None)
    );
    assert!(
        migrated
            .losses
            .iter()
            .all(|l| !l.to_string().contains("99018012345")),
        "a loss names the member, not its value"
    );
}

#[test]
fn every_v1_provider_and_language_has_its_v2_counterpart() {
    for (v1_name, v2_name) in [
        ("NO_BANKID_MOBILE", "no_bankid_mobile"),
        ("NO_BANKID_WEB", "no_bankid_netcentric"),
        ("SWE_BANKID", "se_bankid"),
        ("SWE_BANKID_MOBILE", "se_bankid"),
        ("NO_BUYPASS", "no_buypass"),
        ("DA_NEMID", "dk_nemid"),
        ("FI_TUPAS", "ftn"),
    ] {
        let provider: v1::IdentityProvider = serde_json::from_value(json!(v1_name)).unwrap();
        assert_eq!(
            migrate::provider(&provider)
                .map(|p| p.to_string())
                .as_deref(),
            Some(v2_name)
        );
    }
}
