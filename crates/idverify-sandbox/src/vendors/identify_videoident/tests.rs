use super::*;
use crate::persons;

fn api() -> IdentifyVideoident {
    IdentifyVideoident::new(Arc::new(Shared::new("http://127.0.0.1:1".into())))
}

fn body() -> serde_json::Value {
    json!({
        "project_id": "6", "birthday": "1981-09-05", "email": "john@example.com",
        "person_first_name": "JOHN", "person_last_name": "DOE", "mobile_phone": "01511111111",
        "nationality": "DE", "street": "MARKGRAFENSTR.", "house_no": "23",
        "zip_code": "94670", "city": "NÜRNBERG", "country": "DE", "custom_id": "order-1",
        "pdf_url": "https://partner.example/contract.pdf"
    })
}

fn create(api: &IdentifyVideoident) -> String {
    let request = validate_create(body().to_string().as_bytes()).unwrap();
    api.create(request).unwrap()
}

fn headers(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-api-partner", HeaderValue::from_static(PARTNER));
    headers.insert("x-api-token", HeaderValue::from_str(token).unwrap());
    headers
}

fn login(api: &IdentifyVideoident) -> String {
    api.login(
        json!({"PARTNER": PARTNER, "APIKEY": API_KEY})
            .to_string()
            .as_bytes(),
    )
    .unwrap()
}

#[test]
fn validation_names_the_field() {
    let mut missing = body();
    missing.as_object_mut().unwrap().remove("birthday");
    let cases = [
        (missing, vec!["birthday"]),
        (json!({"project_id": "6"}), vec!["birthday"]),
        (
            {
                let mut b = body();
                b["birthday"] = json!("05-09-1981");
                b["country"] = json!("Germany");
                b
            },
            vec!["birthday", "country"],
        ),
        (
            {
                let mut b = body();
                b["project_id"] = json!("7");
                b["gender"] = json!("OTHER");
                b["type_of_id"] = json!("Führerschein");
                b["id_end_date"] = json!("2031");
                b["email"] = json!(" ");
                b
            },
            vec!["email", "project_id", "gender", "type_of_id", "id_end_date"],
        ),
        (
            {
                let mut b = body();
                b["house_no"] = json!(23);
                b
            },
            vec!["house_no"],
        ),
    ];
    for (body, fields) in cases {
        let problems = validate_create(body.to_string().as_bytes()).expect_err("refused");
        let names: Vec<_> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(names, fields, "{body}");
    }
    // An unknown language is `de`, as documented.
    let mut b = body();
    b["language"] = json!("fr");
    let request = validate_create(b.to_string().as_bytes()).unwrap();
    assert_eq!(request.language, Some(types::Language::De));

    let appointment = |v: serde_json::Value| validate_appointment(v.to_string().as_bytes());
    assert!(
        appointment(json!({"ident_id": "x", "termin_date": "2024-06-30T15:20+01:00", "termin_user": "1"}))
            .is_ok()
    );
    assert!(
        appointment(
            json!({"ident_id": "x", "termin_date": "2024-06-30T15:20:10Z", "termin_user": "1"})
        )
        .is_ok()
    );
    let problems = appointment(
        json!({"ident_id": "x", "termin_date": "30.06.2024 15:20", "termin_user": ""}),
    )
    .unwrap_err();
    assert_eq!(problems[0].0, "termin_date");
    assert_eq!(problems[1].0, "termin_user");
    assert_eq!(
        appointment(json!({"ident_id": "x", "termin_user": "1"})).unwrap_err()[0].0,
        "termin_date"
    );
}

