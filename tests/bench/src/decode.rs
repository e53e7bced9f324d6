//! Decoding: the largest documented response of each API (its spec's example), read from
//! bytes through the generated type and through a hand-written serde struct with the
//! generated type's members (strings where the generated type has enums or dates, as one
//! writes them by hand; a flattened map where it keeps members the spec does not list).
//! Rounds alternate; the ratio is the median of per-round ratios.

#![allow(dead_code)] // The hand-written structs are read, never inspected.

use std::time::Instant;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::{Report, median};

mod hand {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    // Identify VideoIdent: getIdentData.
    #[derive(Deserialize)]
    pub struct IdentDataResponse {
        pub result: bool,
        pub messages: Vec<String>,
        pub data: IdentData,
    }
    #[derive(Deserialize)]
    pub struct IdentData {
        pub ident: Ident,
        pub identification_pdf: Option<File>,
        pub signed_pdf: Option<File>,
        #[serde(default)]
        pub recordings: Vec<File>,
        #[serde(default)]
        pub screenshots: Vec<File>,
    }
    #[derive(Deserialize)]
    pub struct File {
        pub file_name: Option<String>,
        pub download_url: Option<String>,
        pub download_link: Option<String>,
        pub file_date: Option<String>,
        pub file_size: Option<String>,
        pub file_hash: Option<String>,
    }
    #[derive(Deserialize)]
    pub struct Ident {
        pub customer_id: Option<String>,
        pub id: Option<String>,
        pub project_id: Option<String>,
        pub company_name: Option<String>,
        pub company_hrb_number: Option<String>,
        pub company_hrb_city: Option<String>,
        pub company_street: Option<String>,
        pub company_house_no: Option<String>,
        pub company_zip_code: Option<String>,
        pub company_city: Option<String>,
        pub company_country: Option<String>,
        pub person_title: Option<String>,
        pub gender: Option<String>,
        pub person_first_name: Option<String>,
        pub person_last_name: Option<String>,
        pub person_position: Option<String>,
        pub email: Option<String>,
        pub street: Option<String>,
        pub house_no: Option<String>,
        pub postal_code: Option<String>,
        pub city: Option<String>,
        pub land: Option<String>,
        pub mobile_number: Option<String>,
        pub phone_number: Option<String>,
        pub id_type: Option<String>,
        pub nationality: Option<String>,
        pub id_issuing_authority: Option<String>,
        pub id_issue_date: Option<String>,
        pub id_expire_date: Option<String>,
        pub id_number: Option<String>,
        pub id_mrz: Option<String>,
        pub person_maiden_name: Option<String>,
        pub international_code: Option<String>,
        pub birthday: Option<String>,
        pub birth_place: Option<String>,
        pub custom_id: Option<String>,
        pub custom1: Option<String>,
        pub custom2: Option<String>,
        pub custom3: Option<String>,
        pub custom4: Option<String>,
        pub status: Option<String>,
        pub status_code: Option<String>,
        pub created_at: Option<String>,
        pub appointment_date: Option<String>,
    }

    // Idfy identification v1: listLogEntries.
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct LogList {
        pub next_link: Option<String>,
        pub total_links: Option<i64>,
        pub list: Vec<LogItem>,
    }
    #[derive(Deserialize)]
    pub struct LogItem {
        #[serde(rename = "Id")]
        pub id: Option<String>,
        #[serde(rename = "Name")]
        pub name: Option<String>,
        #[serde(rename = "Status")]
        pub status: Option<String>,
        #[serde(rename = "ClientIp")]
        pub client_ip: Option<String>,
        #[serde(rename = "UserAgent")]
        pub user_agent: Option<String>,
        #[serde(rename = "IdentityProviderType")]
        pub identity_provider_type: Option<String>,
        #[serde(rename = "Language")]
        pub language: Option<String>,
        #[serde(rename = "Externalid")]
        pub external_id: Option<String>,
        #[serde(rename = "Errorcode")]
        pub error_code: Option<String>,
        #[serde(rename = "Timestamp")]
        pub timestamp: Option<String>,
        #[serde(rename = "iFrame")]
        pub iframe: Option<bool>,
        #[serde(rename = "SocialSecurityNumber")]
        pub social_security_number: Option<bool>,
        #[serde(rename = "AccountId")]
        pub account_id: Option<String>,
    }

