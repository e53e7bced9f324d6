//! Signicat Authentication's encrypted results: a session created with an
//! `encryptionPublicKey` is read back as a JWE, which a client given the private key
//! decrypts to the same typed `Session`.

use axum::Router;
use axum::routing::get;
use idverify::identity::VerifiedIdentity;
use idverify_runtime::ErrorKind;
use idverify_sandbox::{Api, Outcome, Sandbox, persons};
use idverify_signicat_authentication as signicat;
use idverify_signicat_authentication::jwe::{DecryptError, DecryptionKey};
use idverify_tests::LocalServer;

const API: Api = Api::SignicatAuthentication;

/// A session asking for the name, national id and date of birth, encrypted to `key`.
async fn create_encrypted(client: &signicat::Client, key: &DecryptionKey) -> String {
    client
        .create_session()
        .body(
            signicat::types::CreateSessionRequest::builder()
                .flow(signicat::types::Flow::Redirect)
                .requested_attributes(vec![
                    signicat::types::RequestedAttribute::Name,
                    signicat::types::RequestedAttribute::Nin,
                    signicat::types::RequestedAttribute::DateOfBirth,
                ])
                .encryption_public_key(Some(key.into())),
        )
        .send()
        .await
        .expect("create")
        .into_inner()
        .id
        .expect("an id")
}

fn decrypt_error(error: &idverify_runtime::Error<signicat::types::Problem>) -> DecryptError {
    assert_eq!(error.kind(), ErrorKind::Decrypt, "{error}");
    error.decrypt_error().expect("the decrypt error").clone()
}

#[tokio::test]
async fn an_encrypted_result_decrypts_to_the_person_with_rsa_and_ec_keys() {
    let sandbox = Sandbox::start().await.unwrap();
    let kari = &persons::KARI;
    for key in [
        DecryptionKey::generate_rsa(2048, "rsa-key-1").unwrap(),
        DecryptionKey::generate_p256("ec-key-1").unwrap(),
    ] {
        let algorithm = key.algorithm();
        let plain = sandbox.client::<signicat::Client>().expect("client");
        let id = create_encrypted(&plain, &key).await;
        // The public half only went to the vendor.
        let journal = sandbox.journal(API);
        let sent = journal
            .iter()
            .rev()
            .find(|e| e.method == "POST")
            .and_then(|e| e.json())
            .expect("the create call");
        let sent_key = &sent["encryptionPublicKey"];
        assert_eq!(sent_key["alg"], algorithm);
        assert_eq!(sent_key["use"], "enc");
        assert!(sent_key.get("d").is_none_or(|d| d.is_null()), "{sent_key}");

        sandbox
            .control()
            .complete(API, &id, kari, Outcome::Success)
            .expect("complete");

        // Without the key the result cannot be read, and the error says what to do.
        let error = plain.get_session().id(&id).send().await.unwrap_err();
        assert_eq!(decrypt_error(&error), DecryptError::NoKey);
        assert!(error.to_string().contains("decryption_key"), "{error}");

        let client = sandbox
            .client_builder::<signicat::Client>()
            .decryption_key(key)
            .build()
            .unwrap();
        let session = client
            .get_session()
            .id(&id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{algorithm}: {e}"))
            .into_inner();
        assert_eq!(
            session.status,
            Some(signicat::types::SessionStatus::Success)
        );
        let person = VerifiedIdentity::try_from(&session).expect("a verified identity");
        assert_eq!(person.name, kari.full_name(), "{algorithm}");
        assert!(
            person
                .national_id
                .as_ref()
                .is_some_and(|n| n.value == kari.national_id),
            "{algorithm}"
        );
        // The key is not shown by the client holding it.
        let shown = format!("{client:?}");
        assert!(shown.contains("decrypts: true"), "{shown}");
        // Sessions created without a key are read as before by the same client.
        let open = client
            .create_session()
            .body(
                signicat::types::CreateSessionRequest::builder()
                    .flow(signicat::types::Flow::Redirect)
                    .requested_attributes(vec![]),
            )
            .send()
            .await
            .expect("create")
            .into_inner();
        let again = client
            .get_session()
            .id(open.id.as_deref().unwrap())
            .send()
            .await
            .expect("a plain session");
        assert_eq!(again.status, Some(signicat::types::SessionStatus::Created));
    }
}

#[tokio::test]
async fn a_wrong_key_and_a_tampered_result_are_told_apart() {
    let sandbox = Sandbox::start().await.unwrap();
    let key = DecryptionKey::generate_rsa(2048, "the-key").unwrap();
    let private = key.private_jwk();
    let plain = sandbox.client::<signicat::Client>().expect("client");
    let id = create_encrypted(&plain, &key).await;
    sandbox
        .control()
        .complete(API, &id, &persons::KARI, Outcome::Success)
        .expect("complete");

    // Another key, named differently and under the same name.
    for other in [
        DecryptionKey::generate_rsa(2048, "another-key").unwrap(),
        DecryptionKey::generate_rsa(2048, "the-key").unwrap(),
    ] {
        let client = sandbox
            .client_builder::<signicat::Client>()
            .decryption_key(other)
            .build()
            .unwrap();
        let error = client.get_session().id(&id).send().await.unwrap_err();
        assert!(
            matches!(decrypt_error(&error), DecryptError::WrongKey { .. }),
            "{error}"
        );
    }

    // The token as the vendor sent it, with one character of its ciphertext changed,
    // served to a client with the right key.
    let error = plain.get_session().id(&id).send().await.unwrap_err();
    let token = String::from_utf8(error.raw_body().expect("the body").to_vec()).unwrap();
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    assert_eq!(parts.len(), 5, "a compact JWE");
    let middle = parts[3].len() / 2;
    let changed = if &parts[3][middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    parts[3].replace_range(middle..=middle, changed);
    let tampered = parts.join(".");
    let server = LocalServer::start(Router::new().route(
        "/sessions/{id}",
        get(move || {
            let tampered = tampered.clone();
            async move { ([("content-type", "application/jose")], tampered) }
        }),
    ))
    .await;
    let client = signicat::Client::builder()
        .base_url(&server.base_url)
        .decryption_key(
            DecryptionKey::from_jwk(idverify_runtime::ExposeSecret::expose_secret(&private))
                .unwrap(),
        )
        .build()
        .unwrap();
    let error = client.get_session().id(&id).send().await.unwrap_err();
    assert_eq!(decrypt_error(&error), DecryptError::Tampered);

    // Neither the errors nor the key show the person or the private key.
    let d = serde_json::from_str::<serde_json::Value>(
        idverify_runtime::ExposeSecret::expose_secret(&private),
    )
    .unwrap()["d"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = format!("{error} {error:?} {client:?} {private:?}");
    for secret in [
        d.as_str(),
        persons::KARI.national_id,
        persons::KARI.last_name,
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }
}