#[test]
fn lifecycle_created_in_progress_successful_with_the_persons_data() {
    let api = api();
    let id = create(&api);
    let ident = api.ident(&id).unwrap();
    assert_eq!(ident.status_code.as_deref(), Some("1"));
    assert_eq!(ident.status.as_deref(), Some("Created"));
    assert_eq!(ident.person_first_name.as_deref(), Some("JOHN"));
    assert_eq!(ident.postal_code.as_deref(), Some("94670"));
    assert_eq!(
        ident.company_name.as_deref(),
        Some(""),
        "unset text is empty"
    );
    let created_at = ident.created_at.unwrap();
    assert_eq!(created_at.raw(), vendor_datetime(api.state.now()));
    assert_eq!(
        api.ident_data(&id).unwrap_err().0,
        StatusCode::PAYMENT_REQUIRED
    );

    let insert = api
        .set_appointment(&validate_appointment(
            json!({"ident_id": id, "termin_date": "2024-06-30T15:20+01:00", "termin_user": "1"})
                .to_string()
                .as_bytes(),
        ).unwrap())
        .unwrap();
    assert_eq!(insert, "1");

    let page = api.open(&id).unwrap();
    assert!(page.open);
    assert_eq!(page.status, "In progress");
    assert_eq!(api.ident(&id).unwrap().status_code.as_deref(), Some("2"));

    let kari = persons::find("kari").unwrap();
    let done = api.complete(&id, kari, Outcome::Success).unwrap();
    assert_eq!(
        (done.status.as_str(), done.redirect_url),
        ("Successful", None)
    );
    let again = api.complete(&id, kari, Outcome::Abort).unwrap_err();
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(!api.open(&id).unwrap().open);

    let data = api.ident_data(&id).unwrap();
    let ident = &data.ident;
    assert_eq!(ident.status_code.as_deref(), Some("5"));
    assert_eq!(ident.person_first_name.as_deref(), Some("Kari Fiktiv"));
    assert_eq!(ident.person_last_name.as_deref(), Some("Nordkvinne"));
    assert_eq!(ident.birthday.as_deref(), Some("1990-12-24"));
    assert_eq!(ident.gender, Some(types::Gender::Female));
    assert_eq!(ident.street.as_deref(), Some("Prøvegata"));
    assert_eq!(ident.house_no.as_deref(), Some("2"));
    assert_eq!(ident.land.as_deref(), Some("NO"));
    assert_eq!(ident.email.as_deref(), Some("john@example.com"), "as sent");
    assert_eq!(ident.custom_id.as_deref(), Some("order-1"));
    assert_eq!(
        ident.appointment_date.as_ref().unwrap().raw(),
        "2024-06-30T15:20+01:00"
    );
    let pdf = data.identification_pdf.unwrap();
    let url = pdf.download_url.unwrap();
    let customer = ident.customer_id.clone().unwrap();
    assert_eq!(
        url,
        format!(
            "http://127.0.0.1:1/identify-videoident/download/{customer}/identification.pdf"
        )
    );
    let (kind, content) = api.download(&customer, "identification.pdf").unwrap();
    assert_eq!(kind, "application/pdf");
    assert_eq!(pdf.file_hash.unwrap(), hex(&Sha256::digest(&content)));
    assert!(data.signed_pdf.is_some(), "a PDF was to be signed");
    assert_eq!(data.recordings.unwrap().len(), 1);
    assert_eq!(
        data.screenshots.unwrap()[1].file_name.as_deref(),
        Some("screenshot-2.png")
    );
    assert!(api.download(&customer, "other.png").is_none());

    // An appointment for a closed ident is refused.
    let refused = api
        .set_appointment(&types::SetAppointmentRequest {
            ident_id: id.clone(),
            termin_date: "2024-06-30T15:20+01:00".into(),
            termin_user: "1".into(),
        })
        .unwrap_err();
    assert_eq!(refused.0, StatusCode::PAYMENT_REQUIRED);
    assert!(api.ident("nope").is_none());
    assert_eq!(api.open("nope").unwrap_err().status, StatusCode::NOT_FOUND);
}

#[test]
fn abort_and_failure() {
    let api = api();
    let a = create(&api);
    let b = create(&api);
    let sven = persons::find("sven").unwrap();
    assert_eq!(
        api.complete(&a, sven, Outcome::Abort).unwrap().status,
        "Aborted"
    );
    assert_eq!(
        api.complete(&b, sven, Outcome::Error).unwrap().status,
        "Failed"
    );
    assert_eq!(api.ident(&a).unwrap().status_code.as_deref(), Some("3"));
    let failed = api.ident(&b).unwrap();
    assert_eq!(failed.status_code.as_deref(), Some("4"));
    assert_eq!(
        failed.person_first_name.as_deref(),
        Some("JOHN"),
        "no person data"
    );
    assert_eq!(
        api.ident_data(&b).unwrap_err().0,
        StatusCode::PAYMENT_REQUIRED
    );
}