    // IDnow platform: getDatablocks.
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct DatablockList {
        pub data_blocks: Vec<Datablock>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Datablock {
        pub datablock_id: String,
        #[serde(rename = "type")]
        pub kind: String,
        pub created_by: Option<CreatedBy>,
        pub created_at: Option<String>,
        pub status: Option<String>,
        pub content: Option<serde_json::Value>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct CreatedBy {
        pub step_id: Option<String>,
        pub clock: Option<i64>,
    }

    // Signicat Authentication: a session.
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct AuthSession {
        pub id: Option<String>,
        pub account_id: Option<String>,
        pub status: Option<String>,
        pub status_detail: Option<String>,
        pub provider: Option<String>,
        pub subject: Option<Subject>,
        pub callback_urls: Option<BTreeMap<String, String>>,
        pub idp_data: Option<serde_json::Map<String, serde_json::Value>>,
        pub environment: Option<Environment>,
        pub error: Option<Problem>,
        pub message_transport_properties: Option<TransportProperties>,
        pub tags: Option<Vec<String>>,
        pub allowed_providers: Option<Vec<String>>,
        pub language: Option<String>,
        pub flow: Option<String>,
        pub theme_id: Option<String>,
        pub requested_attributes: Option<Vec<String>>,
        pub external_reference: Option<String>,
        pub usage_reference: Option<String>,
        pub session_lifetime: Option<i64>,
        pub request_domain: Option<String>,
        pub expires_at: Option<String>,
        pub authentication_url: Option<String>,
        pub status_url: Option<String>,
        pub loa: Option<String>,
        pub session_nonce: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Subject {
        pub id: Option<String>,
        pub idp_id: Option<String>,
        pub name: Option<String>,
        pub first_name: Option<String>,
        pub middle_name: Option<String>,
        pub last_name: Option<String>,
        pub date_of_birth: Option<String>,
        pub nin: Option<Nin>,
        pub email: Option<String>,
        #[serde(flatten)]
        pub other: BTreeMap<String, serde_json::Value>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Nin {
        pub value: Option<String>,
        pub issuing_country: Option<String>,
        #[serde(rename = "type")]
        pub kind: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Environment {
        pub ip_address: Option<String>,
        pub user_agent: Option<String>,
    }
    #[derive(Deserialize)]
    pub struct Problem {
        pub title: Option<String>,
        pub detail: Option<String>,
        pub code: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct TransportProperties {
        pub message_level_encryption: Option<String>,
        pub require_hsm_signing: Option<bool>,
    }

    // Signicat Identification v2: a session, with every documented member (the example
    // shows a subset) and the identity's further members kept, as the generated type does.
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct IdSession {
        pub id: String,
        pub url: Option<String>,
        pub security_reference: Option<String>,
        pub status: String,
        pub created: String,
        pub expires: String,
        pub provider: Option<String>,
        pub identity: Option<Identity>,
        pub environment: Option<Environment>,
        pub error: Option<SessionError>,
        pub allowed_providers: Option<Vec<String>>,
        pub flow: String,
        pub include: Option<Vec<String>>,
        pub language: Option<String>,
        pub department_id: Option<String>,
        pub external_reference: Option<String>,
        pub prefilled_input: Option<Prefilled>,
        pub redirect_settings: Option<RedirectSettings>,
        pub iframe_settings: Option<IframeSettings>,
        pub ui: Option<UiSettings>,
        pub resources: Option<Vec<Resource>>,
        pub audit_trail: Option<AuditTrail>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Identity {
        pub provider_id: Option<String>,
        pub full_name: Option<String>,
        pub first_name: Option<String>,
        pub middle_name: Option<String>,
        pub last_name: Option<String>,
        pub date_of_birth: Option<String>,
        pub nin: Option<String>,
        pub phone_number: Option<String>,
        pub email: Option<String>,
        pub organization: Option<Organization>,
        pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
        #[serde(flatten)]
        pub extra: serde_json::Map<String, serde_json::Value>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Organization {
        pub name: Option<String>,
        pub organization_number: Option<String>,
        pub country: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct SessionError {
        pub code: Option<String>,
        pub message: Option<String>,
        pub provider_code: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Prefilled {
        pub phone_number: Option<String>,
        pub date_of_birth: Option<String>,
        pub nin: Option<String>,
        pub user_name: Option<String>,
        pub username: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct RedirectSettings {
        pub success_url: Option<String>,
        pub abort_url: Option<String>,
        pub error_url: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct IframeSettings {
        pub parent_domains: Vec<String>,
        pub post_message_target_origin: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct UiSettings {
        pub color_theme: Option<String>,
        pub theme_mode: Option<String>,
        pub hide_footer: Option<bool>,
        pub hide_provider_header: Option<bool>,
        pub top_bar: Option<TopBar>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct TopBar {
        pub title: Option<String>,
        pub background_color: Option<String>,
        pub foreground_color: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Resource {
        pub id: Option<String>,
        #[serde(rename = "type")]
        pub kind: Option<String>,
        pub status: Option<String>,
        pub content_type: Option<String>,
        pub url: Option<String>,
    }
    #[derive(Deserialize)]
    pub struct AuditTrail {
        pub certificate: Option<String>,
        pub events: Option<Vec<AuditEvent>>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct AuditEvent {
        pub id: Option<i64>,
        pub name: Option<String>,
        pub event_type: Option<String>,
        pub timestamp: Option<String>,
        pub event_data: Option<serde_json::Map<String, serde_json::Value>>,
    }
}

/// `count` decodings of `body` as `T`, in seconds.
fn time<T: DeserializeOwned>(body: &[u8], count: usize) -> f64 {
    let started = Instant::now();
    for _ in 0..count {
        let value: T = serde_json::from_slice(std::hint::black_box(body)).expect("decode");
        std::hint::black_box(value);
    }
    started.elapsed().as_secs_f64()
}

/// What to run: every API, both sides, or (`--only API[:ours|:theirs]`, to profile) one.
pub(crate) struct Settings {
    pub quick: bool,
    pub only: Option<String>,
}

fn compare<Ours: DeserializeOwned, Theirs: for<'de> Deserialize<'de>>(
    api: &str,
    operation: &str,
    settings: &Settings,
    report: &mut Report,
) {
    let side = match settings
        .only
        .as_deref()
        .map(|o| o.split_once(':').unwrap_or((o, "")))
    {
        None => None,
        Some((only, _)) if only != api => return,
        Some((_, side)) => Some(side),
    };
    let body = serde_json::to_vec(&crate::spec_example(api, operation)).expect("serialise");
    let (count, rounds) = if settings.quick {
        (2_000, 3)
    } else {
        (20_000, 7)
    };
    if let Some(side) = side {
        // Profiling one side: many decodings, nothing printed but the rate.
        let count = count * 50;
        let seconds = match side {
            "ours" => time::<Ours>(&body, count),
            "theirs" => time::<Theirs>(&body, count),
            _ => time::<Ours>(&body, count) + time::<Theirs>(&body, count),
        };
        eprintln!(
            "{api} {side}: {:.0} ns per decoding (values of {} / {} bytes)",
            seconds * 1e9 / count as f64,
            std::mem::size_of::<Ours>(),
            std::mem::size_of::<Theirs>(),
        );
        return;
    }
    time::<Ours>(&body, count / 10);
    time::<Theirs>(&body, count / 10);
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for round in 0..rounds {
        if round % 2 == 0 {
            ours.push(time::<Ours>(&body, count));
            theirs.push(time::<Theirs>(&body, count));
        } else {
            theirs.push(time::<Theirs>(&body, count));
            ours.push(time::<Ours>(&body, count));
        }
    }
    let ratio = median(ours.iter().zip(&theirs).map(|(o, t)| t / o).collect());
    let rate = |times: Vec<f64>| count as f64 / median(times);
    report.figure(
        &format!("decode.{api}.ours_per_s"),
        rate(ours),
        "/s",
        &format!(
            "{operation} ({} bytes) decoded through the generated type",
            body.len()
        ),
    );
    report.figure(
        &format!("decode.{api}.theirs_per_s"),
        rate(theirs),
        "/s",
        &format!("{operation} decoded through a hand-written serde struct"),
    );
    report.figure(
        &format!("decode.{api}.ratio"),
        ratio,
        "×",
        "generated / hand-written decoding rate",
    );
}

pub(crate) fn run(settings: &Settings, report: &mut Report) {
    use idverify_identify_videoident::types as identify;
    use idverify_idfy_identification_v1::types as idfy;
    use idverify_idnow_platform::types as idnow;
    use idverify_signicat_authentication::types as authentication;
    use idverify_signicat_identification_v2::types as idv2;

    compare::<identify::GetIdentDataResponse, hand::IdentDataResponse>(
        "identify-videoident",
        "getIdentData",
        settings,
        report,
    );
    compare::<idfy::IdentificationLogList, hand::LogList>(
        "idfy-identification-v1",
        "listLogEntries",
        settings,
        report,
    );
    compare::<idnow::DatablockList, hand::DatablockList>(
        "idnow-platform",
        "getDatablocks",
        settings,
        report,
    );
    compare::<authentication::Session, hand::AuthSession>(
        "signicat-authentication",
        "createSession",
        settings,
        report,
    );
    compare::<idv2::Session, hand::IdSession>(
        "signicat-identification-v2",
        "getSession",
        settings,
        report,
    );
}
