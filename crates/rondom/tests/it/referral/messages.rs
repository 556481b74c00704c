//! Messages in the child's network (issue 15) through the API: who reads follows the
//! family's consent at the moment of reading (the list and the open stream alike), a
//! retried send is stored once, a burst of sends keeps one order, bad input is refused
//! with nothing stored, and on PostgreSQL a message sent through one server reaches a
//! stream held on another.

use super::{World, world};
use crate::common::*;
use serde_json::{Value, json};
use std::time::Duration;

on_both_backends!(
    a_conversation_with_the_network_names_who_is_left_out,
    lists_over_several_networks_apply_each_networks_own_consent,
    notices_come_at_most_once_a_quarter_and_again_when_unread,
    messages_follow_consent_at_the_moment_of_reading,
    a_burst_of_sends_keeps_one_order_and_retries_are_stored_once,
);

/// Calls the API with a token: (status, JSON or Null).
pub(crate) struct Api<'a> {
    pub(crate) app: &'a TestApp,
    pub(crate) client: reqwest::Client,
}

impl Api<'_> {
    pub(crate) async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, self.app.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// A child's network with the GP (referrer), Sanne (case director) and Eva, the mother
/// with gezag, who has an account; the child is 8.
pub(crate) struct Family {
    pub(crate) network: String,
    pub(crate) gp: String,
    pub(crate) sanne: String,
    pub(crate) eva: String,
    pub(crate) gp_member: String,
    pub(crate) eva_member: String,
}

