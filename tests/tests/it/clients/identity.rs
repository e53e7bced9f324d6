//! `idverify::identity::VerifiedIdentity` from each API's result of a session the
//! sandbox completed as a test person; a failed or aborted session gives the typed
//! error, never a half-empty identity; `Debug` shows no personal value.

use chrono::NaiveDate;
use idverify::identity::{BirthDate, IdentityError, NationalIdKind, Provider, VerifiedIdentity};
use idverify_idfy_identification_v1 as idfy;
use idverify_idnow_platform as idnow;
use idverify_runtime::RetryPolicy;
use idverify_sandbox::scenario::Clients;
use idverify_sandbox::{Api, Outcome, Sandbox, persons};

/// The identity of the session `id` of `api`, read as an application would.
async fn identity(
    clients: &Clients,
    api: Api,
    id: &str,
) -> Result<VerifiedIdentity, IdentityError> {
    match api {
        Api::SignicatAuthentication => {
            let session = clients
                .authentication
                .get_session()
                .id(id)
                .send()
                .await
                .unwrap()
                .into_inner();
            VerifiedIdentity::try_from(&session)
        }
        Api::SignicatIdentificationV2 => {
            let session = clients
                .idv2
                .get_session()
                .id(id)
                .send()
                .await
                .unwrap()
                .into_inner();
            VerifiedIdentity::try_from(&session)
        }
        Api::IdfyIdentificationV1 => {
            let session = clients
                .idfy
                .retrieve_session()
                .request_id(id)
                .send()
                .await
                .unwrap()
                .into_inner();
            VerifiedIdentity::try_from(&session)
        }
        Api::IdnowPlatform => {
            let live = idnow::types::Environment::Live;
            let session = clients
                .idnow
                .get_session()
                .environment(live.clone())
                .session_id(id)
                .send()
                .await
                .unwrap()
                .into_inner();
            let blocks = clients
                .idnow
                .get_datablocks()
                .environment(live.clone())
                .session_id(id)
                .send()
                .await
                .unwrap()
                .into_inner();
            VerifiedIdentity::try_from((&session, &blocks))
        }
        Api::IdentifyVideoident => {
            let ident = clients
                .identify
                .get_ident()
                .ident_id(id)
                .send()
                .await
                .unwrap()
                .into_inner();
            VerifiedIdentity::try_from(&ident)
        }
    }
}

/// A session of `api` to complete: IDnow's document flow, so a document is checked.
async fn create(clients: &Clients, api: Api) -> String {
    if api == Api::IdnowPlatform {
        return clients
            .idnow
            .create_session()
            .flow_id(idverify_sandbox::vendors::idnow_platform::DOCUMENT_FLOW_ID)
            .environment(idnow::types::Environment::Live)
            .body(idnow::types::CreateSessionRequest::builder())
            .send()
            .await
            .expect("create")
            .into_inner()
            .session_context
            .session_id;
    }
    clients.create(api, "identity").await.expect("create")
}

fn provider_of(api: Api) -> Provider {
    match api {
        Api::SignicatAuthentication => Provider::SignicatAuthentication,
        Api::SignicatIdentificationV2 => Provider::SignicatIdentificationV2,
        Api::IdfyIdentificationV1 => Provider::IdfyIdentificationV1,
        Api::IdnowPlatform => Provider::IdnowPlatform,
        Api::IdentifyVideoident => Provider::IdentifyVideoident,
    }
}