#[test]
fn tokens_are_signed_jwts_that_idle_out_on_the_clock() {
    let api = api();
    let wrong = api.login(
        json!({"PARTNER": PARTNER, "APIKEY": "x"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(wrong.unwrap_err().0, StatusCode::UNAUTHORIZED);
    let missing = api.login(json!({"PARTNER": PARTNER}).to_string().as_bytes());
    let (status, messages) = missing.unwrap_err();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(messages[0].starts_with("APIKEY:"), "{messages:?}");

    let token = login(&api);
    let parts: Vec<_> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    assert!(api.unauthorized(&headers(&token)).is_none());

    // A changed payload or another sandbox's signature is refused.
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode("{\"sub\":\"sandbox-partner\",\"jti\":\"x\"}"),
        parts[2]
    );
    assert!(api.unauthorized(&headers(&forged)).is_some());
    assert!(api2_refuses(&token));
    let mut other_partner = headers(&token);
    other_partner.insert("x-api-partner", HeaderValue::from_static("someone-else"));
    assert!(api.unauthorized(&other_partner).is_some());
    assert!(api.unauthorized(&HeaderMap::new()).is_some());

    // Every accepted call restarts the idle time.
    api.shared.clock.advance(Duration::from_secs(20 * 60));
    assert!(api.unauthorized(&headers(&token)).is_none());
    api.shared.clock.advance(Duration::from_secs(20 * 60));
    assert!(api.unauthorized(&headers(&token)).is_none());
    api.shared.clock.advance(TOKEN_IDLE);
    assert!(
        api.unauthorized(&headers(&token)).is_some(),
        "idle 30 minutes"
    );
    assert!(api.state.lock().tokens.is_empty(), "idle tokens are dropped");
    assert!(api.unauthorized(&headers(&login(&api))).is_none());
}

fn api2_refuses(token: &str) -> bool {
    api().unauthorized(&headers(token)).is_some()
}

#[test]
fn idents_are_removed_after_90_days_and_memory_stays_bounded() {
    let api = api();
    let id = create(&api);
    api.shared
        .clock
        .advance(IDENT_LIFETIME - Duration::from_secs(60));
    let later = create(&api);
    assert!(api.ident(&id).is_some());
    api.shared.clock.advance(Duration::from_secs(61));
    assert!(api.ident(&id).is_none(), "gone after 90 days");
    assert!(api.ident(&later).is_some());
    assert!(api.open(&id).is_err());
    api.shared.clock.advance(IDENT_LIFETIME);
    assert!(api.state.lock().idents.is_empty());

    for _ in 0..MAX_IDENTS {
        create(&api);
    }
    let request = validate_create(body().to_string().as_bytes()).unwrap();
    assert!(api.create(request).is_none(), "full");
}

#[test]
fn dates_in_the_vendors_formats() {
    let t = std::time::UNIX_EPOCH + Duration::from_secs(1_694_600_726); // 2023-09-13T10:25:26Z
    assert_eq!(vendor_datetime(t), "13-09-2023 10:25:26");
    assert_eq!(ddmmyyyy("2021-05-10"), "10-05-2021");
    assert!(
        is_iso_date("2024-02-29") && !is_iso_date("2024-13-01") && !is_iso_date("24-01-01")
    );
    assert!(is_appointment_date("1997-07-16T19:20+01:00"));
    assert!(!is_appointment_date("1997-07-16T19:20"));
    assert!(!is_appointment_date("1997-07-16T25:20Z"));
    assert!(!is_appointment_date("1997-07-16T12:0é"));
    assert!(!is_appointment_date("1997-07-16T15:20:€Z"));
    assert_eq!(file_size(10), "0.01 MB");
    assert_eq!(alpha2("SWE"), "SE");
}