pub(crate) async fn family(app: &TestApp, w: &World, api: &Api<'_>) -> Family {
    let gp = app
        .token_for(&app.user_id("arts@linde.example").await)
        .await;
    let sanne = app.token_for(&w.sanne).await;
    let born = rondom_app::dates::today() - chrono::Duration::days(8 * 365 + 40);
    let (s, r) = api
        .call(
            "POST",
            "/api/v1/referrals",
            &gp,
            Some(json!({
                "child": {"name": "Noor de Vries", "birth_date": born.format("%Y-%m-%d").to_string(),
                    "gemeente_code": "GM9999"},
                "to_org_id": w.team, "reason": "Ouders lopen vast in de opvoeding.",
                "problem_areas": ["opvoeding"]})),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let referral = r["referral"]["id"].as_str().unwrap().to_owned();
    let (s, _) = api
        .call(
            "POST",
            &format!("/api/v1/referrals/{referral}/transitions"),
            &sanne,
            Some(json!({"to": "accepted", "case_director_id": w.sanne})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, n) = api
        .call(
            "POST",
            "/api/v1/networks",
            &sanne,
            Some(json!({"referral_id": referral})),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    let network = n["id"].as_str().unwrap().to_owned();
    let (s, n) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{network}/members"),
            &sanne,
            Some(json!({"name": "Eva de Vries", "relation": "ouder", "gezag": true})),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    let member = |pred: &dyn Fn(&Value) -> bool| -> String {
        n["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| pred(m))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let eva_member = member(&|m| m["name"] == "Eva de Vries");
    let gp_member = member(&|m| m["what"].as_str().unwrap_or("").starts_with("huisarts"));
    // Eva has an account (as after her invitation).
    let eva_user = app
        .user("eva@gezin.example", None, &["ouder_verzorger"])
        .await;
    let (m, u) = (eva_member.clone(), eva_user.clone());
    app.db
        .write(move |c| rondom_db::networks::set_member_user(c, &m, &u))
        .await
        .unwrap();
    let eva = app.token_for(&eva_user).await;
    Family {
        network,
        gp,
        sanne,
        eva,
        gp_member,
        eva_member,
    }
}

impl Family {
    /// Eva's answer for the GP, recorded by the case director as given in person.
    pub(crate) async fn eva_answers_for_gp(&self, api: &Api<'_>, categories: &[&str], given: bool) {
        let on = rondom_app::dates::today().format("%Y-%m-%d").to_string();
        let (s, out) = api
            .call(
                "POST",
                &format!("/api/v1/networks/{}/consents", self.network),
                &self.sanne,
                Some(
                    json!({"grantee_id": self.gp_member, "categories": categories,
                    "given": given, "by_member_id": self.eva_member, "how": "mondeling", "on": on}),
                ),
            )
            .await;
        assert_eq!(s, 201, "{out}");
    }
}

/// A conversation with the whole network says "ook de ouders" only while no member of
/// the network is left out; a member without consent for messages (here the GP, whom
/// the parent let into the network but not into its messages) is named, on the list and
/// in the conversation, so that no one thinks everyone reads along.
async fn a_conversation_with_the_network_names_who_is_left_out(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    let convs = format!("/api/v1/networks/{}/conversations", f.network);
    let (s, c) = api
        .call(
            "POST",
            &convs,
            &f.sanne,
            Some(json!({"kind": "network", "title": "Afspraken", "body": "Welkom."})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let conv = format!("/gesprekken/{}", c["id"].as_str().unwrap());
    let list = format!("/netwerken/{}/berichten", f.network);
    f.eva_answers_for_gp(&api, &["membership"], true).await;
    // The API says the same.
    let (s, lines) = api.call("GET", &convs, &f.sanne, None).await;
    assert_eq!(s, 200);
    assert_eq!(
        lines[0]["left_out"],
        json!(["Test arts (huisarts bij Huisartsenpraktijk De Linde)"])
    );
    let sanne = logged_in(&app, "sanne@team.example").await;
    // In the conversation ("Met …") and on both lists ("… · 1 bericht").
    let gp = "Test arts (huisarts bij Huisartsenpraktijk De Linde)";
    for (path, end) in [
        (&conv, "."),
        (&list, " ·"),
        (&"/berichten".to_owned(), " ·"),
    ] {
        let page = fetch_page(&app, &sanne, path).await;
        assert!(
            page.contains(&format!("iedereen in het netwerk, behalve {gp}{end}")),
            "{path}: {page}"
        );
        assert!(
            !page.contains(&format!("iedereen in het netwerk, ook de ouders{end}")),
            "{path}: {page}"
        );
    }
    f.eva_answers_for_gp(&api, &["membership", "messages"], true)
        .await;
    for (path, end) in [(&conv, "."), (&list, " ·")] {
        let page = fetch_page(&app, &sanne, path).await;
        assert!(
            page.contains(&format!("iedereen in het netwerk, ook de ouders{end}")),
            "{path}: {page}"
        );
        assert!(!page.contains("behalve"), "{path}: {page}");
    }
}

/// The lists that span a person's networks (the networks on the start page, every
/// conversation under "Berichten") read all the networks at once; each network's own
/// consent still decides what shows of it. The GP is in two networks: Noor's, where
/// the parent gave consent for membership and messages, and Daan's, where no one did.
async fn lists_over_several_networks_apply_each_networks_own_consent(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    f.eva_answers_for_gp(&api, &["membership", "messages"], true)
        .await;
    // A second child, referred by the same GP, whose network the case director opens.
    let born = rondom_app::dates::today() - chrono::Duration::days(9 * 365 + 40);
    let (s, r) = api
        .call(
            "POST",
            "/api/v1/referrals",
            &f.gp,
            Some(json!({
                "child": {"name": "Daan Jansen", "birth_date": born.format("%Y-%m-%d").to_string(),
                    "gemeente_code": "GM9999"},
                "to_org_id": w.team, "reason": "Somber en trekt zich terug.",
                "problem_areas": ["psychisch"]})),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let referral = r["referral"]["id"].as_str().unwrap().to_owned();
    let (s, _) = api
        .call(
            "POST",
            &format!("/api/v1/referrals/{referral}/transitions"),
            &f.sanne,
            Some(json!({"to": "accepted", "case_director_id": w.sanne})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, n) = api
        .call(
            "POST",
            "/api/v1/networks",
            &f.sanne,
            Some(json!({"referral_id": referral})),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    let daan = n["id"].as_str().unwrap().to_owned();
    for (network, title) in [(&f.network, "Over Noor"), (&daan, "Over Daan")] {
        let (s, c) = api
            .call(
                "POST",
                &format!("/api/v1/networks/{network}/conversations"),
                &f.sanne,
                Some(json!({"kind": "network", "title": title, "body": "Welkom."})),
            )
            .await;
        assert_eq!(s, 201, "{c}");
    }

    // The case director sees both children; the GP Noor only, and of Daan's network
    // that it exists.
    let children = |list: &Value| -> Vec<(String, Value)> {
        let mut out: Vec<(String, Value)> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|n| (n["id"].as_str().unwrap().to_owned(), n["child"].clone()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    };
    let expect = |noor: Value, daan_child: Value| {
        let mut e = vec![(f.network.clone(), noor), (daan.clone(), daan_child)];
        e.sort_by(|a, b| a.0.cmp(&b.0));
        e
    };
    let (s, list) = api.call("GET", "/api/v1/networks", &f.sanne, None).await;
    assert_eq!(s, 200);
    assert_eq!(
        children(&list),
        expect(
            json!("Noor de Vries (8 jaar)"),
            json!("Daan Jansen (9 jaar)")
        )
    );
    let (s, list) = api.call("GET", "/api/v1/networks", &f.gp, None).await;
    assert_eq!(s, 200);
    assert_eq!(
        children(&list),
        expect(json!("Noor de Vries (8 jaar)"), Value::Null)
    );

    // Under "Berichten": the case director both conversations, the GP Noor's only.
    let sanne = logged_in(&app, "sanne@team.example").await;
    let page = fetch_page(&app, &sanne, "/berichten").await;
    assert!(
        page.contains("Over Noor") && page.contains("Over Daan"),
        "{page}"
    );
    let gp = logged_in(&app, "arts@linde.example").await;
    let page = fetch_page(&app, &gp, "/berichten").await;
    assert!(page.contains("Over Noor"), "{page}");
    assert!(
        !page.contains("Over Daan") && !page.contains("Daan"),
        "{page}"
    );
}

/// One person's live stream, read event by event.
struct Events {
    resp: reqwest::Response,
    buf: String,
}

/// (id, event, data)
type Ev = (String, String, Value);

impl Events {
    async fn open(app: &TestApp, base: &str, token: &str, last: Option<&str>) -> Self {
        let mut req = app
            .client()
            .get(format!("{base}/api/v1/events"))
            .bearer_auth(token);
        if let Some(l) = last {
            req = req.header("Last-Event-ID", l);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        Self {
            resp,
            buf: String::new(),
        }
    }

    /// The next event (keep-alive comments skipped). Waiting is bounded so that a lost
    /// event fails the test instead of hanging it.
    async fn next(&mut self) -> Ev {
        loop {
            if let Some(at) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..at + 2).collect();
                let (mut id, mut kind, mut data) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        kind = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if kind.is_empty() && data.is_empty() {
                    continue;
                }
                return (id, kind, serde_json::from_str(&data).unwrap_or(Value::Null));
            }
            let chunk = tokio::time::timeout(Duration::from_secs(15), self.resp.chunk())
                .await
                .expect("an event within 15 s")
                .unwrap()
                .expect("the stream stays open");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next event of this kind, with what came before it.
    async fn until(&mut self, kind: &str) -> (Ev, Vec<Ev>) {
        let mut before = Vec::new();
        loop {
            let e = self.next().await;
            if e.1 == kind {
                return (e, before);
            }
            before.push(e);
        }
    }
}

async fn messages_follow_consent_at_the_moment_of_reading(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    let convs = format!("/api/v1/networks/{}/conversations", f.network);

    // The case director opens a conversation with the whole network, with a first word.
    let (s, c) = api
        .call(
            "POST",
            &convs,
            &f.sanne,
            Some(json!({"kind": "network", "title": "Afspraken over Noor",
                "body": "Welkom allemaal.\nZie https://voorbeeld.nl/plan voor de afspraken."})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["kind"], "network");
    let conv = c["id"].as_str().unwrap().to_owned();
    let msgs = format!("/api/v1/conversations/{conv}/messages");

    // Eva (with the say) reads it; the GP, without consent for messages, finds nothing.
    let (s, list) = api.call("GET", &convs, &f.eva, None).await;
    assert_eq!(s, 200);
    assert_eq!(list[0]["title"], "Afspraken over Noor");
    assert_eq!(list[0]["unread"], 1);
    // The family's menu counts it too, in the page as served (not only by the script).
    let eva_page = logged_in(&app, "eva@gezin.example").await;
    let page = fetch_page(&app, &eva_page, "/berichten").await;
    assert!(
        page.contains("data-unread-total><span data-count>1</span>"),
        "{page}"
    );
    let (s, _) = api.call("GET", &msgs, &f.gp, None).await;
    assert_eq!(
        s, 404,
        "no consent for messages: the conversation is not there for the GP"
    );
    // Nor does the page of the network's conversations name the child or anyone in it.
    let gp_page = logged_in(&app, "arts@linde.example").await;
    let page = fetch_page(
        &app,
        &gp_page,
        &format!("/netwerken/{}/berichten", f.network),
    )
    .await;
    assert!(!page.contains("Noor"), "{page}");
    assert!(!page.contains("Eva de Vries"), "{page}");
    assert!(page.contains("geen toestemming"), "{page}");
    let (s, _) = api
        .call(
            "POST",
            &msgs,
            &f.gp,
            Some(json!({"body": "Mag ik meelezen?"})),
        )
        .await;
    assert_eq!(s, 404);

    // Consent for messages without consent for membership: still nothing, and the GP is
    // not counted among those who read (not as a recipient, not mailed).
    f.eva_answers_for_gp(&api, &["messages"], true).await;
    let (s, _) = api.call("GET", &msgs, &f.gp, None).await;
    assert_eq!(s, 404);
    let (_, first) = api.call("GET", &msgs, &f.sanne, None).await;
    let first_id = first[0]["id"].as_str().unwrap().to_owned();
    let r = app
        .client()
        .get(app.url(&format!("/api/fhir/Communication/{first_id}")))
        .bearer_auth(&f.sanne)
        .send()
        .await
        .unwrap();
    let comm: Value = r.json().await.unwrap();
    let recipients = comm["recipient"].to_string();
    assert!(
        recipients.contains("Eva de Vries") || recipients.contains("Test eva"),
        "{recipients}"
    );
    assert!(!recipients.contains("Test arts"), "{recipients}");

    // Eva allows the GP membership and messages: now the GP reads and writes.
    f.eva_answers_for_gp(&api, &["membership", "messages"], true)
        .await;
    let mut eva_events = Events::open(&app, &app.base, &f.eva, None).await;
    let mut gp_events = Events::open(&app, &app.base, &f.gp, None).await;
    let (s, sent) = api
        .call(
            "POST",
            &msgs,
            &f.gp,
            Some(
                json!({"body": "Ik zie Noor volgende week op het spreekuur.", "client_id": "gp-1"}),
            ),
        )
        .await;
    assert_eq!(s, 201, "{sent}");
    assert_eq!(sent["seq"], 2);
    let ((_, _, e), _) = eva_events.until("message").await;
    assert_eq!(e["conversation_id"], conv.as_str());
    assert_eq!(
        e["message"]["body"],
        "Ik zie Noor volgende week op het spreekuur."
    );
    assert_eq!(e["message"]["author"], "Test arts");
    let (s, seen) = api
        .call("GET", &format!("{msgs}?after=0"), &f.eva, None)
        .await;
    assert_eq!(s, 200);
    let bodies: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "Welkom allemaal.\nZie https://voorbeeld.nl/plan voor de afspraken.",
            "Ik zie Noor volgende week op het spreekuur."
        ]
    );

    // The message as HL7 FHIR R4 Communication, valid against the R4 schema; not for
    // someone outside the conversation.
    let fhir = |token: String| {
        let (client, url) = (
            app.client(),
            app.url(&format!(
                "/api/fhir/Communication/{}",
                sent["id"].as_str().unwrap()
            )),
        );
        async move {
            let r = client.get(url).bearer_auth(token).send().await.unwrap();
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (s, comm) = fhir(f.eva.clone()).await;
    assert_eq!(s, 200, "{comm}");
    super::api::assert_valid(
        &super::api::fhir_validator("Communication"),
        "Communication",
        &comm,
    );
    assert_eq!(
        comm["payload"][0]["contentString"],
        "Ik zie Noor volgende week op het spreekuur."
    );
    assert_eq!(comm["status"], "completed");
    let outsider = app
        .token_for(&app.user_id("zorg@horizon.example").await)
        .await;
    assert_eq!(fhir(outsider).await.0, 404);

    // A conversation of the professionals only: not for Eva, in the list or by its id.
    let (s, p) = api
        .call(
            "POST",
            &convs,
            &f.sanne,
            Some(json!({"kind": "professionals", "body": "Zorgen over de thuissituatie."})),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let pro = p["id"].as_str().unwrap().to_owned();
    let (_, list) = api.call("GET", &convs, &f.eva, None).await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != pro.as_str()),
        "{list}"
    );
    let (s, _) = api
        .call(
            "GET",
            &format!("/api/v1/conversations/{pro}/messages"),
            &f.eva,
            None,
        )
        .await;
    assert_eq!(s, 404);
    // The GP's stream had the professionals' conversation; Eva's did not.
    let (opened, _) = gp_events.until("conversation").await;
    assert_eq!(opened.2["conversation_id"], pro.as_str());

    // Bad input: a clear error, nothing stored.
    for (body, why) in [
        (json!({"body": "  \n "}), "empty"),
        (json!({"body": "a".repeat(100_000)}), "100,000 characters"),
        (json!({"body": 7}), "not text"),
    ] {
        let (s, out) = api.call("POST", &msgs, &f.eva, Some(body)).await;
        assert!(s == 422 || s == 400, "{why}: {s} {out}");
        assert!(out["error"].is_object(), "{why}: a structured error: {out}");
    }
    let (_, seen) = api.call("GET", &msgs, &f.sanne, None).await;
    assert_eq!(seen.as_array().unwrap().len(), 2, "nothing stored");
    // A conversation of another child's network, which Eva is not in: not found.
    let other = family_other(&app, &w, &api).await;
    let (s, _) = api
        .call(
            "POST",
            &format!("/api/v1/conversations/{other}/messages"),
            &f.eva,
            Some(json!({"body": "Verkeerd gesprek"})),
        )
        .await;
    assert_eq!(s, 404);
    let (_, theirs) = api
        .call(
            "GET",
            &format!("/api/v1/conversations/{other}/messages"),
            &f.sanne,
            None,
        )
        .await;
    assert_eq!(
        theirs.as_array().map(Vec::len),
        Some(0),
        "nothing stored there"
    );

    // Eva withdraws the GP's consent for messages: the next list call finds nothing,
    // and the GP's open stream gets nothing more of this network.
    f.eva_answers_for_gp(&api, &["messages"], false).await;
    let (s, _) = api.call("GET", &msgs, &f.gp, None).await;
    assert_eq!(s, 404, "withdrawn: the next read finds nothing");
    let (_, gp_list) = api.call("GET", &convs, &f.gp, None).await;
    assert_eq!(gp_list.as_array().map(Vec::len), Some(0), "{gp_list}");
    let (s, _) = api
        .call(
            "POST",
            &msgs,
            &f.sanne,
            Some(json!({"body": "Na het intrekken."})),
        )
        .await;
    assert_eq!(s, 201);
    // Then something the GP does hear of (a change in the network): by then the message
    // above would have come first, in commit order.
    f.eva_answers_for_gp(&api, &["plan"], false).await;
    let (_, before) = gp_events.until("membership").await;
    let leaked: Vec<&Ev> = before
        .iter()
        .filter(|e| e.2["message"]["body"] == "Na het intrekken.")
        .collect();
    assert!(leaked.is_empty(), "the GP's stream delivered {leaked:?}");
    let ((_, _, e), _) = eva_events.until("message").await;
    assert_eq!(e["message"]["body"], "Na het intrekken.");

    // Every read is in the child's access log, which the family sees.
    let (s, log) = api
        .call(
            "GET",
            &format!("/api/v1/networks/{}/access-log", f.network),
            &f.eva,
            None,
        )
        .await;
    assert_eq!(s, 200, "{log}");
    let text = log.to_string();
    assert!(text.contains("Berichten gelezen"), "{text}");
    assert!(text.contains("Test arts"), "{text}");
}

/// A conversation in another child's network, of which Eva is not a member.
async fn family_other(app: &TestApp, w: &World, api: &Api<'_>) -> String {
    let sanne = app.token_for(&w.sanne).await;
    let gp = app
        .token_for(&app.user_id("arts@linde.example").await)
        .await;
    let born = rondom_app::dates::today() - chrono::Duration::days(5 * 365);
    let (s, r) = api
        .call(
            "POST",
            "/api/v1/referrals",
            &gp,
            Some(json!({
                "child": {"name": "Sem Bakker", "birth_date": born.format("%Y-%m-%d").to_string(),
                    "gemeente_code": "GM9999"},
                "to_org_id": w.team, "reason": "Slaapt slecht.", "problem_areas": ["opvoeding"]})),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let referral = r["referral"]["id"].as_str().unwrap().to_owned();
    api.call(
        "POST",
        &format!("/api/v1/referrals/{referral}/transitions"),
        &sanne,
        Some(json!({"to": "accepted", "case_director_id": w.sanne})),
    )
    .await;
    let (_, n) = api
        .call(
            "POST",
            "/api/v1/networks",
            &sanne,
            Some(json!({"referral_id": referral})),
        )
        .await;
    let (s, c) = api
        .call(
            "POST",
            &format!(
                "/api/v1/networks/{}/conversations",
                n["id"].as_str().unwrap()
            ),
            &sanne,
            Some(json!({"kind": "professionals"})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    c["id"].as_str().unwrap().to_owned()
}

async fn a_burst_of_sends_keeps_one_order_and_retries_are_stored_once(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    f.eva_answers_for_gp(&api, &["membership", "messages"], true)
        .await;
    let (_, c) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{}/conversations", f.network),
            &f.sanne,
            Some(json!({"kind": "network"})),
        )
        .await;
    let msgs = format!(
        "/api/v1/conversations/{}/messages",
        c["id"].as_str().unwrap()
    );
    // Three people send 30 messages at once; each send is also retried at once with
    // the same client id (a client that did not hear the first answer).
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..30usize {
        let token = [&f.gp, &f.sanne, &f.eva][i % 3].clone();
        for retry in 0..2 {
            let (client, url, token) = (app.client(), app.url(&msgs), token.clone());
            sends.spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({"body": format!("bericht {i}"), "client_id": format!("c-{i}")}))
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                (i, retry, status, r.json::<Value>().await.unwrap())
            });
        }
    }
    let mut answers = sends.join_all().await;
    answers.sort_by_key(|(i, retry, _, _)| (*i, *retry));
    let answers: Vec<(u16, Value)> = answers.into_iter().map(|(_, _, s, v)| (s, v)).collect();
    let mut created = 0;
    for pair in answers.chunks(2) {
        let ((s1, a), (s2, b)) = (&pair[0], &pair[1]);
        assert!(
            [200, 201].contains(s1) && [200, 201].contains(s2),
            "{s1} {s2}: {a} {b}"
        );
        assert_eq!(a["id"], b["id"], "a retry answers the message stored first");
        created += [*s1, *s2].iter().filter(|s| **s == 201).count();
    }
    assert_eq!(created, 30, "each message stored once");
    // Every reader sees the same order: 1 to 30, each message once.
    let mut orders = Vec::new();
    for token in [&f.gp, &f.sanne, &f.eva] {
        let (s, seen) = api
            .call("GET", &format!("{msgs}?limit=500"), token, None)
            .await;
        assert_eq!(s, 200);
        let seen = seen.as_array().unwrap().clone();
        let seqs: Vec<i64> = seen.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs, (1..=30).collect::<Vec<_>>());
        orders.push(
            seen.iter()
                .map(|m| m["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>(),
        );
    }
    assert!(
        orders.windows(2).all(|w| w[0] == w[1]),
        "one order for every reader"
    );
    // Reading from the middle gives the rest, in the same order.
    let (_, rest) = api
        .call("GET", &format!("{msgs}?after=25"), &f.eva, None)
        .await;
    let rest: Vec<String> = rest
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(rest, orders[0][25..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_a_message_through_one_server_reaches_a_stream_on_another() {
    let app = TestApp::start(Backend::Postgres).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    f.eva_answers_for_gp(&api, &["membership", "messages"], true)
        .await;
    let (_, c) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{}/conversations", f.network),
            &f.sanne,
            Some(json!({"kind": "network"})),
        )
        .await;
    let conv = c["id"].as_str().unwrap().to_owned();
    let b_server = app.second_server().await;
    let b_base = format!("http://{}", b_server.addr);
    let mut on_b = Events::open(&app, &b_base, &f.eva, None).await;
    let (s, _) = api
        .call(
            "POST",
            &format!("/api/v1/conversations/{conv}/messages"),
            &f.gp,
            Some(json!({"body": "Via server A."})),
        )
        .await;
    assert_eq!(s, 201);
    let ((id, _, e), _) = on_b.until("message").await;
    assert_eq!(e["message"]["body"], "Via server A.");
    // A client that reconnects with Last-Event-ID gets what it missed, nothing twice.
    drop(on_b);
    api.call(
        "POST",
        &format!("/api/v1/conversations/{conv}/messages"),
        &f.sanne,
        Some(json!({"body": "Terwijl Eva weg was."})),
    )
    .await;
    let mut again = Events::open(&app, &b_base, &f.eva, Some(&id)).await;
    let ((_, _, e), before) = again.until("message").await;
    assert_eq!(e["message"]["body"], "Terwijl Eva weg was.");
    assert!(
        before
            .iter()
            .all(|e| e.2["message"]["body"] != "Via server A."),
        "{before:?}"
    );
    drop(b_server);
}

async fn notices_come_at_most_once_a_quarter_and_again_when_unread(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    f.eva_answers_for_gp(&api, &["membership", "messages"], true)
        .await;
    let (_, c) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{}/conversations", f.network),
            &f.sanne,
            Some(json!({"kind": "network", "title": "Afspraken"})),
        )
        .await;
    let conv = c["id"].as_str().unwrap().to_owned();
    let msgs = format!("/api/v1/conversations/{conv}/messages");
    let svc = app.running.as_ref().unwrap().state.app.clone();
    let to = |who: &str| -> Vec<smtp::Mail> {
        app.smtp
            .mails()
            .into_iter()
            .filter(|m| m.to == vec![who.to_owned()])
            .collect()
    };
    // Waits until `who` has `n` mails (others' mails, such as the referral's, come too).
    let until = |who: &'static str, n: usize| {
        let app = &app;
        async move {
            let mut seen = app.smtp.mails().len();
            loop {
                let mails = app.smtp.wait_for(seen).await;
                let mine = mails
                    .iter()
                    .filter(|m| m.to == vec![who.to_owned()])
                    .count();
                if mine >= n {
                    return;
                }
                assert!(mails.len() >= seen, "{who} gets {n} mails: {mails:?}");
                seen = mails.len() + 1;
            }
        }
    };
    let send = |token: String, body: &'static str| {
        let (api, msgs) = (&api, msgs.clone());
        async move {
            let (s, _) = api
                .call("POST", &msgs, &token, Some(json!({"body": body})))
                .await;
            assert_eq!(s, 201);
        }
    };

    // The GP writes: Sanne and Eva hear of it by a mail without the message in it.
    send(f.gp.clone(), "Noor was vandaag op het spreekuur.").await;
    until("eva@gezin.example", 1).await;
    until("sanne@team.example", 1).await;
    assert_eq!(to("eva@gezin.example").len(), 1);
    assert_eq!(to("sanne@team.example").len(), 1);
    let mail = &to("eva@gezin.example")[0];
    assert!(mail.data.contains("nieuw bericht"), "{}", mail.data);
    assert!(!mail.data.contains("spreekuur"), "no content in the mail");
    let link = smtp::link_in(mail).unwrap();
    assert!(link.ends_with(&format!("/gesprekken/{conv}")), "{link}");

    // A second message within the quarter: no second mail, nothing owed yet.
    send(f.gp.clone(), "En ze slaapt beter.").await;
    let now = rondom_db::now();
    assert_eq!(
        rondom_app::message::notices::sweep(&svc, now)
            .await
            .unwrap(),
        (0, 0)
    );

    // A quarter later: Eva read everything in Rondom, Sanne did not. Sanne is told
    // again, Eva is not.
    let (s, _) = api.call("GET", &msgs, &f.eva, None).await;
    assert_eq!(s, 200);
    let earlier = now - chrono::Duration::minutes(16);
    app.db
        .write(move |c| {
            use diesel::prelude::*;
            use rondom_db::schema::conversation_reads as r;
            rondom_db::on_backend!(c, |conn| diesel::update(r::table)
                .set(r::mailed_at.eq(earlier))
                .execute(conn))?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(
        rondom_app::message::notices::sweep(&svc, now)
            .await
            .unwrap(),
        (1, 0),
        "one held-back notice: Sanne's"
    );
    until("sanne@team.example", 2).await;
    assert_eq!(to("sanne@team.example").len(), 2);
    assert_eq!(to("eva@gezin.example").len(), 1);

    // Eva chooses one mail a day: a new message mails her nothing at once; the daily
    // mail from 7 o'clock tells her once that there is something unread.
    let eva_user = app.user_id("eva@gezin.example").await;
    app.db
        .write(move |c| rondom_db::messages::set_notice_choice(c, &eva_user, "daily"))
        .await
        .unwrap();
    send(f.gp.clone(), "De afspraak is verzet.").await;
    let (s, _) = api.call("GET", &msgs, &f.sanne, None).await;
    assert_eq!(s, 200);
    let eight = rondom_app::dates::to_utc(
        rondom_app::dates::to_local(now)
            .date()
            .and_hms_opt(8, 0, 0)
            .unwrap(),
    );
    assert_eq!(
        rondom_app::message::notices::sweep(&svc, eight)
            .await
            .unwrap(),
        (0, 1),
        "Eva's daily mail"
    );
    assert_eq!(
        rondom_app::message::notices::sweep(&svc, eight)
            .await
            .unwrap(),
        (0, 0),
        "once a day"
    );
    until("eva@gezin.example", 2).await;
    let daily = to("eva@gezin.example");
    assert_eq!(daily.len(), 2);
    assert!(
        daily
            .iter()
            .any(|m| smtp::link_in(m).is_some_and(|l| l.ends_with("/berichten")))
    );
}