#[tokio::test]
async fn every_api_gives_the_test_persons_name_birth_date_and_national_id() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = Clients::new(sandbox.base_url(), RetryPolicy::default());
    let kari = &persons::KARI;
    for &api in Api::ALL {
        let id = create(&clients, api).await;
        sandbox
            .control()
            .complete(api, &id, kari, Outcome::Success)
            .expect("complete");
        let person = identity(&clients, api, &id)
            .await
            .unwrap_or_else(|e| panic!("{api}: {e}"));
        assert_eq!(person.provider, provider_of(api), "{api}");
        // The full name always; its parts where the vendor sends them (Signicat
        // Authentication only for the `firstName`/`lastName` attributes).
        assert!(
            person.name.contains(kari.first_name) && person.name.contains(kari.last_name),
            "{api}"
        );
        if api != Api::SignicatAuthentication {
            // Given names: IDnow puts the middle name among them.
            assert!(
                person
                    .given_name
                    .as_deref()
                    .is_some_and(|g| g.starts_with(kari.first_name)),
                "{api}"
            );
            assert_eq!(person.family_name.as_deref(), Some(kari.last_name), "{api}");
        }
        assert_eq!(
            person.birthdate,
            Some(BirthDate::Date(
                NaiveDate::from_ymd_opt(1990, 12, 24).unwrap()
            )),
            "{api}"
        );
        let national_id = person.national_id.as_ref().expect("a national id");
        assert!(
            national_id.value.contains(kari.national_id),
            "{api}: {:?}",
            national_id.kind
        );
        if matches!(
            api,
            Api::SignicatAuthentication | Api::SignicatIdentificationV2 | Api::IdfyIdentificationV1
        ) {
            assert_eq!(
                national_id.kind,
                NationalIdKind::NationalIdentityNumber,
                "{api}"
            );
            assert_eq!(national_id.issuing_country.as_deref(), Some("NO"), "{api}");
        }
        assert!(!person.session_id.is_empty());

        // Nothing personal in Debug.
        let debug = format!("{person:?}");
        for secret in [
            kari.first_name,
            kari.last_name,
            kari.national_id,
            "1990-12-24",
        ] {
            assert!(!debug.contains(secret), "{api}: {secret} in {debug}");
        }
        // Stored and read back unchanged.
        let stored = serde_json::to_string(&person).unwrap();
        let read: VerifiedIdentity = serde_json::from_str(&stored).unwrap();
        assert_eq!(read, person, "{api}");
        // The masked form shows what arrived, not who.
        let masked = person.masked().to_string();
        for secret in [kari.last_name, kari.national_id, "1990-12-24"] {
            assert!(!masked.contains(secret), "{api}: {secret} in {masked}");
        }
    }
}

#[tokio::test]
async fn an_aborted_or_failed_session_is_a_typed_error() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = Clients::new(sandbox.base_url(), RetryPolicy::default());
    for &api in Api::ALL {
        for outcome in [Outcome::Abort, Outcome::Error] {
            let id = create(&clients, api).await;
            sandbox
                .control()
                .complete(api, &id, &persons::OLA, outcome)
                .expect("complete");
            match identity(&clients, api, &id).await {
                Err(IdentityError::NotSuccessful { provider, status }) => {
                    assert_eq!(provider, provider_of(api));
                    assert!(!status.is_empty(), "{api}: the status is named");
                }
                other => panic!("{api} {outcome:?}: expected NotSuccessful, got {other:?}"),
            }
        }
        // A session still open is not an identity either.
        let open = create(&clients, api).await;
        assert!(
            matches!(
                identity(&clients, api, &open).await,
                Err(IdentityError::NotSuccessful { .. })
            ),
            "{api}"
        );
    }
}

#[test]
fn a_successful_session_without_the_persons_data_names_what_is_missing() {
    let session: idverify_signicat_identification_v2::types::Session =
        serde_json::from_value(serde_json::json!({
            "id": "s-1", "status": "success", "flow": "redirect",
            "created": "2021-04-23T12:00:00Z", "expires": "2021-04-23T12:10:00Z"
        }))
        .unwrap();
    assert_eq!(
        VerifiedIdentity::try_from(&session),
        Err(IdentityError::Missing {
            provider: Provider::SignicatIdentificationV2,
            member: "identity"
        })
    );
    let response: idfy::types::IdentificationResponse =
        serde_json::from_value(serde_json::json!({ "Status": "SUCCESS", "RequestId": "r" }))
            .unwrap();
    let error = VerifiedIdentity::try_from(&response).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the IdfyIdentificationV1 result has no `Name`: no identity"
    );
}
